"""What every authentication step is built from: its text from skills/secure_setup.yaml in the
status it has, the propagation bound of its records, and the finding codes it resolves."""

from __future__ import annotations

from collections.abc import Mapping

from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge
from alimail_mcp.secure_setup.models import PlanStep, PropagationBound, StepId, StepStatus

ACTIONABLE = ("error", "warning")


def make_step(
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


def codes_of(findings: list[Finding]) -> list[str]:
    """The codes of the findings a step has to act on, in order, once each."""
    return list(dict.fromkeys(f.code for f in findings if f.severity.value in ACTIONABLE))
