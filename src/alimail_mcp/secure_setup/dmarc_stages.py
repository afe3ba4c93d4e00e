"""DMARC in three stages: p=none with reports now, then p=quarantine and p=reject on dated days.

A stage counts as reached only when it applies to all mail: `p=quarantine; pct=20` still lets 80% of
failing mail through, so the quarantine stage is still ahead (RFC 7489 6.6.4: mail outside the sample
gets the next weaker policy). The records written for the later stages keep the published tags and
drop `pct`. Every stage is judged by the aggregate reports, so a record without `rua=` is fixed first.
Given the reports themselves (their `PolicyReadiness` from analyze_dmarc_reports), the next stage is due
now when every legitimate source passes, and waits for the blockers when not, instead of being dated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from alimail_mcp.dmarc_reports.models import PolicyReadiness
from alimail_mcp.dns.models import DmarcCheck, PlannedChange
from alimail_mcp.dns.names import relative_host
from alimail_mcp.dns.plan import planned
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge
from alimail_mcp.secure_setup.models import PlanStep, StepId, StepStatus
from alimail_mcp.secure_setup.stepping import bound, codes_of, make_step

STAGES: tuple[StepId, ...] = ("dmarc-none", "dmarc-quarantine", "dmarc-reject")
_STRICTER = {"none": 0, "quarantine": 1, "reject": 2}


@dataclass(frozen=True)
class _Published:
    policy: str | None
    """The policy in force; None when there is no usable record."""
    level: int
    """-1 no policy, 0 p=none, 1 quarantine for all mail, 2 reject for all mail (a pct sample: one lower)."""
    tags: dict[str, str]
    current: str | None
    broken: bool


@dataclass(frozen=True)
class _Where:
    audit: DnsAuditResult
    zone: str
    host: str


def dmarc_steps(
    audit: DnsAuditResult,
    kb: SecureSetupKnowledge,
    provider: Provider,
    zone: str,
    today: date,
    readiness: PolicyReadiness | None = None,
) -> list[PlanStep]:
    dmarc = audit.checks.dmarc
    if dmarc.status == "unreachable":
        steps = [make_step(s, "unknown", kb, {"domain": zone}) for s in STAGES]
    else:
        where = _Where(audit, zone, _dmarc_host(audit, dmarc, zone))
        judged = readiness if readiness is not None and readiness.period is not None else None
        steps = _staged(where, _published(dmarc), kb, provider, today, judged)
    propagation = bound("auth", kb, provider, audit)
    for step in steps:
        step.propagation = propagation
    return steps


def _published(dmarc: DmarcCheck) -> _Published:
    policy = dmarc.policy if dmarc.record_domain else None
    codes = codes_of(dmarc.findings)
    tags = {k: v for k, v in dmarc.tags.items() if k != "v"}
    level = _STRICTER.get(policy or "", -1)
    if level >= 1 and _pct(tags.get("pct")) < 100:
        level -= 1
    current = dmarc.records[0] if dmarc.records else None
    return _Published(policy, level, tags, current, broken="dmarc.invalid" in codes and policy is None)


def _pct(value: str | None) -> int:
    try:
        return 100 if value is None else max(0, min(100, int(value.strip())))
    except ValueError:
        return 100  # an unreadable pct is ignored by receivers, who then apply the policy to all mail


def _staged(
    where: _Where,
    published: _Published,
    kb: SecureSetupKnowledge,
    provider: Provider,
    today: date,
    readiness: PolicyReadiness | None,
) -> list[PlanStep]:
    zone = where.zone
    values: dict[str, object] = {"domain": zone}
    days_none, days_quarantine = provider.dmarc.days_at_none, provider.dmarc.days_at_quarantine
    quarantine_on = today + timedelta(days=days_none)
    if readiness is not None and readiness.ready and published.level < 1:
        quarantine_on = today  # the reports already show what the days at p=none were waiting for
    reject_on = (today if published.level >= 1 else quarantine_on) + timedelta(days=days_quarantine)

    first, tags = _first(where, published, kb, provider, values)
    if tags is None:  # starting from the starter record: the provider's next stages, as published there
        next_value = provider.dmarc.next_record.format(domain=zone)
        final_value = provider.dmarc.final_record.format(domain=zone)
    else:
        next_value, final_value = _record(tags, "quarantine"), _record(tags, "reject")
    first.not_before = today.isoformat() if first.status in ("to-do", "fix") else None

    second_status: StepStatus = "done" if published.level >= 1 else "later"
    second = make_step(
        "dmarc-quarantine", second_status, kb, {**values, "date": quarantine_on, "days": days_none}
    )
    third_status: StepStatus = "done" if published.level >= 2 else "later"
    third = make_step(
        "dmarc-reject", third_status, kb, {**values, "date": reject_on, "days": days_quarantine}
    )

    previous = first.records[0].value if first.records else published.current
    if second.status == "later":
        _schedule(second, where, kb, quarantine_on, next_value, previous, "dmarc.policy-none")
        previous = next_value
    if third.status == "later":
        _schedule(third, where, kb, reject_on, final_value, previous, "dmarc.policy-quarantine")
    if readiness is not None and first.status == "done":
        _judged_by_reports(second, third, readiness, kb, today)
    return [first, second, third]


def _judged_by_reports(
    second: PlanStep, third: PlanStep, readiness: PolicyReadiness, kb: SecureSetupKnowledge, today: date
) -> None:
    """The next stage due now when the reports show every legitimate source passing, else waiting for
    the blockers (and the stage after it waiting for that one), with no date."""
    due = second if second.status == "later" else third
    if due.status != "later":
        return
    text = kb.dmarc_condition
    if readiness.ready:
        due.status = "to-do"
        due.not_before = today.isoformat()
        due.condition = text.ready
        due.actions = [text.ready_action]
        return
    due.not_before = None
    due.condition = render(text.blocked, {"count": readiness.blocked_sources})
    due.actions = [text.blocked_action]
    if due is second and third.status == "later":
        third.not_before = None
        third.condition = text.after


def _first(
    where: _Where,
    published: _Published,
    kb: SecureSetupKnowledge,
    provider: Provider,
    values: dict[str, object],
) -> tuple[PlanStep, dict[str, str] | None]:
    """The p=none stage and the tags the later stages build on (None: the provider's starter record)."""
    codes = codes_of(where.audit.checks.dmarc.findings)
    resolves = [c for c in codes if c in ("dmarc.missing", "dmarc.invalid", "dmarc.policy-none")]
    if published.policy is None:
        value = provider.dmarc.starter_record.format(domain=where.zone)
        action = "replace" if published.broken else "add"
        step = make_step("dmarc-none", "fix" if published.broken else "to-do", kb, values)
        step.records = [
            DnsChange(action=action, type="TXT", host=where.host, value=value, old_value=published.current)
        ]
        if published.broken and published.current is not None:
            step.dns_changes = [_planned(where, "replace", value, published.current, "dmarc.invalid")]
        else:
            step.dns_changes = [c for c in where.audit.dns_changes if c.reason == "dmarc.missing"]
        step.resolves = resolves
        return step, None
    if published.tags.get("rua"):
        step = make_step("dmarc-none", "done", kb, values)
        step.resolves = resolves
        return step, published.tags
    tags = {"p": published.tags.get("p", published.policy), "rua": f"mailto:dmarc-reports@{where.zone}"}
    tags.update({k: v for k, v in published.tags.items() if k not in tags})
    value = _record(tags, tags["p"], keep_sample=True)
    step = make_step("dmarc-none", "fix", kb, values)
    step.records = [
        DnsChange(action="replace", type="TXT", host=where.host, value=value, old_value=published.current)
    ]
    step.dns_changes = [_planned(where, "replace", value, published.current, "dmarc.policy-none")]
    step.resolves = resolves
    return step, tags


def _schedule(
    step: PlanStep,
    where: _Where,
    kb: SecureSetupKnowledge,
    day: date,
    value: str,
    previous: str | None,
    reason: str,
) -> None:
    step.not_before = day.isoformat()
    step.condition = kb.dmarc_condition.started
    step.records = [DnsChange(action="replace", type="TXT", host=where.host, value=value, old_value=previous)]
    step.dns_changes = [_planned(where, "replace", value, previous, reason)]


def _record(tags: dict[str, str], policy: str, *, keep_sample: bool = False) -> str:
    """A DMARC record with the given tags (values as published, in order) and p=`policy`; the next stages
    apply to all mail, so they drop pct."""
    dropped = ("v", "p") if keep_sample else ("v", "p", "pct")
    rest = {k: v for k, v in tags.items() if k not in dropped}
    return "v=DMARC1; " + "; ".join(f"{k}={v}" for k, v in {"p": policy, **rest}.items())


def _dmarc_host(audit: DnsAuditResult, dmarc: DmarcCheck, zone: str) -> str:
    """Host of the policy record relative to the zone: `_dmarc`, or `_dmarc.<sub>` for a subdomain."""
    return relative_host(f"_dmarc.{dmarc.record_domain or audit.domain}", zone)


def _planned(where: _Where, action: str, value: str, old: str | None, reason: str) -> PlannedChange:
    zone = where.zone
    name = f"{where.host}.{zone}." if where.host != "@" else f"{zone}."
    change = DnsChange.model_validate(
        {"action": action, "type": "TXT", "host": name, "value": value, "old_value": old}
    )
    return planned(change, reason, where.audit.domain, zone)
