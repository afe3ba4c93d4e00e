"""Typed model of skills/webmail.yaml: finding texts and summaries for check_webmail."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.models import Finding, Severity

FILE = "webmail.yaml"
SKILL = "alimail/troubleshooting/alimail-service"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingText(_Strict):
    severity: Literal["error", "warning", "info", "ok"]
    title: str
    detail: str = ""
    fix: tuple[str, ...] = ()


class Summaries(_Strict):
    ok: str
    problems: str
    warnings: str


class WebmailKnowledge(_Strict):
    findings: dict[str, FindingText]
    summary: Summaries

    def finding(self, code: str, values: dict[str, Any], evidence: dict[str, Any] | None = None) -> Finding:
        spec = self.findings[code]
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


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@cache
def load_webmail() -> WebmailKnowledge:
    path = skills_dir() / FILE
    return validate(WebmailKnowledge, read_yaml(path), path)
