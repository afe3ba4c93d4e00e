"""Shared fixtures: a running test nameserver (tests/support/dns_server.py), clients pointed at it, and
the shared data folder (../shared), skipped with a message when absent. Tests marked `interop` are
opt-in: they run only with ALIMAIL_MCP_INTEROP=1.

Every server the tests start listens on 127.0.0.1, so the whole test process runs with the operator's
opt-in ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS=1 (outbound.py); the tests of the outbound guard remove it
(`monkeypatch.delenv`, or a server started without it: tests/support/mcp_harness.py). The compiled
knowledge cache is off (ALIMAIL_MCP_KNOWLEDGE_CACHE=off) except in its own tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alimail_mcp.config import ENV_ALLOW_PRIVATE_TARGETS, ENV_KNOWLEDGE_CACHE, Nameserver, Settings
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer

SHARED = Path(__file__).resolve().parents[2] / "shared"

TEST_TIMEOUT = 1.0
TEST_BUDGET = 5.0

INTEROP = "ALIMAIL_MCP_INTEROP"

os.environ[ENV_ALLOW_PRIVATE_TARGETS] = "1"
# Tests read skills/ as YAML, and many swap in an edited copy: the compiled knowledge cache is tested on its
# own (tests/knowledge/test_compiled.py) and off everywhere else, so no test depends on the user's cache.
os.environ[ENV_KNOWLEDGE_CACHE] = "off"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Most tests serve DNS, HTTP and mail on 127.0.0.1: where loopback is down (a fresh network
    namespace) stop at once with the reason, instead of failing hundreds of tests one by one."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller has checked
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            socket.create_connection(server.getsockname(), timeout=2).close()
    except OSError as exc:
        pytest.exit(
            f"loopback is unusable ({exc}): the tests need 127.0.0.1 (bring it up: `ip link set lo up`)",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the `interop` tests (tests/interop/: the MCP Inspector, the conformance suite and mcpb, all
    on Node) unless ALIMAIL_MCP_INTEROP=1, so that the default run needs nothing outside Python."""
    if os.environ.get(INTEROP) == "1":
        return
    skip = pytest.mark.skip(
        reason=f"opt-in: set {INTEROP}=1 to run it (needs Node: MCP Inspector, conformance suite, mcpb)"
    )
    for item in items:
        if item.get_closest_marker("interop") is not None:
            item.add_marker(skip)


@pytest.fixture
def dns_server() -> Iterator[DnsTestServer]:
    """A started nameserver with no zones: load them with `add_zone(text)` or `add(...)`."""
    with DnsTestServer() as server:
        yield server


@pytest.fixture
def start_dns_server() -> Iterator[Callable[..., DnsTestServer]]:
    """Start more nameservers (same arguments as DnsTestServer); all are stopped after the test."""
    started: list[DnsTestServer] = []

    def start(*zones: str, **options: object) -> DnsTestServer:
        server = DnsTestServer(*zones, **options)  # type: ignore[arg-type]
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def settings_for(
    server: DnsTestServer, *, timeout: float = TEST_TIMEOUT, budget: float = TEST_BUDGET
) -> Settings:
    """Settings that send every question to `server` (what ALIMAIL_MCP_RESOLVERS does), with the
    domains' own servers, also on loopback, reachable."""
    return Settings(
        resolvers=(Nameserver(server.host, server.port),),
        dns_timeout=timeout,
        dns_budget=budget,
        allow_private_targets=True,
    )


@pytest.fixture
def dns_settings(dns_server: DnsTestServer) -> Settings:
    return settings_for(dns_server)


@pytest.fixture
def dns_client(dns_settings: Settings) -> ResolverClient:
    """A fresh client (one audit) asking `dns_server`; its budget starts when the test does."""
    return ResolverClient.from_settings(dns_settings)


@pytest.fixture
def make_dns_client(dns_server: DnsTestServer) -> Callable[..., ResolverClient]:
    """`make_dns_client(timeout=0.2, budget=1.0)`: a client asking `dns_server` with other limits."""

    def make(*, timeout: float = TEST_TIMEOUT, budget: float = TEST_BUDGET) -> ResolverClient:
        return ResolverClient.from_settings(settings_for(dns_server, timeout=timeout, budget=budget))

    return make


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """/work/shared seen from the project (../shared); tests needing it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (tests using ../shared are skipped)")
    return SHARED
