"""Spam-filter stamps: one small reader per way of writing a verdict (skills/headers.yaml `kind`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from alimail_mcp.headers.knowledge import HeaderKnowledge, SpamHeader
from alimail_mcp.headers.models import SpamVerdict

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_YES = frozenset({"yes", "true", "1", "spam", "y"})
_NO = frozenset({"no", "false", "0", "ham", "n", "not spam"})
MAX_TESTS = 20
RAW_CHARS = 300


@dataclass(slots=True)
class _Read:
    score: float | None = None
    threshold: float | None = None
    flagged: bool | None = None
    verdict: str | None = None
    tests: list[str] = field(default_factory=list)
    meaning: str | None = None


def read_spam(name: str, value: str, kb: HeaderKnowledge) -> SpamVerdict | None:
    spec = kb.spam.get(name)
    if spec is None:
        return None
    read = _READERS[spec.kind](value, spec, kb)
    if read.flagged is None and read.score is not None:
        threshold = read.threshold if read.threshold is not None else spec.threshold
        if threshold is not None:
            read.threshold = threshold
            read.flagged = read.score >= threshold
    meanings = kb.model.meanings
    general = (
        meanings.unknown if read.flagged is None else meanings.flagged if read.flagged else meanings.clean
    )
    return SpamVerdict(
        header=name,
        system=spec.system,
        score=read.score,
        threshold=read.threshold,
        flagged=read.flagged,
        verdict=read.verdict[:80] if read.verdict else None,
        tests=[t[:60] for t in read.tests[:MAX_TESTS]],
        meaning=f"{general} {read.meaning}" if read.meaning else general,
        raw=value[:RAW_CHARS],
    )


_INFERRED = frozenset({"score", "stars"})
"""Kinds that only carry a number: their verdict comes from a default threshold, not from the filter."""


def deciding(verdicts: list[SpamVerdict], kb: HeaderKnowledge) -> list[SpamVerdict]:
    """The verdicts that say whether the message was judged spam: a bare score or star count gives way to
    the same filter's own verdict (a site that requires 8 points writes "No, score=6.1" beside 6 stars)."""
    explicit = {
        v.system for v in verdicts if v.flagged is not None and kb.spam[v.header].kind not in _INFERRED
    }
    return [v for v in verdicts if not (kb.spam[v.header].kind in _INFERRED and v.system in explicit)]


def _number(text: str | None) -> float | None:
    if not text:
        return None
    match = _NUMBER.search(text)
    return float(match.group(0)) if match else None


def _word(value: str) -> bool | None:
    word = value.strip().split(";")[0].split(",")[0].strip().lower()
    return True if word in _YES else False if word in _NO else None


def _spamassassin(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    score = re.search(r"\bscore\s*=\s*([-+]?\d+(?:\.\d+)?)", value, re.IGNORECASE)
    required = re.search(r"\b(?:required|tag_level)\s*=\s*([-+]?\d+(?:\.\d+)?)", value, re.IGNORECASE)
    tests = re.search(r"\btests\s*=\s*((?:[\w.-]+\s*,\s*)*[\w.-]+)", value, re.IGNORECASE)
    return _Read(
        score=float(score.group(1)) if score else None,
        threshold=float(required.group(1)) if required else None,
        flagged=_word(value),
        verdict=value.split(",")[0].strip() or None,
        tests=[t.strip() for t in tests.group(1).split(",") if t.strip()] if tests else [],
    )


def _flag(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    return _Read(flagged=_word(value), verdict=value.strip()[:40] or None)


def _score(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    return _Read(score=_number(value))


def _stars(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    stripped = value.strip()
    return (
        _Read(score=float(stripped.count("*"))) if stripped and set(stripped) <= {"*", "+", " "} else _Read()
    )


def _rspamd(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    match = re.search(
        r"(true|false)\s*\[\s*([-+]?\d+(?:\.\d+)?)\s*/\s*([-+]?\d+(?:\.\d+)?)\s*\]", value, re.IGNORECASE
    )
    symbols = re.findall(r"([A-Z][A-Z0-9_]{2,})\s*\(", value)
    if match is None:
        return _Read(tests=symbols)
    return _Read(
        score=float(match.group(2)),
        threshold=float(match.group(3)),
        flagged=match.group(1).lower() == "true",
        verdict=match.group(1),
        tests=symbols,
    )


_RSPAMD_ACTIONS = {
    "no action": False,
    "greylist": False,
    "add header": True,
    "rewrite subject": True,
    "soft reject": True,
    "reject": True,
}


def _action(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    action = " ".join(value.lower().split())
    return _Read(flagged=_RSPAMD_ACTIONS.get(action), verdict=action[:40] or None)


def _pairs(value: str, sep: str = ";", eq: str = ":") -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in value.split(sep):
        key, found, val = part.partition(eq)
        if found and key.strip():
            pairs.setdefault(key.strip().upper(), val.strip())
    return pairs


def _at_or_above(level: float | None, threshold: float | None) -> bool | None:
    return None if level is None or threshold is None else level >= threshold


def _forefront(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    pairs = _pairs(value)
    scl = _number(pairs.get("SCL"))
    sfv = pairs.get("SFV", "").upper()
    cat = pairs.get("CAT", "").upper()
    code = kb.model.microsoft_sfv.get(sfv)
    flagged = code.flagged if code is not None else None
    if flagged is None:
        flagged = _at_or_above(scl, spec.threshold)
    if cat and cat != "NONE" and cat in kb.model.microsoft_cat and cat not in ("BULK",):
        flagged = True if flagged is None else flagged
    notes = [code.meaning] if code else []
    if cat in kb.model.microsoft_cat:
        notes.append(f"Category {cat}: {kb.model.microsoft_cat[cat]}.")
    if scl is not None:
        notes.append(kb.model.meanings.scl)
    verdict = ";".join(f"{k}:{pairs[k]}" for k in ("SFV", "CAT", "SCL") if k in pairs)
    return _Read(
        score=scl,
        threshold=spec.threshold if scl is not None else None,
        flagged=flagged,
        verdict=verdict or None,
        meaning=" ".join(notes) or None,
    )


def _scl(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    level = _number(value)
    return _Read(
        score=level,
        threshold=spec.threshold if level is not None else None,
        flagged=_at_or_above(level, spec.threshold),
        meaning=kb.model.meanings.scl,
    )


def _bcl(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    bcl = _number(_pairs(value).get("BCL"))
    if bcl is None:
        return _Read()
    return _Read(
        score=bcl,
        threshold=spec.threshold,
        flagged=_at_or_above(bcl, spec.threshold),
        verdict=f"BCL:{bcl:g}",
        meaning=kb.model.meanings.bcl,
    )


_ALIMAIL_PASS = frozenset({"PASS", "CONTINUE"})


def _alimail(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    pairs = _pairs(value, eq="=")
    action = pairs.get("AC", "").upper()
    labels = [part.lower() for part in pairs.get("DS", "").split("|") if part]
    flagged: bool | None = None
    if any("spam" in label and "ham" not in label for label in labels):
        flagged = True
    elif action:
        flagged = action not in _ALIMAIL_PASS
    elif any(label.startswith("ham") for label in labels):
        flagged = False
    verdict = ";".join(f"{k}={pairs[k]}" for k in ("AC", "CH") if k in pairs)
    tests = [label for label in labels if re.fullmatch(r"[a-z_]{3,40}", label)]
    return _Read(flagged=flagged, verdict=verdict or None, tests=tests, meaning=kb.model.meanings.alimail)


def _proofpoint(value: str, spec: SpamHeader, kb: HeaderKnowledge) -> _Read:
    pairs = _pairs(value, sep=" ", eq="=")
    rule = pairs.get("RULE", "").lower()
    flagged = None if not rule else ("spam" in rule and "notspam" not in rule)
    return _Read(score=_number(pairs.get("SCORE")), flagged=flagged, verdict=f"rule={rule}" if rule else None)


_READERS: dict[str, Callable[[str, SpamHeader, HeaderKnowledge], _Read]] = {
    "spamassassin": _spamassassin,
    "flag": _flag,
    "score": _score,
    "stars": _stars,
    "rspamd": _rspamd,
    "action": _action,
    "forefront": _forefront,
    "scl": _scl,
    "bcl": _bcl,
    "alimail": _alimail,
    "proofpoint": _proofpoint,
}
