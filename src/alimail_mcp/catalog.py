"""The tool catalog: the `tools/list` answer, generated from the real registrations into a JSON file.

lazy_server.LazyServer answers `tools/list` from it so that start-up does not build eight pydantic
schemas. tests/test_catalog.py fails when the file no longer matches the registrations; refresh it
with `python -m alimail_mcp.catalog`.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

from mcp_types import Tool

PATH = Path(__file__).with_name("tool_catalog.json")


@cache
def read() -> list[Tool] | None:
    """The catalogued tools, or None when the file is missing or unreadable (then tools register now)."""
    try:
        entries = json.loads(PATH.read_text(encoding="utf-8"))
        return [Tool.model_validate(entry) for entry in entries]
    except (OSError, ValueError):
        return None


def generate() -> list[dict[str, object]]:
    """The tool definitions exactly as the fully registered server lists them."""
    import asyncio

    from alimail_mcp.server import build_server

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
