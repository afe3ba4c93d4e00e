"""The tool catalog that answers tools/list at start-up must be exactly what the tools register."""

from __future__ import annotations

import json
import subprocess
import sys

from alimail_mcp.server import tool_catalog, write_catalog


def test_catalog_matches_the_registered_tools() -> None:
    fresh = write_catalog.render(write_catalog.generate())
    stored = tool_catalog.PATH.read_text(encoding="utf-8")
    assert stored == fresh, "tool_catalog.json is stale: run `python -m alimail_mcp.server.write_catalog`"


def test_catalog_reads_back_as_tools() -> None:
    tools = tool_catalog.read()
    assert tools is not None
    assert [t.name for t in tools] == [e["name"] for e in json.loads(tool_catalog.PATH.read_text("utf-8"))]


def test_listing_tools_loads_no_engine() -> None:
    """tools/list at start-up touches neither the engine, nor dnspython/httpx, nor the knowledge base."""
    code = (
        "import asyncio, sys\n"
        "from alimail_mcp.server.app import build_server\n"
        "tools = asyncio.run(build_server().list_tools())\n"
        "heavy = [m for m in ('alimail_mcp.server.tools', 'alimail_mcp.knowledge.loader',"
        " 'dns.asyncresolver', 'httpx', 'yaml', 'alimail_mcp.dns.report') if m in sys.modules]\n"
        "print(len(tools), heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    count, heavy = out.stdout.strip().split(" ", 1)
    assert int(count) >= 5
    assert heavy == "[]"
