"""Typed model of skills/dmarc_reports.yaml, provider values filled in; `render` fills run-time values."""

from __future__ import annotations

from typing import Any

from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree, provider_facts
from alimail_mcp.knowledge.finding_text import FindingText
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import Finding

FILE = "dmarc_reports.yaml"
SKILL = "alimail/guide/alimail-configuration"
"""configure-communication / dns-auth: DMARC is set up, and moved on, there."""


class AlibabaBlocker(StrictModel):
    problem: str
    spf: str
    spf_now: str
    dkim: str


class PlainBlocker(StrictModel):
    problem: str
    fix: tuple[str, ...]


class ThirdPartyBlocker(StrictModel):
    problem: str
    seen: str
    dkim: str
    spf: str
    stop: str


class BlockerTexts(StrictModel):
    alibaba_mail: AlibabaBlocker
    authorized: PlainBlocker
    third_party: ThirdPartyBlocker
    unverified: PlainBlocker


class Summaries(StrictModel):
    read: str
    senders: str
    ready: str
    not_ready: str
    at_reject: str
    no_policy: str
    nothing: str


class NextSteps(StrictModel):
    ready: str
    fix_first: str
    at_reject: str
    resend: str
    other_domain: str


class DmarcReportsKnowledge(StrictModel):
    findings: dict[str, FindingText]
    blockers: BlockerTexts
    summary: Summaries
    next_steps: NextSteps

    def finding(self, code: str, evidence: dict[str, Any] | None = None, **values: object) -> Finding:
        return self.findings[code].to_finding(code, values, skill=SKILL, evidence=evidence)


@compiled("dmarc_reports")
def load_dmarc_reports() -> DmarcReportsKnowledge:
    path = skills_dir() / FILE
    data = fill_tree(read_yaml(path), provider_facts(load_provider()), FILE)
    return validate(DmarcReportsKnowledge, data, path)
