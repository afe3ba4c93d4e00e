"""Regenerate tool_catalog.json from the fully registered server.

Run `python -m alimail_mcp.server.write_catalog`.

Kept apart from tool_catalog.py, which the server reads at start-up: only this module needs the
whole server, so reading the catalog never imports what writes it.
"""

from __future__ import annotations

import asyncio
import json
import sys

from alimail_mcp.server.app import build_server
from alimail_mcp.server.tool_catalog import PATH


def generate() -> list[dict[str, object]]:
    """The tool definitions exactly as the fully registered server lists them."""
    server = build_server()
    server.register_now("tools")
    tools = asyncio.run(server.list_tools())
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]


def render(entries: list[dict[str, object]]) -> str:
    return json.dumps(entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> int:
    PATH.write_text(render(generate()), encoding="utf-8")
    sys.stderr.write(f"wrote {PATH}\n")  # stdout stays clean, as everywhere in the package
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
