"""Typed model of skills/secure_setup.yaml, provider values filled in; `render` fills run-time values."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree, provider_facts
from alimail_mcp.knowledge.finding_text import FindingText
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import Finding, PathId
from alimail_mcp.secure_setup.args import GoalId
from alimail_mcp.secure_setup.models import EditionId, StepId

FILE = "secure_setup.yaml"
SKILL_SECURITY = "alimail/guide/alimail-security"
SKILL_CONFIGURATION = "alimail/guide/alimail-configuration"


class Edition(StrictModel):
    id: EditionId
    label: str
    aliases: tuple[str, ...] = Field(min_length=1)
    smime: bool


class Goal(StrictModel):
    id: GoalId
    path: PathId
    label: str


class Propagation(StrictModel):
    spf: str
    auth: str
    pending: str


class StepText(StrictModel):
    title: str
    where: Literal["dns", "admin-console"]
    why: str
    done: str
    todo: tuple[str, ...] = Field(min_length=1)
    fix: tuple[str, ...] = ()


class DkimRecord(StrictModel):
    host: str
    value: str
    common_selectors_only: str


class DmarcCondition(StrictModel):
    started: str
    ready: str
    ready_action: str
    blocked: str
    blocked_action: str
    after: str


class RequirementText(StrictModel):
    id: Literal["edition", "admin-enabled", "pkcs12", "certificate-limit", "certificate"]
    text: str


class Thresholds(StrictModel):
    expiring_days: int = Field(ge=1)
    min_rsa_bits: int = Field(ge=512)
    min_ec_bits: int = Field(ge=128)


class Smime(StrictModel):
    requirements: tuple[RequirementText, ...]
    steps: tuple[str, ...]
    thresholds: Thresholds
    findings: dict[str, FindingText]


class FilterText(StrictModel):
    name: str
    what: str
    cost: str
    advice: str


class SenderFilters(StrictModel):
    strict_mode: FilterText
    permanently_delete_spam: FilterText
    whitelist_first: tuple[str, ...]
    own_senders: str
    order: tuple[str, ...]
    entry_rules: tuple[str, ...]


class Summaries(StrictModel):
    dns_ok: str
    dns_staged: str
    dns_todo: str
    dns_unknown: str
    dns_resolver: str
    dmarc_dates: str
    dmarc_reject_date: str
    dmarc_ready: str
    dmarc_blocked: str
    smime_ok: str
    smime_cert_problems: str
    smime_not_eligible: str
    smime_unknown: str
    filters: str
    step_now: str
    step_later: str
    step_unknown: str
    other_dns: str


class SecureSetupKnowledge(StrictModel):
    editions: tuple[Edition, ...] = Field(min_length=1)
    goals: tuple[Goal, ...] = Field(min_length=1)
    propagation: Propagation
    steps: dict[StepId, StepText]
    dkim_record: DkimRecord
    dmarc_condition: DmarcCondition
    smime: Smime
    sender_filters: SenderFilters
    summary: Summaries

    def smime_finding(self, code: str, evidence: dict[str, Any] | None = None, **values: object) -> Finding:
        return self.smime.findings[code].to_finding(
            code,
            values,
            skill=SKILL_SECURITY,
            evidence=evidence,
            needs_admin=code.startswith("smime.edition"),
        )


@compiled("secure_setup")
def load_secure_setup() -> SecureSetupKnowledge:
    path = skills_dir() / FILE
    data = fill_tree(read_yaml(path), provider_facts(load_provider()), FILE)
    model = validate(SecureSetupKnowledge, data, path)
    missing = {"spf", "dkim", "dmarc-none", "dmarc-quarantine", "dmarc-reject"} - set(model.steps)
    if missing:
        raise KnowledgeError(FILE, f"field steps: missing {', '.join(sorted(missing))}")
    return model
