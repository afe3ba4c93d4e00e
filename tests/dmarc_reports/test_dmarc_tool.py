"""analyze_dmarc_reports through the MCP server (in process, the SDK's own client): its listing, a call
with a report email and a compressed report, an unsafe item beside them, and bad input."""

from __future__ import annotations

import dataclasses

from mcp.client import Client

from alimail_mcp.server.app import build_server
from tests.conftest import settings_for
from tests.support.dmarc_reports import Row, b64, gz, report_email, report_xml
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file

BOMB = '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feedback>&a;</feedback>'


async def test_the_tool_through_the_server(dns_server: DnsTestServer) -> None:
    serve_world(dns_server, zone_file("good.test"))
    settings = dataclasses.replace(settings_for(dns_server), authoritative_port=dns_server.port)
    first = report_xml("good.test", [Row("203.0.113.5", 30), Row("192.0.2.9", 2, "fail", "fail")])
    second = report_xml("good.test", [Row("203.0.113.5", 12)], org="other.test", report_id="x")
    async with Client(build_server(settings)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        hints = tools["analyze_dmarc_reports"].annotations
        assert hints is not None
        assert (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint,
        ) == (
            True,
            False,
            True,
            True,
        )
        assert "reports" in tools["analyze_dmarc_reports"].input_schema["required"]
        arguments = {"reports": [report_email({"a.xml.gz": gz(first)}).decode(), b64(gz(second)), BOMB]}
        result = await client.call_tool("analyze_dmarc_reports", arguments)
        assert not result.is_error
        data = result.structured_content or {}
        assert data["totals"]["messages"] == 44 and data["totals"]["reports"] == 2
        assert data["sources"][0] == {
            **data["sources"][0],
            "source_ip": "203.0.113.5",
            "messages": 42,
            "sender": "alibaba-mail",
            "reports": 2,
        }
        assert data["errors"] == [
            {"source": "reports[2]", "error": data["errors"][0]["error"], "refused": True}
        ]
        assert data["policy_readiness"]["ready"] is True and data["policy_readiness"]["next"] == "quarantine"
        bad = await client.call_tool("analyze_dmarc_reports", {"reports": []})
        assert bad.is_error and "reports" in " ".join(getattr(c, "text", "") for c in bad.content)
        plan = await client.call_tool(
            "plan_secure_setup", {"domain": "good.test", "goals": ["anti-spoofing"], "reports": [first]}
        )
        assert not plan.is_error
        steps = {s["id"]: s["status"] for s in (plan.structured_content or {})["authentication_steps"]}
        assert steps["dmarc-reject"] == "to-do"
