"""Findings from the texts in skills/clients.yaml: one place turns a code and values into a Finding."""

from __future__ import annotations

from typing import Any

from alimail_mcp.clients.knowledge import ClientsKnowledge
from alimail_mcp.knowledge.finding_text import blank
from alimail_mcp.models import Finding

SKILL = "alimail/guide/alimail-configuration"


def make(
    kb: ClientsKnowledge, code: str, values: dict[str, Any], evidence: dict[str, Any] | None = None
) -> Finding:
    return kb.findings[code].to_finding(code, values, skill=SKILL, evidence=evidence, fill=blank)


def listing(items: list[str]) -> str:
    """`a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
