"""The domain authentication steps from a check_dns result: SPF, then DKIM, then DMARC in three stages.

Each step says whether it is done, to do now, to fix now, or due later (DMARC's stages, dated from
`today` by the stage lengths of provider.yaml), with the records and exact DNS changes it involves.
"""

from __future__ import annotations

from datetime import date

from alimail_mcp.dmarc_reports.models import PolicyReadiness
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding
from alimail_mcp.secure_setup.dmarc_stages import dmarc_steps
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge
from alimail_mcp.secure_setup.models import PlanStep, StepStatus
from alimail_mcp.secure_setup.stepping import ACTIONABLE, bound, codes_of, make_step


def authentication_steps(
    audit: DnsAuditResult,
    kb: SecureSetupKnowledge,
    provider: Provider,
    today: date,
    readiness: PolicyReadiness | None = None,
) -> list[PlanStep]:
    """`readiness`: what the domain's aggregate reports say about the next DMARC stage, when given."""
    zone = audit.checks.dmarc.organizational_domain or audit.domain
    steps = [_spf(audit, kb, provider, zone), _dkim(audit, kb, provider)]
    steps += dmarc_steps(audit, kb, provider, zone, today, readiness)
    for order, step in enumerate(steps, 1):
        step.order = order
    return steps


def _status(findings: list[Finding], unreachable: bool, missing_code: str) -> StepStatus:
    actionable = [f for f in findings if f.severity.value in ACTIONABLE and not f.code.startswith("dns.")]
    if any(f.code == missing_code for f in actionable):
        return "to-do"
    if actionable:
        return "fix"
    return "unknown" if unreachable else "done"


# --- SPF ------------------------------------------------------------------------------------------


def _spf(audit: DnsAuditResult, kb: SecureSetupKnowledge, provider: Provider, zone: str) -> PlanStep:
    spf = audit.checks.spf
    status = _status(spf.findings, spf.status == "unreachable", "spf.missing")
    if status == "done" and not spf.authorizes_alimail:
        status = "fix"
    step = make_step("spf", status, kb, {"domain": zone})
    step.resolves = codes_of(spf.findings)
    step.dns_changes = [c for c in audit.dns_changes if c.reason.startswith("spf.")]
    if status in ("to-do", "fix"):
        target = spf.recommended_record or provider.spf.recommended_record
        action = "add" if status == "to-do" else "replace"
        step.records = [DnsChange(action=action, type="TXT", host="@", value=target, old_value=spf.record)]
    step.propagation = bound("spf", kb, provider, audit)
    return step


# --- DKIM -----------------------------------------------------------------------------------------


def _dkim(audit: DnsAuditResult, kb: SecureSetupKnowledge, provider: Provider) -> PlanStep:
    dkim = audit.checks.dkim
    good = [k for k in dkim.keys if k.valid and not k.revoked]
    status: StepStatus
    if good:
        status = "fix" if any(f.code == "dkim.weak-key" for f in dkim.findings) else "done"
    elif dkim.status == "unreachable" or any(k.found is None for k in dkim.keys):
        status = "unknown"
    else:
        status = "fix" if any(k.found for k in dkim.keys) else "to-do"
    values: dict[str, object] = {}
    if good:
        values = {"selector": good[0].selector, "bits": good[0].key_bits or "?"}
    step = make_step("dkim", status, kb, values)
    step.resolves = codes_of(dkim.findings) or [f.code for f in dkim.findings if f.code == "dkim.missing"]
    if status in ("to-do", "fix"):
        # The console names the selector of a new key, so the record is a template until then.
        step.records = [
            DnsChange(action="add", type="TXT", host=kb.dkim_record.host, value=kb.dkim_record.value)
        ]
    if status == "to-do" and not dkim.selectors_given:
        step.condition = kb.dkim_record.common_selectors_only
    step.propagation = bound("auth", kb, provider, audit)
    return step
