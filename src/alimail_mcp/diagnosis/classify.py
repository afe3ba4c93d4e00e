"""Parse and classify, synchronously and without the network: the pure core of diagnose_send_error.

`analyze(data)` accepts a whole message (or mbox), a bounce body pasted without headers, or a
single SMTP/webmail/client error line, and returns one fact per recipient. It never raises on
malformed input. The work is bounded: `MAX_INPUT_BYTES` of input, read up to the limits of
`message.Budget` (messages, lines), `MAX_RECIPIENTS` recipients classified, MIME nested at most
`mime.MAX_DEPTH` deep (deeper is an InputError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alimail_mcp.deadline import check
from alimail_mcp.diagnosis import lhost
from alimail_mcp.diagnosis.catalog import Cause, catalog
from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.fact import NOT_FAILURES, Fact, build
from alimail_mcp.diagnosis.message import Budget, mail_of, read_messages
from alimail_mcp.diagnosis.patterns import MATCH_CHARS
from alimail_mcp.diagnosis.reason import Evidence, match_text
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.diagnosis.receiver import detect, reading
from alimail_mcp.diagnosis.smtp import find_command, find_recipient, find_reply, find_status, sweep
from alimail_mcp.errors import InputError
from alimail_mcp.mail.mime import NestingError

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_TEXT_READINGS = 500
"""Messages of one input read as error texts when no reader understands them (an mbox of tiny
bounces would otherwise cost a text reading each)."""
MAX_RECIPIENTS = 1000
"""Recipients classified per input (each is matched against the phrase tables and the catalog)."""


_VAGUE_IN_TEXT = ("onhold", "undefined", "securityerror", "systemerror")
"""Reasons that, for a text on its own, usually come from a status class alone (5.7.x, 5.3.x)."""
_GENERIC_STATUS = re.compile(r"^[245]\.(?:\d{1,3}\.0|7\.1)$")
"""Status codes that say only "refused" (x.y.0 other or undefined, x.7.1 not authorized)."""
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery|<>", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status|failure|failed|report|notification)|returned mail"
    r"|failure notice"
    r"|mail delivery|non.?delivery|could not be delivered|退信|退回|投递失败|发送失败|未能送达|无法投递",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Classified:
    """One recipient's fact with the receiver and the catalog's cause attached."""

    fact: Fact
    receiver: str | None
    cause: Cause | None
    permanent: bool | None
    retry: bool
    matched: bool = False
    """True when the cause matched the text or codes (False: the reason's fallback cause, or none)."""


@dataclass(slots=True)
class Analysis:
    items: list[Classified] = field(default_factory=list)
    kind: str = "unrecognized"
    """bounce, error_text, not_a_failure or unrecognized (see models.InputKind)."""
    text: str = ""
    """The input as text, capped (for bare texts)."""
    cut: bool = False
    """Reading stopped at a limit (messages, lines, recipients) before the end of the input."""

    @property
    def facts(self) -> list[Fact]:
        return [item.fact for item in self.items]

    @property
    def sender(self) -> str:
        return next((item.fact.sender for item in self.items if item.fact.sender), "")


def to_bytes(data: str | bytes, field_name: str = "error_text") -> bytes:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(field_name, f"is {len(raw)} bytes; the limit is {MAX_INPUT_BYTES} bytes (10 MB)")
    return raw


def analyze(data: str | bytes, field: str = "error_text") -> Analysis:
    """Read every message in `data`, classify each recipient and attach its cause.

    Pure and synchronous (no DNS). Raises InputError naming `field` only when the input is over the
    size limit or nests its MIME parts too deep.
    """
    raw = to_bytes(data, field)
    if not raw.strip():
        return Analysis()
    budget = Budget()
    try:
        mails = read_messages(raw, budget)
        items = _classified(mails, budget)
    except NestingError as exc:
        raise InputError(field, str(exc)) from None
    text = _text_of(mails[0])[:20000] if mails else ""
    if not items:
        return Analysis(text=text, cut=budget.cut)
    failed = any(item.fact.reason not in NOT_FAILURES for item in items)
    whole = any(mail.has_headers for mail in mails)
    kind = ("bounce" if whole else "error_text") if failed else "not_a_failure"
    return Analysis(items, kind, text, cut=budget.cut)


def _classified(mails: list[Mail], budget: Budget) -> list[Classified]:
    """Every message's recipients, up to MAX_RECIPIENTS."""
    items: list[Classified] = []
    readings = 0
    for mail in mails:
        if len(items) >= MAX_RECIPIENTS:
            budget.cut = True
            break
        found, as_text = _items_of(
            mail, budget, text_allowed=readings < MAX_TEXT_READINGS, room=MAX_RECIPIENTS - len(items)
        )
        items.extend(found)
        readings += as_text
    return items


def _items_of(mail: Mail, budget: Budget, *, text_allowed: bool, room: int) -> tuple[list[Classified], bool]:
    """One message's recipients (at most `room`): from the report a reader finds in it, else (when
    it is a bounce or a pasted text, and `text_allowed`) the message read as one error text. The
    flag says whether it was read as a text."""
    report, source = _report_of(mail, budget)
    if (
        not mail.has_headers
        and (report is None or report.agent == "rfc3464")
        and len(mail.body) > MATCH_CHARS
    ):
        # A long paste that no MTA's reader recognised: each reply line in it is read on its own
        # rather than the generic reader's run of addresses and text.
        found = _pasted(mail.body, room) if text_allowed else []
        if found:
            return found, True
    if report is not None and len(report.deliveries) > room:
        named = [d for d in report.deliveries if d.recipient]
        if len(named) > room:  # building a fact is most of a recipient's cost: only those kept
            report.deliveries, budget.cut = named[:room], True
    facts = build(report, source) if report else []
    if facts:
        return [_classify(fact, fact.diagnosis) for fact in facts], False
    if not text_allowed or (mail.has_headers and not _looks_like_bounce(mail)):
        return [], False
    text = _text_of(mail)
    if len(text) > MATCH_CHARS:
        found = _pasted(text, room)
        if found:
            return found, True
    item = _text_item(text)
    return ([item] if item else []), True


def _text_item(text: str) -> Classified | None:
    """An error text read on its own (its first MATCH_CHARS characters), if anything is recognised."""
    fact = _bare_fact(text)
    if fact is None:
        return None
    item = _classify(fact, text[:MATCH_CHARS], bare=True)
    recognised = item.matched or fact.status or fact.reply_code or fact.reason not in ("onhold", "undefined")
    return item if recognised else None


def _pasted(text: str, room: int) -> list[Classified]:
    """The error texts anywhere in a long paste (a log excerpt, a forwarded thread, several bounces):
    each reply line found by one linear scan is read with the text around it, once."""
    items: list[Classified] = []
    seen: set[tuple[str, str, str]] = set()
    end = -1
    for match in _REPLY_LINE.finditer(text):
        if match.start() < end:
            continue
        check()
        start = _line_start(text, match.start())
        end = min(len(text), start + _WINDOW_CHARS)
        item = _text_item(text[start:end])
        if item is None:
            continue
        key = (item.fact.recipient, item.fact.status or item.fact.reply_code, item.fact.diagnosis[:120])
        if key in seen:
            continue
        seen.add(key)
        items.append(item)
        if len(items) >= min(room, MAX_PASTED):
            break
    return items


def _line_start(text: str, at: int) -> int:
    """Where the line holding `at` starts, looking back at most _LOOK_BACK characters."""
    lower = max(0, at - _LOOK_BACK)
    cut = text.rfind("\n", lower, at)
    return cut + 1 if cut >= 0 else lower


def _report_of(mail: Mail, budget: Budget) -> tuple[Report | None, Mail]:
    """The report a reader finds, and the message it came from (an attached bounce when the
    wrapper says little: a forwarded notification)."""
    report = _read(mail)
    if (report is None or _weak(report)) and mail.attached:
        for inner in (mail_of(m, budget) for m in mail.attached):
            inner_report = _read(inner)
            if inner_report and not _weak(inner_report):
                return inner_report, inner
    return report, mail


def _text_of(mail: Mail) -> str:
    return f"{mail.subject}\n{mail.body}" if mail.has_headers else mail.body


def _consistent(cause: Cause, reason: str) -> bool:
    """A matched cause explains `reason` when it says the same, when it is a specific cause (not one
    of the generic per-reason entries), when it is the receiver's own reading of its codes, or when
    the catalog says it explains that reason too (a blocklist listing the reason tables call
    spamdetected from the list's link)."""
    return (
        cause.reason == reason
        or not cause.fallback_for
        or cause.match.receiver is not None
        or reason in cause.fallback_for
        or reason in cause.explains
    )


def _vague(fact: Fact, cause: Cause | None, *, bare: bool) -> bool:
    """Whether the reason read so far says too little, so that the matched cause may replace it.

    For a bounce only onhold/undefined do. For a text on its own, a reason that came from a status
    class or a code that only says "refused" (5.7.1) does too; one read from a specific code
    (5.7.23, SPF failed) stands, unless the cause is the receiver's own reading of its codes.
    """
    if fact.reason in ("onhold", "undefined"):
        return True
    if not bare or fact.reason not in _VAGUE_IN_TEXT:
        return False
    receiver_bound = cause is not None and cause.match.receiver is not None
    return receiver_bound or not fact.status or bool(_GENERIC_STATUS.match(fact.status))


def _read(mail: Mail) -> Report | None:
    try:
        return lhost.read_report(mail)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError, LookupError):
        # A reader tripped on a malformed message: treat it as not understood.
        return None


def _weak(report: Report) -> bool:
    """No recipient of the report carries a status or reply code: it says little."""
    return not any(d.status or find_status(d.diagnosis) or find_reply(d.diagnosis) for d in report.deliveries)


def _looks_like_bounce(mail: Mail) -> bool:
    return bool(_BOUNCE_SENDER.search(mail.header("from")) or _BOUNCE_SUBJECT.search(mail.subject))


def _classify(fact: Fact, text: str, *, bare: bool = False) -> Classified:
    """Attach the receiver and the catalog cause; let the cause correct what the text could not tell."""
    check()
    cat = catalog()
    receiver = detect(text, fact.remote_host, fact.destination)
    if fact.reason in NOT_FAILURES:
        return Classified(fact, receiver, None, None, False)
    app_message = bare and not fact.status and not fact.reply_code
    cause = cat.find(
        text, status=fact.status, reply=fact.reply_code, receiver=receiver, app_message=app_message
    )
    matched = cause is not None
    vague = _vague(fact, cause, bare=bare)
    # The catalog fills in a vague reason with a specific cause; generic phrases only do so for a
    # text on its own (for bounces the reason tables have already read those phrases).
    if cause and (cause.override or (vague and (bare or not cause.fallback_for))):
        fact.reason = cause.reason
    elif cause and not _consistent(cause, fact.reason):
        # A generic phrase pointing elsewhere than the reason read from the bounce: explain the reason.
        cause, matched = None, False
    cause = cause or cat.fallback(fact.reason)
    entry = tables().data.reasons.get(fact.reason)  # type: ignore[call-overload]
    permanent = fact.permanent
    if permanent is None or (cause is not None and cause.override and cause.permanent is not None):
        if cause is not None and cause.permanent is not None:
            permanent = cause.permanent
        elif entry is not None and fact.reason not in ("onhold", "undefined"):
            permanent = not entry.retry
    retry = cause.retry if cause is not None else bool(entry and entry.retry)
    retry = retry or permanent is False
    fact.permanent = permanent
    return Classified(fact, receiver, cause, permanent, retry, matched)


def _bare_fact(text: str) -> Fact | None:
    """One fact from an error text that is not a bounce message: a reply line or an app's message."""
    cleaned = sweep(text[:MATCH_CHARS])
    if not cleaned:
        return None
    recipient = find_recipient(cleaned)
    d = Delivery(
        # The fact builder needs an address; a text that names none gets a placeholder, removed below.
        recipient=recipient or "unknown@invalid",
        status=find_status(cleaned),
        reply_code=find_reply(cleaned),
        diagnosis=cleaned,
        command=find_command(text[:MATCH_CHARS]),
        remote_host=_host_in(cleaned),
        agent="text",
    )
    facts = build(Report([d]), _EMPTY)
    if not facts:
        return None
    fact = facts[0]
    if not recipient:
        fact.recipient = ""
    if fact.reason not in NOT_FAILURES:
        # A line on its own has no SMTP session around it: read it the way a bare text is read,
        # by the receiver's own table first when its wording names it (`gsmtp` ...).
        receiver = detect(cleaned, fact.remote_host, fact.destination)
        evidence = Evidence(
            "", fact.status, fact.reply_code, fact.diagnosis, fact.spec, fact.action, fact.command
        )
        text_reason = (reading.reason_of(receiver, evidence) if receiver else "") or match_text(
            cleaned, fact.status
        )
        if text_reason != "undefined" or fact.reason in ("onhold", "undefined"):
            fact.reason = "onhold" if text_reason == "undefined" else text_reason
    return fact


MAX_PASTED = 50
"""Error texts read from one long paste."""
_WINDOW_CHARS = 1200
_LOOK_BACK = 300
_REPLY_LINE = re.compile(
    r"\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b"  # 550 5.1.1 / 550-5.7.26
    r"|(?m:^[ \t>]*[45]\d\d[ -](?=[A-Za-z<\[#(]))"  # a reply line: 554 Reject by ...
    r"|\b(?:said|replied|answered|Remote host said):?[ \t]+[45]\d\d\b"
    r"|Diagnostic-Code:|\(#[45]\.\d\.\d+\)"
    r"|(?:退信原因|错误原因|失败原因|拒收原因)[:：]",
    re.IGNORECASE,
)
"""Where an error text can start in a long paste: a reply code with its enhanced status, a line that
starts with a reply code, a relayed reply, a DSN's Diagnostic-Code, a Chinese notice's reason."""

_EMPTY = Mail(headers={}, has_headers=False)
_HOST = re.compile(
    r"(?:(?<!client )\b(?:host|to|by)\s+|^)((?:[a-z0-9-]+\.)+[a-z]{2,63})\.?\s*\[[0-9a-f.:]+\]"
    r"|\b((?:[a-z0-9-]+\.)+[a-z]{2,63})\.?\s*\[[0-9a-f.:]+\][\s:]*(?:said|replied|answered|回复|返回)",
    re.IGNORECASE,
)
"""The remote host as a reply line names it: `host mx.example[192.0.2.1] said`, `connect to
mx.example[192.0.2.1]`, `mx.example [192.0.2.1] 回复：`; not the sending client the receiver quotes
(`<client.example[192.0.2.9]>: Client host rejected`)."""


def _host_in(text: str) -> str:
    match = _HOST.search(text)
    return (match.group(1) or match.group(2)).lower() if match else ""
