"""recover_access: turn a locked-out user's situation into one plan with steps, times and fallbacks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.models import Finding, Severity
from alimail_mcp.recovery.clock import iso, minutes_until, spoken
from alimail_mcp.recovery.knowledge import Conditional, RecoveryKnowledge, load_recovery
from alimail_mcp.recovery.models import Fallback, RecoveryPath, RecoveryPlan
from alimail_mcp.recovery.paths import choose_path, verification_method
from alimail_mcp.recovery.situation import Situation, read_situation


async def recover_access(
    description: str | None = None,
    forgot_password: bool | None = None,
    has_secure_phone: bool | None = None,
    has_security_questions: bool | None = None,
    lock_message: str | None = None,
    locked_at: str | datetime | None = None,
    has_app: bool | None = None,
    app_logged_in: bool | None = None,
    is_admin: bool | None = None,
    now: str | datetime | None = None,
) -> RecoveryPlan:
    """Plan access recovery. Pure and deterministic given `now`; InputError for bad input."""
    return plan_recovery(
        description=description,
        forgot_password=forgot_password,
        has_secure_phone=has_secure_phone,
        has_security_questions=has_security_questions,
        lock_message=lock_message,
        locked_at=locked_at,
        has_app=has_app,
        app_logged_in=app_logged_in,
        is_admin=is_admin,
        now=now,
    )


def plan_recovery(
    *,
    description: str | None = None,
    lock_message: str | None = None,
    locked_at: str | datetime | None = None,
    now: str | datetime | None = None,
    **given: bool | None,
) -> RecoveryPlan:
    kb = load_recovery()
    situation = read_situation(
        kb,
        description=description,
        lock_message=lock_message,
        locked_at=locked_at,
        now=now,
        given=given,  # type: ignore[arg-type]
    )
    path = choose_path(situation)
    return _build(kb, situation, path)


def _build(kb: RecoveryKnowledge, situation: Situation, path: RecoveryPath) -> RecoveryPlan:
    provider = load_provider()
    unlock = _unlock(situation, provider.limits.lock_auto_unlock_minutes)
    facts: dict[str, Any] = {
        **situation.facts,
        "path": path,
        "method": verification_method(situation),
        "lock_active": None if unlock is None else unlock[1] > 0,
        "state": situation.state.id if situation.state else None,
    }
    values = {
        "unlock_minutes": provider.limits.lock_auto_unlock_minutes,
        "qr_minutes": provider.limits.qr_code_valid_minutes,
        "console_url": provider.console.admin_url,
        "unlock_at": spoken(unlock[0], situation.now) if unlock else "",
        "minutes_remaining": unlock[1] if unlock else "",
        "state": facts["state"] or "",
        "reason": situation.state.reason if situation.state else "",
    }
    definition = kb.model.paths[path]
    is_admin = bool(situation.facts.get("is_admin"))
    needs_admin = path in ("contact-admin", "webmail-service")
    fallbacks = [
        Fallback(path=f.path, step=f.text.format(**values))
        for f in kb.model.fallbacks.get(path, ())
        if f.applies(facts)
    ]
    admin_steps = _admin_steps(kb, situation, path, needs_admin, facts)
    send_admin = (
        _texts(kb.model.what_to_send_admin, facts, values)
        if not is_admin and (needs_admin or (path == "unlock-account" and facts["lock_active"] is not False))
        else []
    )
    return RecoveryPlan(
        intent=definition.intent,
        path=path,
        skill=definition.skill,
        summary=_texts(definition.summary, facts, values)[0],
        findings=_findings(kb, situation, facts, values, unlock is not None),
        next_steps=[f.step for f in fallbacks],
        steps=_texts(definition.steps, facts, values),
        unlock_at=iso(unlock[0]) if unlock else None,
        minutes_remaining=unlock[1] if unlock else None,
        needs_admin=needs_admin,
        fallbacks=fallbacks,
        admin_steps=[s.format(**values) for s in admin_steps],
        what_to_send_admin=send_admin,
        inferred=situation.inferred,
        assumed=situation.assumed,
        account_state=situation.state,
    )


def _unlock(situation: Situation, minutes: int) -> tuple[datetime, int] | None:
    if not situation.facts.get("locked") or situation.locked_at is None:
        return None
    moment = situation.locked_at + timedelta(minutes=minutes)
    return moment, minutes_until(moment, situation.now)


def _admin_steps(
    kb: RecoveryKnowledge, situation: Situation, path: RecoveryPath, needs_admin: bool, facts: dict[str, Any]
) -> tuple[str, ...]:
    if situation.state is not None:
        return next(s.definition.admin_steps for s in kb.states if s.definition.id == situation.state.id)
    if (
        needs_admin
        or situation.facts.get("is_admin")
        or (path == "unlock-account" and facts["lock_active"] is not False)
    ):
        return kb.model.admin_steps.get(path, ())
    return ()


def _texts(items: tuple[Conditional, ...], facts: dict[str, Any], values: dict[str, Any]) -> list[str]:
    return [item.text.format(**values) for item in items if item.applies(facts)]


def _findings(
    kb: RecoveryKnowledge, situation: Situation, facts: dict[str, Any], values: dict[str, Any], timed: bool
) -> list[Finding]:
    paths = kb.model.paths
    found: list[tuple[str, dict[str, Any], str]] = []
    if situation.state is not None:
        evidence = {"state": situation.state.id, "phrase": situation.state.evidence}
        found.append(("recovery.account-state", evidence, paths["webmail-service"].skill))
    elif facts.get("locked") and (timed or not facts.get("lock_lifted")):
        when = {"unlock_at": values["unlock_at"], "minutes_remaining": values["minutes_remaining"]}
        if not timed:
            found.append(("recovery.locked-start-unknown", {}, paths["unlock-account"].skill))
        else:
            code = "recovery.locked" if facts["lock_active"] else "recovery.lock-lifted"
            found.append((code, when, paths["unlock-account"].skill))
    if facts.get("has_secure_phone") is False and facts.get("has_security_questions") is False:
        found.append(("recovery.no-self-service", {}, paths["self-service-reset"].skill))
    findings = []
    for code, evidence, skill in found:
        spec = kb.model.findings[code]
        findings.append(
            Finding(
                code=code,
                severity=Severity(spec.severity),
                title=spec.title.format(**values),
                detail=spec.detail.format(**values),
                evidence=evidence,
                skill=skill,
                needs_admin=code in ("recovery.account-state", "recovery.no-self-service"),
            )
        )
    return findings
