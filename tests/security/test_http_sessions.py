"""Both HTTP transports cap the sessions they hold and close idle ones, against `alimail-mcp serve`.

Streamable HTTP uses the SDK's own limits; SSE, which has none, the server's (server/sse_streams.py).
A server here allows two sessions and closes them after two idle seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.mcp_harness import http_server

IDLE = 2.0
ENV = {"ALIMAIL_MCP_MAX_SESSIONS": "2", "ALIMAIL_MCP_SESSION_IDLE_TIMEOUT": str(IDLE)}
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}


@pytest.fixture
def http_port() -> Iterator[int]:
    with http_server("http", env=ENV) as (_, port):
        yield port


@pytest.fixture
def sse_port() -> Iterator[int]:
    with http_server("sse", env=ENV) as (_, port):
        yield port


def initialize(port: int) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{port}/mcp", headers=JSON_RPC, content=json.dumps(INITIALIZE), timeout=10
    )


def ping(port: int, session: str) -> httpx.Response:
    headers = {**JSON_RPC, "Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-06-18"}
    return httpx.post(f"http://127.0.0.1:{port}/mcp", headers=headers, content=json.dumps(PING), timeout=10)


def test_streamable_http_refuses_sessions_beyond_the_cap_and_closes_idle_ones(http_port: int) -> None:
    first, second = initialize(http_port), initialize(http_port)
    assert first.status_code == second.status_code == 200
    assert initialize(http_port).status_code == 503
    session = first.headers["mcp-session-id"]
    assert ping(http_port, session).status_code == 200
    time.sleep(IDLE + 1.5)
    assert ping(http_port, session).status_code == 404  # closed while idle, and its slot freed
    assert initialize(http_port).status_code == 200


@contextlib.asynccontextmanager
async def event_stream(client: httpx.AsyncClient, port: int) -> AsyncIterator[Stream]:
    """An open SSE stream, read up to the message endpoint it announces (and kept open)."""
    async with client.stream("GET", f"http://127.0.0.1:{port}/sse") as response:
        stream = Stream(response, response.aiter_lines())
        while response.status_code == 200 and not stream.endpoint:
            line = await anext(stream.lines)
            if line.startswith("data: /messages/"):
                stream.endpoint = line.removeprefix("data: ")
        yield stream


@dataclass
class Stream:
    response: httpx.Response
    lines: AsyncIterator[str]
    endpoint: str = ""

    @property
    def status(self) -> int:
        return self.response.status_code

    async def closes_within(self, seconds: float) -> bool:
        async def drain() -> None:
            async for _ in self.lines:
                pass

        try:
            await asyncio.wait_for(drain(), seconds)
        except TimeoutError:
            return False
        return True


async def test_sse_refuses_streams_beyond_the_cap_and_closes_idle_ones(sse_port: int) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as client:
        async with event_stream(client, sse_port) as busy, event_stream(client, sse_port) as idle:
            assert busy.status == idle.status == 200 and busy.endpoint
            async with event_stream(client, sse_port) as third:
                assert third.status == 503
            started = time.monotonic()
            while time.monotonic() - started < IDLE + 1.0:  # the busy session keeps posting
                posted = await client.post(f"http://127.0.0.1:{sse_port}{busy.endpoint}", json=PING)
                assert posted.status_code == 202
                await asyncio.sleep(0.25)
            assert await idle.closes_within(10), "an idle stream stays open"
            assert not await busy.closes_within(0.5), "a stream in use was closed"
        async with event_stream(client, sse_port) as again:
            assert again.status == 200  # the closed streams' slots are free again


def test_session_settings_are_read_and_checked() -> None:
    from alimail_mcp.config import Settings, load_settings
    from alimail_mcp.errors import InputError

    assert (Settings().max_sessions, Settings().session_idle_timeout) == (100, 300.0)
    read = load_settings({"ALIMAIL_MCP_MAX_SESSIONS": "7", "ALIMAIL_MCP_SESSION_IDLE_TIMEOUT": "90"})
    assert (read.max_sessions, read.session_idle_timeout) == (7, 90.0)
    for name, bad in [
        ("ALIMAIL_MCP_MAX_SESSIONS", "0"),
        ("ALIMAIL_MCP_MAX_SESSIONS", "many"),
        ("ALIMAIL_MCP_SESSION_IDLE_TIMEOUT", "0"),
        ("ALIMAIL_MCP_SESSION_IDLE_TIMEOUT", "inf"),
    ]:
        with pytest.raises(InputError) as refused:
            load_settings({name: bad})
        assert refused.value.field == name
