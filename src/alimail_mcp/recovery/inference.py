"""Read facts, an account state and the time a lock began from a free description (en or zh).

Every result carries the phrase that produced it, so the plan can show its evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from alimail_mcp.recovery.knowledge import AccountStateDef, RecoveryKnowledge
from alimail_mcp.router.text import fold_traditional

EVIDENCE_CHARS = 80
NUMBER_DIGITS = 6
r"""Digits of a number read from a description: the time patterns' `\d+` tried every digit of a long
run again up to its end (4,000 digits took 2.9 s); no lock is a million minutes old."""
_LONG_NUMBER = re.compile(rf"\d{{{NUMBER_DIGITS + 1},}}")


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


_CURLY_APOSTROPHE = re.compile(r"(?<=[a-z])[\u2018\u2019\u02bc`](?=[a-z])", re.IGNORECASE)
_BARE_NEGATION = re.compile(
    r"\b(can|don|doesn|didn|haven|hasn|isn|wasn|won|couldn|wouldn|aren)t\b", re.IGNORECASE
)


def normalise(text: str) -> str:
    """NFKC (full-width colons and digits become ASCII), Traditional Chinese folded to simplified, runs of
    whitespace collapsed, curly apostrophes straightened and the apostrophe restored in negations typed
    without one ("cant", "dont")."""
    text = " ".join(fold_traditional(unicodedata.normalize("NFKC", text)).split())
    text = _CURLY_APOSTROPHE.sub("'", text)
    return _BARE_NEGATION.sub(r"\1't", text)


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


def find_time(text: str, kb: RecoveryKnowledge, now: datetime, lock_minutes: int) -> TimeClue | None:
    """When the lock began: a relative time ("20 minutes ago"), the time left ("try again in 45
    minutes", with locks lasting `lock_minutes`), or a time of day."""
    times = kb.model.times
    text = _LONG_NUMBER.sub(lambda long: long.group(0)[:NUMBER_DIGITS], text)
    for ago in kb.ago:
        if hit := ago.pattern.search(text):
            minutes = ago.minutes
            if minutes is None:
                n = number(hit.group("n"), times.number_words)
                if n is None:
                    continue
                minutes = n * 60 if ago.unit == "hours" else n
            minutes += ago.plus_minutes
            if ago.until:
                minutes = lock_minutes - min(minutes, lock_minutes)
            return TimeClue(now - timedelta(minutes=minutes), evidence(hit.group(0)), False)
    for pattern in kb.clock:
        for hit in pattern.finditer(text):
            if _said_of_now(text, hit, times.now_words):
                continue
            yesterday = _near(text, hit, times.yesterday_words)
            moment = _time_of_day(hit.groupdict(), kb, now, yesterday)
            if moment is not None:
                return TimeClue(moment, evidence(hit.group(0)), True)
    return None


def number(text: str | None, words: dict[str, int]) -> int | None:
    """Digits, a number word of the knowledge base, or a Chinese numeral (一 .. 九百九十九)."""
    if not text:
        return None
    text = text.strip().lower()
    if text.isascii() and text.isdigit():
        return int(text)
    if text in words:
        return words[text]
    return _chinese_number(text)


_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CHINESE_DIGITS |= {"八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100}


def _chinese_number(text: str) -> int | None:
    total, current = 0, 0
    for ch in text:
        if ch in _CHINESE_DIGITS:
            current = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_UNITS:
            total += (current or 1) * _CHINESE_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


_NEAR = 12


def _near(text: str, hit: re.Match[str], words: tuple[str, ...]) -> bool:
    """True when one of `words` sits in the match or just around it ("yesterday at 11pm", "昨天23:00")."""
    around = text[max(0, hit.start() - _NEAR) : hit.end() + _NEAR].lower()
    return any(w.lower() in around for w in words)


def _said_of_now(text: str, hit: re.Match[str], words: tuple[str, ...]) -> bool:
    """True when the time follows a word for the present ("it's now 9:50", "现在是9点50")."""
    before = text[max(0, hit.start() - _NEAR) : hit.start()].lower()
    tail = r"\s*(?:is\s*|是\s*|:\s*)?$"
    return any(re.search(rf"(?<![a-z]){re.escape(w.lower())}{tail}", before) for w in words)


def _time_of_day(
    groups: dict[str, str | None], kb: RecoveryKnowledge, now: datetime, yesterday: bool
) -> datetime | None:
    times = kb.model.times
    named = (groups.get("named") or "").lower()
    hour = times.named_times.get(named) if named else number(groups.get("hour"), times.number_words)
    if groups.get("half"):
        minute: int | None = 30
    elif groups.get("quarter"):
        minute = 15 * (number(groups["quarter"], times.number_words) or 0)
    else:
        minute = number(groups.get("minute"), times.number_words) or 0
    if hour is None or minute is None:
        return None
    marker = (groups.get("ampm") or groups.get("ampm2") or "").lower()
    if marker in times.pm_words and hour < 12:
        hour += 12
    elif marker in times.am_words and hour == 12:
        hour = 0
    elif marker in times.noon_words and hour < 11:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if yesterday:
        return moment - timedelta(days=1)
    if not marker and hour < 12 and now.hour >= 12 and moment + timedelta(hours=12) <= now:
        # "since 2:50" said at 15:20 means 14:50: people drop am/pm for the most recent such time
        return moment + timedelta(hours=12)
    return moment - timedelta(days=1) if moment > now else moment
