"""Read facts, an account state and the time a lock began from a free description (en or zh).

Every result carries the phrase that produced it, so the plan can show its evidence.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from alimail_mcp.recovery.knowledge import AccountStateDef, RecoveryKnowledge

EVIDENCE_CHARS = 80


@dataclass(frozen=True)
class Clue:
    value: bool
    evidence: str


@dataclass(frozen=True)
class StateClue:
    state: AccountStateDef
    evidence: str


@dataclass(frozen=True)
class TimeClue:
    moment: datetime
    evidence: str
    date_assumed: bool
    """True when only a time of day was given and the date was chosen (today, or yesterday)."""


def normalise(text: str) -> str:
    """NFKC (full-width colons and digits become ASCII) with runs of whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def evidence(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def infer_facts(text: str, kb: RecoveryKnowledge) -> dict[str, Clue]:
    """Each fact the text reveals: the first group (in knowledge order) with a matching phrase wins."""
    found: dict[str, Clue] = {}
    for fact in kb.facts:
        for value, patterns in fact.groups:
            hit = next((m for p in patterns if (m := p.search(text))), None)
            if hit:
                found[fact.name] = Clue(value, evidence(hit.group(0)))
                break
    return found


def find_state(text: str, kb: RecoveryKnowledge) -> StateClue | None:
    for state in kb.states:
        for pattern in state.patterns:
            if hit := pattern.search(text):
                return StateClue(state.definition, evidence(hit.group(0)))
    return None


def find_time(text: str, kb: RecoveryKnowledge, now: datetime) -> TimeClue | None:
    """When the text says something happened: a relative time ("20 minutes ago") or a time of day."""
    for ago in kb.ago:
        if hit := ago.pattern.search(text):
            minutes = ago.minutes
            if minutes is None:
                n = int(hit.group("n"))
                minutes = n * 60 if ago.unit == "hours" else n
            return TimeClue(now - timedelta(minutes=minutes), evidence(hit.group(0)), False)
    for pattern in kb.clock:
        for hit in pattern.finditer(text):
            moment = _time_of_day(hit.groupdict(), kb, now)
            if moment is not None:
                return TimeClue(moment, evidence(hit.group(0)), True)
    return None


def _time_of_day(groups: dict[str, str | None], kb: RecoveryKnowledge, now: datetime) -> datetime | None:
    hour = int(groups["hour"] or 0)
    minute = 30 if groups.get("half") else int(groups.get("minute") or 0)
    marker = (groups.get("ampm") or groups.get("ampm2") or "").lower()
    times = kb.model.times
    if marker in times.pm_words and hour < 12:
        hour += 12
    elif marker in times.am_words and hour == 12:
        hour = 0
    elif marker in times.noon_words and hour < 11:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment - timedelta(days=1) if moment > now else moment
