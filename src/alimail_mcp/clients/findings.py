"""Findings from the texts in skills/clients.yaml: one place turns a code and values into a Finding."""

from __future__ import annotations

from typing import Any

from alimail_mcp.clients.knowledge import ClientsKnowledge
from alimail_mcp.models import Finding, Severity

SKILL = "alimail/guide/alimail-configuration"


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def make(
    kb: ClientsKnowledge, code: str, values: dict[str, Any], evidence: dict[str, Any] | None = None
) -> Finding:
    spec = kb.findings[code]
    fill = _Blank(values)
    return Finding(
        code=code,
        severity=Severity(spec.severity),
        title=spec.title.format_map(fill),
        detail=spec.detail.format_map(fill),
        evidence=evidence or {},
        fix=[f.format_map(fill) for f in spec.fix],
        skill=SKILL,
    )


def listing(items: list[str]) -> str:
    """`a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
