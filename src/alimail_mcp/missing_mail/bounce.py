"""The bounce the sender got, read as one signal for the ranking.

diagnose_send_error's classifier reads the whole text first. People paste bounces in every shape
(a whole notification, a Gmail or QQ wrapper, only the delivery-status block, one reply line), and
the wrapper's own words can hide the refusing server's reply, so each SMTP reply found in the text
is read on its own as well and the most specific reading wins. Words the classifier leaves generic
("blocked", "filtered") are refined with the phrases of skills/missing_mail.yaml: for missing mail,
a blacklist, the Strict level and a disabled account are different causes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING

from alimail_mcp.deadline import OutOfTime
from alimail_mcp.errors import InputError
from alimail_mcp.missing_mail.knowledge import MissingMailKnowledge
from alimail_mcp.missing_mail.models import BounceReading

if TYPE_CHECKING:
    from alimail_mcp.diagnosis.classify import Analysis, Classified

DIAGNOSTIC_CHARS = 300
MAX_REPLIES = 6
REPLY_CHARS = 500
_FOLD = re.compile(r"\r?\n[ \t]+")
_REPLY = re.compile(
    rf"(?:^|(?<=[:;'\"：=\]]))[ \t]*([45]\d\d[ -](?=[^\n]{{0,{REPLY_CHARS}}}[^\W\d_])[^\n]*)", re.M
)
"""A reply code with words after it (within REPLY_CHARS), at the start of a line or right after `said:`,
`returned '`, `;` ... (an unbounded look ahead went to the end of the line again for every code on it)."""
_FINAL_RECIPIENT = re.compile(
    r"^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s<>;]+@[^\s<>;]+)>?", re.I | re.M
)


@dataclass(frozen=True, slots=True)
class _Reading:
    item: Classified
    signal: str | None
    specific: bool
    text: str
    """What was read: the whole bounce, or one reply quoted in it."""


async def read_bounce(text: str, kb: MissingMailKnowledge, domain: str) -> BounceReading:
    """The bounce read by diagnose_send_error's classifier (when that part is installed), as a signal."""
    try:
        from alimail_mcp.diagnosis.classify import analyze
    except ImportError:  # the bounce classifier is another part of the project; without it, no reading
        return BounceReading(read=False)
    return await asyncio.to_thread(reading_of, text, kb, domain, partial(analyze, field="bounce_text"))


def reading_of(
    text: str, kb: MissingMailKnowledge, domain: str, analyze: Callable[[str], Analysis]
) -> BounceReading:
    whole = _classify(analyze, text, kb)
    replies = server_replies(text)
    best = whole
    if best is None or not best.specific:
        for reply in replies:
            found = _classify(analyze, reply, kb)
            if found is not None and _better(found, best):
                best = found
    if best is None:
        return _not_a_failure(analyze, text)
    fact = best.item.fact
    signal = _refined(best.signal, " ".join((fact.diagnosis, *replies)), kb)
    if signal in (None, *kb.bounce_words.refine) and best.item.permanent is False:
        signal = "bounce.temporary"  # a deferral: the sending server is still retrying
    diagnostic = " ".join((fact.diagnosis if best is whole else best.text).split())
    recipient = _recipient(whole, best, text)
    return BounceReading(
        read=True,
        reason=fact.reason,
        cause=best.item.cause.id if best.item.cause is not None else None,
        reply_code=fact.reply_code or None,
        enhanced_status=fact.status or None,
        diagnostic=diagnostic[:DIAGNOSTIC_CHARS] or None,
        recipient=recipient[:DIAGNOSTIC_CHARS] if recipient else None,
        about_this_domain=same_organisation(recipient, domain) if recipient else None,
        signal=signal,
    )


def _not_a_failure(analyze: Callable[[str], Analysis], text: str) -> BounceReading:
    """A delivery report, an auto-reply or feedback: read, but no refusal (and so no bounce)."""
    try:
        items = analyze(text).items
    except (InputError, OutOfTime):
        raise
    except Exception:  # see _classify
        items = []
    if not items:
        return BounceReading(read=False)
    return BounceReading(read=True, failed=False, reason=items[0].fact.reason)


def server_replies(text: str) -> list[str]:
    """SMTP replies quoted in the text ('550 5.1.1 ...'), folded lines joined, at most MAX_REPLIES."""
    unfolded = _FOLD.sub(" ", text)
    found = [m.group(1).strip().strip("'\"")[:REPLY_CHARS] for m in _REPLY.finditer(unfolded)]
    return list(dict.fromkeys(found))[:MAX_REPLIES]


def _classify(analyze: Callable[[str], Analysis], text: str, kb: MissingMailKnowledge) -> _Reading | None:
    try:
        analysis = analyze(text)
    except (InputError, OutOfTime):
        raise
    except Exception:  # the classifier promises not to raise on bad input; if it does, it simply did not read
        return None
    item = next((i for i in analysis.items if i.fact.failed), None)
    if item is None:
        return None
    cause = item.cause.id if item.cause is not None else ""
    by_cause = kb.bounce_causes.get(cause)
    signal = by_cause or kb.bounce_reasons.get(item.fact.reason)
    specific = by_cause is not None and item.matched and cause not in kb.bounce_words.generic_causes
    return _Reading(item, signal, specific, text)


def _better(found: _Reading, best: _Reading | None) -> bool:
    if best is None:
        return True
    return (found.specific, found.signal is not None) > (best.specific, best.signal is not None)


def _refined(signal: str | None, words: str, kb: MissingMailKnowledge) -> str | None:
    if signal is not None and signal not in kb.bounce_words.refine:
        return signal
    for pattern, refined in _phrases(tuple((p.pattern, p.signal) for p in kb.bounce_words.phrases)):
        if pattern.search(words):
            return refined
    return signal


@cache
def _phrases(table: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), signal) for pattern, signal in table)


def _recipient(whole: _Reading | None, best: _Reading, text: str) -> str | None:
    for reading in (whole, best):
        if reading is not None and reading.item.fact.recipient.strip():
            return reading.item.fact.recipient.strip()
    match = _FINAL_RECIPIENT.search(text)
    return match.group(1) if match else None


def same_organisation(address: str, domain: str) -> bool | None:
    """Whether `address` is in `domain`'s organisation; None when it names no usable domain."""
    from alimail_mcp.dns.names import organizational_domain

    host = address.rpartition("@")[2].strip().strip(">").rstrip(".").lower()
    if not host or "." not in host:
        return None
    try:
        return organizational_domain(host) == organizational_domain(domain)
    except (ValueError, UnicodeError):
        return None
