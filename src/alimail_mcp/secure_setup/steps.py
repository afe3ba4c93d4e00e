"""The domain authentication steps from a check_dns result: SPF, then DKIM, then DMARC in three stages.

Each step says whether it is done, to do now, to fix now, or due later (DMARC's stages, dated from
`today` by the stage lengths of provider.yaml), with the records and exact DNS changes it involves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from alimail_mcp.dns.models import DmarcCheck, PlannedChange
from alimail_mcp.dns.names import relative_host
from alimail_mcp.dns.plan import planned
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge, render
from alimail_mcp.secure_setup.models import PlanStep, PropagationBound, StepId, StepStatus

_ACTIONABLE = ("error", "warning")
_STRICTER = {"none": 0, "quarantine": 1, "reject": 2}


def authentication_steps(
    audit: DnsAuditResult, kb: SecureSetupKnowledge, provider: Provider, today: date
) -> list[PlanStep]:
    zone = _zone(audit)
    steps = [_spf(audit, kb, provider, zone), _dkim(audit, kb, provider)]
    steps += _dmarc(audit, kb, provider, zone, today)
    for order, step in enumerate(steps, 1):
        step.order = order
    return steps


def _zone(audit: DnsAuditResult) -> str:
    return audit.checks.dmarc.organizational_domain or audit.domain


def _step(
    step_id: StepId,
    status: StepStatus,
    kb: SecureSetupKnowledge,
    values: Mapping[str, object],
    *,
    actions: list[str] | None = None,
) -> PlanStep:
    text = kb.steps[step_id]
    if actions is None:
        actions = (
            []
            if status in ("done", "unknown")
            else list(text.fix if status == "fix" and text.fix else text.todo)
        )
    why = text.why if status != "done" else f"{text.done} {text.why}"
    return PlanStep(
        order=0,
        id=step_id,
        title=text.title,
        status=status,
        where=text.where,
        why=render(why, values),
        actions=[render(a, values) for a in actions],
    )


def _status(findings: list[Finding], unreachable: bool, missing_code: str) -> StepStatus:
    actionable = [f for f in findings if f.severity.value in _ACTIONABLE and not f.code.startswith("dns.")]
    if any(f.code == missing_code for f in actionable):
        return "to-do"
    if actionable:
        return "fix"
    return "unknown" if unreachable else "done"


def bound(kind: str, kb: SecureSetupKnowledge, provider: Provider, audit: DnsAuditResult) -> PropagationBound:
    limits = provider.limits.propagation
    pending = audit.propagation.max_wait_s if audit.propagation and audit.propagation.differences else None
    text = kb.propagation.spf if kind == "spf" else kb.propagation.auth
    if pending:
        text += " " + render(kb.propagation.pending, {"minutes": max(1, round(pending / 60))})
    return PropagationBound(
        typical_minutes=list(limits.seed_spf_mx_minutes) if kind == "spf" else None,
        seed_hours=limits.seed_auth_records_hours,
        official_max_hours=limits.official_max_hours,
        pending_wait_s=pending,
        text=text,
    )


# --- SPF ------------------------------------------------------------------------------------------


def _spf(audit: DnsAuditResult, kb: SecureSetupKnowledge, provider: Provider, zone: str) -> PlanStep:
    spf = audit.checks.spf
    status = _status(spf.findings, spf.status == "unreachable", "spf.missing")
    if status == "done" and not spf.authorizes_alimail:
        status = "fix"
    step = _step("spf", status, kb, {"domain": zone})
    step.resolves = _codes(spf.findings)
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
    step = _step("dkim", status, kb, values)
    step.resolves = _codes(dkim.findings) or [f.code for f in dkim.findings if f.code == "dkim.missing"]
    if status in ("to-do", "fix"):
        # The console names the selector of a new key, so the record is a template until then.
        step.records = [
            DnsChange(action="add", type="TXT", host=kb.dkim_record.host, value=kb.dkim_record.value)
        ]
    if status == "to-do" and not dkim.selectors_given:
        step.condition = kb.dkim_record.common_selectors_only
    step.propagation = bound("auth", kb, provider, audit)
    return step


# --- DMARC ----------------------------------------------------------------------------------------


def _dmarc(
    audit: DnsAuditResult, kb: SecureSetupKnowledge, provider: Provider, zone: str, today: date
) -> list[PlanStep]:
    dmarc = audit.checks.dmarc
    days_none = provider.dmarc.days_at_none
    days_quarantine = provider.dmarc.days_at_quarantine
    quarantine_on = today + timedelta(days=days_none)
    reject_on = quarantine_on + timedelta(days=days_quarantine)
    values = {"domain": zone}
    propagation = bound("auth", kb, provider, audit)
    codes = _codes(dmarc.findings)

    if dmarc.status == "unreachable":
        steps = [_step(s, "unknown", kb, values) for s in ("dmarc-none", "dmarc-quarantine", "dmarc-reject")]
        for s in steps:
            s.propagation = propagation
        return steps

    policy = dmarc.policy if dmarc.record_domain else None
    broken = "dmarc.invalid" in codes and policy is None
    has_reports = bool(dmarc.tags.get("rua"))
    level = _STRICTER.get(policy or "", -1)
    host = _dmarc_host(audit, dmarc)
    current = dmarc.records[0] if dmarc.records else None

    first = _step(
        "dmarc-none", "to-do" if policy is None and not broken else "fix" if broken else "done", kb, values
    )
    if policy is None:
        first.dns_changes = [c for c in audit.dns_changes if c.reason == "dmarc.missing"]
        value = provider.dmarc.starter_record.format(domain=zone)
        action = "replace" if broken else "add"
        first.records = [DnsChange(action=action, type="TXT", host=host, value=value, old_value=current)]
        if broken and current is not None:
            first.dns_changes = [_planned(action, host, value, current, "dmarc.invalid", audit, zone)]
        quarantine_status: StepStatus = "later"
    else:
        if policy == "none" and not has_reports:
            first = _step("dmarc-none", "fix", kb, values)
            value = _with_reports(dmarc, zone)
            first.records = [
                DnsChange(action="replace", type="TXT", host=host, value=value, old_value=current)
            ]
            first.dns_changes = [_planned("replace", host, value, current, "dmarc.policy-none", audit, zone)]
        quarantine_status = "done" if level >= 1 else "later"
    first.resolves = [c for c in codes if c in ("dmarc.missing", "dmarc.invalid", "dmarc.policy-none")]
    first.propagation = propagation
    first.not_before = today.isoformat() if first.status in ("to-do", "fix") else None

    second = _step(
        "dmarc-quarantine", quarantine_status, kb, {**values, "date": quarantine_on, "days": days_none}
    )
    third_status: StepStatus = "done" if level >= 2 else "later"
    if level >= 1 and third_status == "later":
        reject_on = today + timedelta(days=days_quarantine)
    third = _step("dmarc-reject", third_status, kb, {**values, "date": reject_on, "days": days_quarantine})

    if first.records or current is None:
        next_value = provider.dmarc.next_record.format(domain=zone)
        final_value = provider.dmarc.final_record.format(domain=zone)
    else:  # keep what the published record says and change only the policy
        next_value = _with_policy(dmarc, "quarantine")
        final_value = _with_policy(dmarc, "reject")
    if first.records and first.status == "fix" and policy == "none":
        next_value = first.records[0].value.replace("p=none", "p=quarantine", 1)
        final_value = first.records[0].value.replace("p=none", "p=reject", 1)
    before_second = first.records[0].value if first.records else current
    if second.status == "later":
        second.not_before = quarantine_on.isoformat()
        second.condition = kb.dmarc_condition.started
        second.records = [
            DnsChange(action="replace", type="TXT", host=host, value=next_value, old_value=before_second)
        ]
        second.dns_changes = [
            _planned("replace", host, next_value, before_second, "dmarc.policy-none", audit, zone)
        ]
    if third.status == "later":
        third.not_before = reject_on.isoformat()
        third.condition = kb.dmarc_condition.started
        previous = next_value if second.status == "later" else current
        third.records = [
            DnsChange(action="replace", type="TXT", host=host, value=final_value, old_value=previous)
        ]
        third.dns_changes = [
            _planned("replace", host, final_value, previous, "dmarc.policy-quarantine", audit, zone)
        ]
    for s in (second, third):
        s.propagation = propagation
    return [first, second, third]


def _dmarc_host(audit: DnsAuditResult, dmarc: DmarcCheck) -> str:
    """Host of the policy record relative to the zone: `_dmarc`, or `_dmarc.<sub>` for a subdomain."""
    where = dmarc.record_domain or audit.domain
    return relative_host(f"_dmarc.{where}", _zone(audit))


def _planned(
    action: str, host: str, value: str, old: str | None, reason: str, audit: DnsAuditResult, zone: str
) -> PlannedChange:
    name = f"{host}.{zone}." if host != "@" else f"{zone}."
    change = DnsChange.model_validate(
        {"action": action, "type": "TXT", "host": name, "value": value, "old_value": old}
    )
    return planned(change, reason, audit.domain, zone)


def _with_policy(dmarc: DmarcCheck, policy: str) -> str:
    """The published DMARC tags (values as published, in order) with p= set to `policy`."""
    tags = {k: v for k, v in dmarc.tags.items() if k != "v"}
    tags["p"] = policy
    ordered = {"p": tags.pop("p"), **tags}
    return "v=DMARC1; " + "; ".join(f"{k}={v}" for k, v in ordered.items())


def _with_reports(dmarc: DmarcCheck, zone: str) -> str:
    """The published DMARC tags with a report address added (tag values as published, in order)."""
    tags = {k: v for k, v in dmarc.tags.items() if k not in ("v", "rua")}
    tags.setdefault("p", "none")
    ordered = {"p": tags.pop("p"), "rua": f"mailto:dmarc-reports@{zone}", **tags}
    return "v=DMARC1; " + "; ".join(f"{k}={v}" for k, v in ordered.items())


def _codes(findings: list[Finding]) -> list[str]:
    return list(dict.fromkeys(f.code for f in findings if f.severity.value in _ACTIONABLE))
