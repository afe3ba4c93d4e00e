"""The `tag=value; tag=value` syntax DKIM key records (RFC 6376 3.2) and DMARC records share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alimail_mcp.dns.finding import problem

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass
class TagList:
    tags: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Syntax problems in our own words (skills/dns.yaml, `problems`; never the record's text)."""


def parse_tags(text: str) -> TagList:
    """Split a tag-list; names are kept as written, values stripped; problems listed, never raised."""
    out = TagList()
    for raw in text.split(";"):
        spec = raw.strip()
        if not spec:
            continue
        name, eq, value = spec.partition("=")
        name = name.strip()
        if not eq or not _TAG_NAME.match(name):
            out.problems.append(problem("tags.not-tag-value", length=len(spec)))
            continue
        if name in out.tags:
            out.problems.append(problem("tags.repeated"))
            continue
        out.tags[name] = value.strip()
        out.order.append(name)
    return out
