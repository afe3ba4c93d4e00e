"""The situation a plan is made for: facts given, inferred from the description, or assumed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alimail_mcp.errors import InputError
from alimail_mcp.inputs import bounded_text
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.recovery import inference
from alimail_mcp.recovery.args import DESCRIPTION_CHARS, LOCK_MESSAGE_CHARS
from alimail_mcp.recovery.clock import iso, parse_instant, spoken
from alimail_mcp.recovery.knowledge import RecoveryKnowledge
from alimail_mcp.recovery.models import AccountState, AssumedFact, FactName, InferredFact

BOOLEAN_FACTS: tuple[FactName, ...] = (
    "forgot_password",
    "has_secure_phone",
    "has_security_questions",
    "has_app",
    "app_logged_in",
    "is_admin",
)


@dataclass
class Situation:
    now: datetime
    facts: dict[str, bool | None]
    """forgot_password ... is_admin and locked: True, False or None (not known)."""
    locked_at: datetime | None = None
    state: AccountState | None = None
    inferred: list[InferredFact] = field(default_factory=list)
    assumed: list[AssumedFact] = field(default_factory=list)

    def infer(self, fact: FactName, value: bool | str, evidence: str) -> None:
        self.inferred.append(InferredFact(fact=fact, value=value, evidence=evidence))

    def assume(self, fact: FactName, value: bool | str | None, reason: str) -> None:
        self.assumed.append(AssumedFact(fact=fact, value=value, reason=reason))


def read_situation(
    kb: RecoveryKnowledge,
    *,
    description: str | None,
    lock_message: str | None,
    locked_at: str | datetime | None,
    now: str | datetime | None,
    given: dict[FactName, bool | None],
) -> Situation:
    """Validate the inputs and combine them: what was given wins over what the description suggests."""
    for name, value in given.items():
        if value is not None and not isinstance(value, bool):
            raise InputError(name, "must be true, false or left out")
    text = (
        inference.normalise(bounded_text(description, "description", DESCRIPTION_CHARS))
        if description
        else ""
    )
    message = (
        inference.normalise(bounded_text(lock_message, "lock_message", LOCK_MESSAGE_CHARS))
        if lock_message
        else ""
    )
    lock_start = parse_instant(locked_at, "locked_at")
    moment = parse_instant(now, "now")
    if not text and not message and lock_start is None and all(v is None for v in given.values()):
        raise InputError(
            "description",
            "describe the situation, or give at least one of lock_message, locked_at, forgot_password, "
            "has_secure_phone, has_security_questions, has_app, app_logged_in, is_admin",
        )
    facts: dict[str, bool | None] = {str(name): value for name, value in given.items()}
    facts["locked"] = None
    situation = Situation(now=moment or datetime.now().astimezone(), facts=facts)
    if lock_start is not None and lock_start > situation.now:
        raise InputError("locked_at", f"is later than now ({iso(situation.now)})")
    situation.locked_at = lock_start
    if moment is None:
        situation.assume("now", iso(situation.now), "now was not given, so the server's current time is used")
    _read_lock_message(situation, message, kb)
    if text:
        _read_description(situation, text, kb)
    _derive(situation, text, kb)
    return situation


def _read_lock_message(situation: Situation, message: str, kb: RecoveryKnowledge) -> None:
    if not message:
        return
    if clue := inference.find_state(message, kb):
        situation.state = AccountState(id=clue.state.id, reason=clue.state.reason, evidence=clue.evidence)
        situation.infer("account_state", clue.state.id, clue.evidence)
        return
    lock = inference.infer_facts(message, kb).get("locked")
    if lock:
        situation.facts["locked"] = lock.value
        situation.infer("locked", lock.value, lock.evidence)
    else:
        situation.facts["locked"] = True
        situation.assume(
            "locked", True, "lock_message was given but not recognised, so it is taken as a lock message"
        )


def _read_description(situation: Situation, text: str, kb: RecoveryKnowledge) -> None:
    if situation.state is None and (clue := inference.find_state(text, kb)):
        situation.state = AccountState(id=clue.state.id, reason=clue.state.reason, evidence=clue.evidence)
        situation.infer("account_state", clue.state.id, clue.evidence)
    for name, found in inference.infer_facts(text, kb).items():
        if situation.facts.get(name) is None:
            situation.facts[name] = found.value
            situation.infer(name, found.value, found.evidence)  # type: ignore[arg-type]


def _derive(situation: Situation, text: str, kb: RecoveryKnowledge) -> None:
    facts = situation.facts
    if facts.get("app_logged_in") and facts.get("has_app") is None:
        facts["has_app"] = True
        situation.assume("has_app", True, "being signed in to the app means it is installed")
    if situation.locked_at is not None and facts["locked"] is None:
        facts["locked"] = True
        situation.assume("locked", True, "locked_at was given, so the account is taken to be locked")
    if not facts["locked"] or situation.locked_at is not None or not text:
        return
    clue = inference.find_time(text, kb, situation.now, load_provider().limits.lock_auto_unlock_minutes)
    if clue is None:
        return
    situation.locked_at = clue.moment
    situation.infer("locked_at", iso(clue.moment), clue.evidence)
    if clue.date_assumed:
        situation.assume(
            "locked_at",
            iso(clue.moment),
            f"only a time of day was given; it is read as {spoken(clue.moment, situation.now)}, "
            "the most recent such time not after now, in the timezone of now",
        )
