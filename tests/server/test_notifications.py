"""What the server tells a client while it works (server/notify.py), completions (server/completions.py)
and the per-request answer mode of streamable HTTP (server/answer_modes.py), through the SDK's client
on the handshake protocol (2025-11-25), where logging/setLevel lives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp.client import Client
from mcp_types import LoggingMessageNotificationParams, PromptReference, ResourceTemplateReference

from alimail_mcp.dns.report import DnsChecks
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file
from tests.support.mcp_harness import http_server, stdio_params

pytestmark = pytest.mark.filterwarnings("ignore:The logging capability is deprecated")


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    with DnsTestServer() as dns:
        serve_world(dns, zone_file("good.test"))
        yield {"ALIMAIL_MCP_RESOLVERS": dns.address, "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(dns.port)}


async def _logging_progress_completion(target: Any) -> None:
    logs: list[LoggingMessageNotificationParams] = []

    async def on_log(params: LoggingMessageNotificationParams) -> None:
        logs.append(params)

    async with Client(target, logging_callback=on_log, mode="legacy") as client:
        caps = client.session.server_capabilities
        assert caps is not None and caps.logging is not None and caps.completions is not None
        assert (await client.set_logging_level("warning")).model_dump(exclude_none=True) == {}
        await client.call_tool("route_query", {"query": "MX record for Alibaba Mail"})
        await client.set_logging_level("debug")
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            progress.append((done, total, message))

        result = await client.call_tool("check_dns", {"domain": "good.test"}, progress_callback=on_progress)
        assert not result.is_error and (result.structured_content or {})["overall"] == "ok"
        checks = len(DnsChecks.model_fields)  # one step a check
        assert [p[0] for p in progress] == list(range(1, checks + 1)) and {p[1] for p in progress} == {checks}
        assert all(p[2] and p[2].endswith("checked") for p in progress)

        prompt = await client.complete(
            PromptReference(name="alimail-resolve-failure"), {"name": "path", "value": "D"}
        )
        assert prompt.completion.values == ["dns-authorization"]
        template = ResourceTemplateReference(uri="skill://alimail/path/{path}")
        every = await client.complete(template, {"name": "path", "value": ""})
        assert len(every.completion.values) == 12 and "client-config" in every.completion.values
        unknown = await client.complete(PromptReference(name="not_ours"), {"name": "arg1", "value": "t"})
        assert unknown.completion.values == []
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["skill://alimail/path/{path}"]
        document = await client.read_resource("skill://alimail/path/smime")
        assert "S/MIME" in document.contents[0].text  # type: ignore[union-attr]

    events = [(log.level, log.data["tool"], log.data["event"]) for log in logs]  # type: ignore[index]
    # at "warning" the route_query call said nothing; at "debug" check_dns said when it started and ended
    assert not any(tool == "route_query" for _, tool, _ in events)
    assert ("debug", "check_dns", "started") in events and ("info", "check_dns", "finished") in events


async def test_logging_progress_and_completion_over_stdio(env: dict[str, str]) -> None:
    await _logging_progress_completion(stdio_params(env))


@pytest.fixture(scope="module")
def port(env: dict[str, str]) -> Iterator[int]:
    with http_server("http", env) as (_, listening):
        yield listening


async def test_logging_progress_and_completion_over_streamable_http(port: int) -> None:
    await _logging_progress_completion(f"http://127.0.0.1:{port}/mcp")


def test_http_answers_json_unless_progress_is_asked(port: int) -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        info = {"name": "t", "version": "1"}
        params = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": info}
        opened = http.post(
            "/mcp",
            headers=headers,
            json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params},
        )
        assert opened.headers["content-type"].startswith("application/json")
        headers |= {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        http.post("/mcp", headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        call = {"name": "check_dns", "arguments": {"domain": "good.test"}}
        plain = http.post(
            "/mcp", headers=headers, json={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call}
        )
        assert plain.headers["content-type"].startswith("application/json")
        assert plain.json()["result"]["structuredContent"]["overall"] == "ok"
        asked = {**call, "_meta": {"progressToken": "p1"}}
        streamed = http.post(
            "/mcp", headers=headers, json={"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": asked}
        )
        assert streamed.headers["content-type"].startswith("text/event-stream")
        messages = [
            json.loads(line[5:])
            for line in streamed.text.splitlines()
            if line.startswith("data:") and line[5:].strip()
        ]
        methods = [m.get("method") for m in messages]
        assert methods.count("notifications/progress") == len(DnsChecks.model_fields)
        assert messages[-1]["id"] == 3
        assert messages[-1]["result"]["structuredContent"]["overall"] == "ok"
