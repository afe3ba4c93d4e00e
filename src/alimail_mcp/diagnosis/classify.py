"""Parse and classify, synchronously and without the network: the pure core of diagnose_send_error.

`analyze(data)` accepts a whole message (or mbox), a bounce body pasted without headers, or a
single SMTP/webmail/client error line, and returns one fact per recipient. It never raises on
malformed input; `MAX_INPUT_BYTES` bounds the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alimail_mcp.diagnosis import lhost
from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.fact import Fact, build
from alimail_mcp.diagnosis.message import read_messages
from alimail_mcp.diagnosis.rfc5322 import find_addresses
from alimail_mcp.diagnosis.smtp import find_command, find_reply, find_status, sweep
from alimail_mcp.errors import InputError

MAX_INPUT_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class Analysis:
    facts: list[Fact] = field(default_factory=list)
    kind: str = "none"
    """`bounce` (a message a reader understood), `text` (a bare error text), `none` (nothing found)."""
    text: str = ""
    """The input as text (for the catalog match of bare texts), capped."""


def to_bytes(data: str | bytes, field_name: str = "error_text") -> bytes:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(field_name, f"is {len(raw)} bytes; the limit is {MAX_INPUT_BYTES} bytes (10 MB)")
    return raw


def analyze(data: str | bytes) -> Analysis:
    """Read every message in `data` and classify each recipient. Raises InputError only for size."""
    raw = to_bytes(data)
    if not raw.strip():
        return Analysis()
    mails = read_messages(raw)
    facts: list[Fact] = []
    for mail in mails:
        try:
            report = lhost.read_report(mail)
        except (ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError):
            # A reader tripped on a malformed message: treat it as not understood.
            report = None
        if report:
            facts.extend(build(report, mail))
    if facts:
        return Analysis(facts, "bounce")
    mail = mails[0] if mails else None
    if mail is None:
        return Analysis()
    text = mail.body if not mail.has_headers else _headers_and_body(mail)
    fact = _bare_fact(text)
    return Analysis([fact] if fact else [], "text" if fact else "none", text[:20000])


def _headers_and_body(mail: Mail) -> str:
    return f"{mail.subject}\n{mail.body}"


def _bare_fact(text: str) -> Fact | None:
    """One fact from an error text that is not a bounce message: a reply line or an app's message."""
    cleaned = sweep(text[:4000])
    if not cleaned:
        return None
    addresses = find_addresses(cleaned)
    d = Delivery(
        recipient=addresses[0] if addresses else "",
        status=find_status(cleaned),
        reply_code=find_reply(cleaned),
        diagnosis=cleaned,
        command=find_command(text[:4000]),
        rhost=_host_in(cleaned),
        agent="text",
    )
    facts = build(Report([Delivery(**{**_as_dict(d), "recipient": d.recipient or "unknown@invalid"})]), _EMPTY)
    if not facts:
        return None
    fact = facts[0]
    if not d.recipient:
        fact.recipient = ""
    return fact


_EMPTY = Mail(headers={}, has_headers=False)
_HOST = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|net|org|cn|jp|de|fr|uk|io|test))\b(?:\s*\[[0-9a-f.:]+\])", re.IGNORECASE)


def _host_in(text: str) -> str:
    match = _HOST.search(text)
    return match.group(1).lower() if match else ""


def _as_dict(d: Delivery) -> dict[str, str]:
    return {name: getattr(d, name) for name in d.__slots__}  # type: ignore[attr-defined]
