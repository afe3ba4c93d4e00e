"""Interop with the MCP Inspector's CLI (Node, the TypeScript SDK): list the tools and call each one
once, over stdio and over streamable HTTP (tests/support/inspector.py does the driving).

Opt-in (marker `interop`): skipped unless ALIMAIL_MCP_INTEROP=1 (tests/conftest.py). Then the pinned
inspector runs with `npx --offline` from the local npm cache, and the tests skip within seconds when
npx is missing or the package is not cached; nothing reaches the network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import inspector as interop
from tests.support.dns_server import DnsTestServer

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def inspector() -> None:
    missing = interop.probe()
    if missing:
        pytest.skip(f"MCP Inspector CLI unavailable: {missing}")


@pytest.fixture(scope="module")
def env(inspector: None) -> Iterator[dict[str, str]]:
    with DnsTestServer() as dns:
        yield interop.interop_env(dns)


def failures(outcomes: list[interop.Outcome]) -> list[str]:
    return [f"{o.transport} {o.what}: {o.detail}" for o in outcomes if not o.ok]


def test_every_tool_over_stdio(env: dict[str, str]) -> None:
    outcomes = interop.over_stdio(env)
    assert not failures(outcomes)
    called = {o.what for o in outcomes} - {"tools/list"}
    assert {"route_query", "check_dns", "recover_access", "check_client_settings", "check_webmail"} <= called


def test_every_tool_over_streamable_http_and_refused_without_token(env: dict[str, str]) -> None:
    outcomes = interop.over_http(env)
    assert not failures(outcomes)
    assert any(o.what == "no token -> refused" for o in outcomes)
    assert len(outcomes) >= 7  # the listing, at least five tools, the refusal
