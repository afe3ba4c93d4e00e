"""Typed model of skills/headers.yaml, with provider values filled in and host patterns compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree, provider_facts
from alimail_mcp.knowledge.finding_text import FindingText
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import Finding

FILE = "headers.yaml"
SpamKind = Literal[
    "spamassassin",
    "flag",
    "score",
    "stars",
    "rspamd",
    "action",
    "forefront",
    "scl",
    "bcl",
    "alimail",
    "proofpoint",
]


class Limits(StrictModel):
    max_chars: int = Field(ge=1024)
    max_fields: int = Field(ge=10)
    max_hops: int = Field(ge=1)


class Delays(StrictModel):
    notable_minutes: int = Field(ge=1)
    long_minutes: int = Field(ge=1)
    skew_minutes: int = Field(ge=0)


class SpamHeader(StrictModel):
    header: str
    system: str
    kind: SpamKind
    threshold: float | None = None


class Meanings(StrictModel):
    flagged: str
    clean: str
    unknown: str
    scl: str
    bcl: str
    alimail: str


class SfvCode(StrictModel):
    flagged: bool | None
    meaning: str


class HeadersModel(StrictModel):
    limits: Limits
    delays: Delays
    alibaba_hosts: tuple[str, ...]
    auth: dict[str, dict[str, str] | str]
    spam_headers: tuple[SpamHeader, ...]
    meanings: Meanings
    microsoft_sfv: dict[str, SfvCode]
    microsoft_cat: dict[str, str]
    findings: dict[str, FindingText]


@dataclass(frozen=True)
class HeaderKnowledge:
    model: HeadersModel
    alibaba: tuple[re.Pattern[str], ...]
    spam: dict[str, SpamHeader]

    def meaning(self, method: str, result: str) -> str:
        table = self.model.auth.get(method)
        unknown = str(self.model.auth.get("unknown", ""))
        if isinstance(table, dict):
            return table.get(result, unknown)
        return unknown

    def finding(self, code: str, evidence: dict[str, Any], **values: object) -> Finding:
        skill = (
            "alimail/troubleshooting/alimail-email-delivery"
            if code in ("headers.hop-delayed", "headers.no-received", "headers.foreign-mx")
            else "alimail/troubleshooting/alimail-security"
        )
        return self.model.findings[code].to_finding(code, values, skill=skill, evidence=evidence)


@compiled("headers")
def load_headers() -> HeaderKnowledge:
    path = skills_dir() / FILE
    facts = provider_facts(load_provider())
    data = fill_tree(read_yaml(path), facts, FILE)
    model = validate(HeadersModel, data, path)
    try:
        alibaba = tuple(re.compile(p, re.IGNORECASE) for p in model.alibaba_hosts)
    except re.error as exc:
        raise KnowledgeError(FILE, f"alibaba_hosts: not a regular expression: {exc}") from None
    return HeaderKnowledge(model, alibaba, {h.header: h for h in model.spam_headers})
