"""A finding's words as the knowledge base holds them, and how they become a `Finding`.

Engines keep their finding texts in their skills/*.yaml file under `findings: {code: ...}`; the
values an engine computed are filled in with `render` (an unknown `{name}` stays as written) or,
where a text has optional parts, `blank` (an unknown `{name}` becomes empty).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import Finding, Severity

Filler = Callable[[str, Mapping[str, Any]], str]


def blank(text: str, values: Mapping[str, Any]) -> str:
    """`str.format_map` where a name without a value reads as empty."""
    return text.format_map(_Blank(values))


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


class FindingText(StrictModel):
    severity: Literal["error", "warning", "info", "ok"]
    title: str
    detail: str = ""
    fix: tuple[str, ...] = ()

    def to_finding(
        self,
        code: str,
        values: Mapping[str, Any],
        *,
        skill: str,
        evidence: dict[str, Any] | None = None,
        needs_admin: bool = False,
        fill: Filler = render,
    ) -> Finding:
        return Finding(
            code=code,
            severity=Severity(self.severity),
            title=fill(self.title, values),
            detail=fill(self.detail, values),
            evidence=evidence or {},
            fix=[fill(step, values) for step in self.fix],
            skill=skill,
            needs_admin=needs_admin,
        )
