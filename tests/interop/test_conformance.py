"""The official MCP conformance suite (@modelcontextprotocol/conformance, Node >= 22) against
`alimail-mcp serve --transport http`: the server scenarios this server is expected to pass.

Opt-in (marker `interop`, ALIMAIL_MCP_INTEROP=1) and offline: the suite and Node 22 come from the folder
tests/support/node_tools.py names; without them the test skips with the install command. Scenarios the
suite runs against its own fixture tools and resources (test_image, test://static-text ...) do not
apply to this server and are not listed.
"""

from __future__ import annotations

import pytest

from tests.support import node_tools
from tests.support.mcp_harness import http_server

pytestmark = pytest.mark.interop

SCENARIOS = (
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "tools-call-error",
    "dns-rebinding-protection",
    "logging-set-level",
    "completion-complete",
)


def test_the_conformance_scenarios_pass() -> None:
    if node_tools.tool("conformance") is None:
        pytest.skip(f"conformance suite or Node 22 not installed: {node_tools.INSTALL_HINT}")
    failed: dict[str, str] = {}
    with http_server("http") as (_, port):
        url = f"http://127.0.0.1:{port}/mcp"
        for scenario in SCENARIOS:
            done = node_tools.run("conformance", ["server", "--url", url, "--scenario", scenario])
            if done.returncode != 0 or " 0 failed" not in done.stdout:
                failed[scenario] = (done.stdout + done.stderr)[-600:]
    assert not failed, failed
