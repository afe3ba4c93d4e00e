"""The HTTP transports facing strangers, with real requests against `alimail-mcp serve`.

One server per transport, started with a token, a small body limit and one extra allowed Host and
Origin. Refused requests (no token, a wrong one, a foreign Origin or Host, an oversized body) get
their status while the SDK's own client, carrying the token, keeps working in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp.client import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from alimail_mcp.config import Settings
from alimail_mcp.errors import InputError
from alimail_mcp.server.http_app import allowed_hosts, allowed_origins, check_bind, is_loopback
from tests.support.mcp_harness import ROOT, http_server

TOKEN = "t0k3n-for-tests-only"
BODY_LIMIT = 16_384
EXTRA_HOST = "mcp.example.test"
EXTRA_ORIGIN = "https://app.example.test"
ENV = {
    "ALIMAIL_MCP_AUTH_TOKEN": TOKEN,
    "ALIMAIL_MCP_MAX_BODY_BYTES": str(BODY_LIMIT),
    "ALIMAIL_MCP_ALLOWED_HOSTS": f"{EXTRA_HOST}:*",
    "ALIMAIL_MCP_ALLOWED_ORIGINS": EXTRA_ORIGIN,
}
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test_http_security", "version": "1"},
    },
}


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server("http", env=ENV) as (_, port):
        yield port


@pytest.fixture(scope="module")
def sse_port() -> Iterator[int]:
    with http_server("sse", env=ENV) as (_, port):
        yield port


def post(port: int, headers: dict[str, Any] | None = None, body: object = INITIALIZE) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"http://127.0.0.1:{port}/mcp", headers={**JSON_RPC, **(headers or {})}, content=content, timeout=10
    )


def authed_client(port: int) -> Client:
    http = create_mcp_http_client(headers=AUTH)
    return Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http))


async def route(client: Client) -> dict[str, Any]:
    result = await client.call_tool("route_query", {"query": "MX record for Alibaba Mail"})
    assert not result.is_error
    return result.structured_content or {}


# --- streamable HTTP ------------------------------------------------------------------------------


REFUSALS: list[tuple[str, dict[str, Any], int]] = [
    ("no token", {}, 401),
    ("wrong token", {"Authorization": "Bearer wrong"}, 401),
    ("same length, wrong", {"Authorization": "Bearer " + "x" * len(TOKEN)}, 401),
    ("token as a prefix", {"Authorization": f"Bearer {TOKEN}x"}, 401),
    ("token cut short", {"Authorization": f"Bearer {TOKEN[:-1]}"}, 401),
    ("not a bearer scheme", {"Authorization": f"Basic {TOKEN}"}, 401),
    ("bare token", {"Authorization": TOKEN}, 401),
    ("bytes that are not UTF-8", {"Authorization": b"Bearer \xff\xfe" + TOKEN.encode()}, 401),
    ("foreign Origin", {**AUTH, "Origin": "http://evil.example"}, 403),
    ("null Origin", {**AUTH, "Origin": "null"}, 403),
    ("loopback Origin on another port", {**AUTH, "Origin": "http://127.0.0.1:1"}, 403),
    ("foreign Host", {**AUTH, "Host": "evil.example"}, 403),
    ("rebinding Host", {**AUTH, "Host": "attacker.example:80"}, 403),
    ("foreign Origin without token", {"Origin": "http://evil.example"}, 403),
]


@pytest.mark.parametrize(("case", "headers", "status"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_requests_get_their_status(
    http_port: int, case: str, headers: dict[str, Any], status: int
) -> None:
    response = post(http_port, headers)
    assert response.status_code == status, (case, response.text)
    assert "mcp-session-id" not in response.headers
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_oversized_bodies_get_413(http_port: int) -> None:
    big = {**INITIALIZE, "padding": "x" * BODY_LIMIT}
    assert post(http_port, AUTH, big).status_code == 413
    # no Content-Length: the body is counted as it streams in
    chunks = iter([json.dumps(big).encode()[i : i + 4096] for i in range(0, BODY_LIMIT + 8192, 4096)])
    streamed = httpx.post(
        f"http://127.0.0.1:{http_port}/mcp", headers={**JSON_RPC, **AUTH}, content=chunks, timeout=10
    )
    assert streamed.status_code == 413
    # without the token the body is never read: 401 first
    assert post(http_port, {}, big).status_code == 401


def test_the_token_opens_a_session(http_port: int) -> None:
    response = post(http_port, AUTH)
    assert response.status_code == 200
    assert response.headers["mcp-session-id"]
    assert "server" not in response.headers  # no software banner


def test_extra_allowed_host_and_origin_are_accepted(http_port: int) -> None:
    headers = {**AUTH, "Host": f"{EXTRA_HOST}:{http_port}", "Origin": EXTRA_ORIGIN}
    assert post(http_port, headers).status_code == 200
    loopback_origin = {**AUTH, "Origin": f"http://127.0.0.1:{http_port}"}
    assert post(http_port, loopback_origin).status_code == 200


async def test_good_client_keeps_working_between_refusals(http_port: int) -> None:
    async with authed_client(http_port) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert names[0] == "route_query" and "check_dns" in names
        before = await route(client)
        for _, headers, status in REFUSALS:
            assert post(http_port, headers).status_code == status
        assert post(http_port, AUTH, {**INITIALIZE, "padding": "x" * BODY_LIMIT}).status_code == 413
        after = await route(client)
        assert (before["intent"], before["path"]) == (after["intent"], after["path"])
        # a tool error (bad input) is an answer, not a broken session
        bad = await client.call_tool("check_dns", {"domain": "not a domain"})
        assert bad.is_error and "domain" in bad.content[0].text  # type: ignore[union-attr]
        assert (await route(client))["matched"] is True


async def test_an_oversized_call_is_refused_and_the_session_goes_on(http_port: int) -> None:
    from mcp.shared.exceptions import MCPError

    async with authed_client(http_port) as client:
        with pytest.raises(MCPError):
            await client.call_tool("route_query", {"query": "x" * (BODY_LIMIT + 1)})
        assert (await route(client))["matched"] is True


async def test_no_file_on_the_server_is_read_for_a_remote_caller(http_port: int) -> None:
    """Over HTTP a certificate path is refused whether the file exists or not: no oracle, no read."""
    async with authed_client(http_port) as client:
        for path in ("/etc/ssl/certs/ca-certificates.crt", "/nonexistent/x.pem", "~/.ssh/id_rsa.pem"):
            result = await client.call_tool(
                "plan_secure_setup", {"domain": "example.test", "certificate": path}
            )
            assert result.is_error
            text = result.content[0].text  # type: ignore[union-attr]
            assert "certificate" in text and "read only when the server runs locally" in text


async def test_a_session_is_no_way_around_the_token(http_port: int) -> None:
    opened = post(http_port, AUTH)
    session = opened.headers["mcp-session-id"]
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    headers = {"mcp-session-id": session, "mcp-protocol-version": "2025-06-18"}
    assert post(http_port, headers, listing).status_code == 401
    assert post(http_port, {**headers, "Authorization": "Bearer wrong"}, listing).status_code == 401


# --- SSE ------------------------------------------------------------------------------------------


def test_sse_stream_needs_the_token(sse_port: int) -> None:
    url = f"http://127.0.0.1:{sse_port}/sse"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    assert httpx.get(url, headers={**AUTH, "Origin": "http://evil.example"}, timeout=10).status_code == 403
    assert httpx.get(url, headers={**AUTH, "Host": "evil.example"}, timeout=10).status_code == 403


def test_sse_messages_need_the_token_and_a_small_body(sse_port: int) -> None:
    url = f"http://127.0.0.1:{sse_port}/messages/?session_id=00000000000000000000000000000000"
    small = json.dumps(INITIALIZE).encode()
    big = json.dumps({**INITIALIZE, "padding": "x" * BODY_LIMIT}).encode()
    assert httpx.post(url, content=small, timeout=10).status_code == 401
    assert httpx.post(url, headers=AUTH, content=big, timeout=10).status_code == 413
    assert (
        httpx.post(url, headers={**AUTH, "Origin": "http://evil.example"}, content=small).status_code == 403
    )


async def test_sse_client_with_the_token_works(sse_port: int) -> None:
    async with Client(sse_client(f"http://127.0.0.1:{sse_port}/sse", headers=AUTH)) as client:
        assert (await route(client))["matched"] is True
        assert httpx.get(f"http://127.0.0.1:{sse_port}/sse", timeout=10).status_code == 401
        assert (await route(client))["matched"] is True


# --- binding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transport", "host"), [("http", "0.0.0.0"), ("sse", "0.0.0.0"), ("http", "::"), ("http", "192.0.2.10")]
)
def test_non_loopback_bind_without_token_is_refused(transport: str, host: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIMAIL_MCP_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alimail_mcp",
            "serve",
            "--transport",
            transport,
            "--host",
            host,
            "--port",
            "1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "ALIMAIL_MCP_AUTH_TOKEN" in done.stderr and host in done.stderr
    assert done.stdout == ""


def test_bind_rules() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.0.2.1", "example.test", ""))
    with pytest.raises(InputError) as refused:
        check_bind("0.0.0.0", Settings())
    assert refused.value.field == "host"
    check_bind("0.0.0.0", Settings(auth_token="x"))  # allowed with a token
    check_bind("127.0.0.1", Settings())


def test_allow_lists() -> None:
    settings = Settings(allowed_hosts=("mail.example.test:*",), allowed_origins=("https://x.example.test",))
    hosts = allowed_hosts("127.0.0.1", 8000, settings)
    assert {"127.0.0.1:8000", "localhost:8000", "[::1]:8000", "mail.example.test:*"} <= set(hosts)
    assert "0.0.0.0:8000" not in allowed_hosts("0.0.0.0", 8000, settings)
    assert "192.0.2.5:8000" in allowed_hosts("192.0.2.5", 8000, settings)
    origins = allowed_origins("127.0.0.1", 8000, settings)
    assert "http://127.0.0.1:8000" in origins and "https://x.example.test" in origins
    assert not any("mail.example.test" in o for o in origins)
