"""The tool catalog: the `tools/list` answer, kept in tool_catalog.json beside this module.

lazy.LazyServer answers `tools/list` from it so that start-up does not build the tools' pydantic
schemas. The file is generated from the real registrations by `python -m
alimail_mcp.server.write_catalog`, and a test fails when it no longer matches them.
"""

from __future__ import annotations

import json
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
