"""The MCP surface through the SDK's real client: over stdio (spawned process), streamable HTTP and SSE."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.client import Client
from mcp.client.sse import sse_client

from alimail_mcp.server.tools import TOOLS
from tests.support.mcp_harness import http_server, stdio_params

EXPECTED_TOOLS_FIRST = "route_query"
EXPECTED_TOOLS = [row.name for row in TOOLS]
"""Every row of the tool table, in its order (route_query ... analyze_dmarc_reports)."""


async def _exercise(client: Client) -> None:
    tools = (await client.list_tools()).tools
    names = [t.name for t in tools]
    assert names[0] == EXPECTED_TOOLS_FIRST
    assert names == EXPECTED_TOOLS and "analyze_dmarc_reports" in names
    assert len(names) == len(set(names))
    for tool in tools:
        assert tool.output_schema and tool.output_schema.get("type") == "object", tool.name
        ann = tool.annotations
        assert ann is not None, tool.name
        assert ann.read_only_hint is True, tool.name
        assert ann.destructive_hint is False, tool.name
        assert ann.idempotent_hint is not None and ann.open_world_hint is not None, tool.name
        assert tool.description, tool.name
    # a second listing comes back in the same order
    assert [t.name for t in (await client.list_tools(cache_mode="bypass")).tools] == names

    en = await client.call_tool(
        "route_query", {"query": "Outlook says my password is wrong but webmail works"}
    )
    assert not en.is_error
    data: dict[str, Any] = en.structured_content or {}
    assert data["matched"] is True
    assert (data["intent"], data["path"]) == ("resolve-failure", "client-config")
    assert data["skill"] == "alimail/guide/alimail-configuration"
    assert data["summary"]

    zh = await client.call_tool("route_query", {"query": "密码错误次数过多，账号被锁定了，多久能解锁？"})
    zdata = zh.structured_content or {}
    assert (zdata["intent"], zdata["path"]) == ("recover-access", "unlock-account")

    off = await client.call_tool("route_query", {"query": "How long should I boil an egg?"})
    assert (off.structured_content or {})["matched"] is False

    resources = (await client.list_resources()).resources
    uris = {str(r.uri) for r in resources}
    assert "skill://alimail/alimail-resolve-failure" in uris
    assert "skill://alimail/troubleshooting/alimail-email-delivery" in uris
    assert "skill://alimail/provider" in uris
    body = await client.read_resource("skill://alimail/troubleshooting/alimail-email-delivery")
    text = body.contents[0].text  # type: ignore[union-attr]
    assert "SPF" in text

    prompts = (await client.list_prompts()).prompts
    assert len(prompts) == 4
    first = prompts[0]
    got = await client.get_prompt(first.name, {"situation": "我们的邮件发不出去"})
    assert got.messages and "我们的邮件发不出去" in got.messages[0].content.text  # type: ignore[union-attr]


async def _bad_inputs_keep_serving(client: Client) -> None:
    empty = await client.call_tool("route_query", {"query": ""})
    assert empty.is_error
    assert "query" in empty.content[0].text  # type: ignore[union-attr]
    ok = await client.call_tool("route_query", {"query": "MX record for Alibaba Mail"})
    assert not ok.is_error


async def test_stdio_surface() -> None:
    async with Client(stdio_params()) as client:
        assert client.instructions and "route_query" in client.instructions
        await _exercise(client)
        await _bad_inputs_keep_serving(client)
        huge = await client.call_tool("route_query", {"query": "x" * 10_000_000})
        assert huge.is_error
        assert "4000" in huge.content[0].text  # type: ignore[union-attr]
        again = await client.call_tool("route_query", {"query": "忘记密码怎么办"})
        assert not again.is_error


async def test_streamable_http_surface() -> None:
    with http_server("http") as (_, port):
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            await _exercise(client)
            await _bad_inputs_keep_serving(client)


async def test_sse_starts_and_lists_tools() -> None:
    with http_server("sse") as (_, port):
        async with Client(sse_client(f"http://127.0.0.1:{port}/sse")) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            assert names == EXPECTED_TOOLS
            result = await client.call_tool("route_query", {"query": "ESO_LOCAL_SPAM"})
            assert not result.is_error


def test_no_banner_on_stdout() -> None:
    """Nothing but protocol messages on stdout: a server given no input prints nothing."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "alimail_mcp", "serve"], input=b"", capture_output=True, timeout=30
    )
    assert done.stdout == b""


@pytest.mark.parametrize("argv", [["--version"], ["serve", "--help"]])
def test_cli_entry_points(argv: list[str]) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "alimail_mcp", *argv], capture_output=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout.strip()


@pytest.mark.parametrize(("transport", "path"), [("http", "/mcp"), ("sse", "/sse")])
def test_serve_says_where_it_listens_in_one_line_on_stderr(transport: str, path: str) -> None:
    with http_server(transport) as (proc, port):
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
    assert line.startswith("alimail-mcp: serving ") and f"http://127.0.0.1:{port}{path}" in line
