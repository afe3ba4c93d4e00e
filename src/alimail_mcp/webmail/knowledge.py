"""Typed model of skills/webmail.yaml: finding texts and summaries for check_webmail."""

from __future__ import annotations

from typing import Any

from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.finding_text import FindingText, blank
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import Finding

FILE = "webmail.yaml"
SKILL = "alimail/troubleshooting/alimail-service"


class Summaries(StrictModel):
    ok: str
    problems: str
    warnings: str


class WebmailKnowledge(StrictModel):
    findings: dict[str, FindingText]
    summary: Summaries

    def finding(self, code: str, values: dict[str, Any], evidence: dict[str, Any] | None = None) -> Finding:
        return self.findings[code].to_finding(code, values, skill=SKILL, evidence=evidence, fill=blank)


@compiled("webmail")
def load_webmail() -> WebmailKnowledge:
    path = skills_dir() / FILE
    return validate(WebmailKnowledge, read_yaml(path), path)
