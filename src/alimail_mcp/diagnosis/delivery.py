"""What a reader extracts from a bounce: one `Delivery` per failed recipient, grouped in a `Report`.

These are plain dataclasses (not pydantic): the readers fill them field by field, thousands of
times per second in the bench, and only the final facts become result models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXT_CHARS = 8_000
"""What a reader collects line by line for one recipient (its error text, other error lines) stops
growing past this many characters: nine times the longest error text of the bounce corpus."""


def appended(text: str, more: str) -> str:
    """`text` with `more` added, up to TEXT_CHARS in all. A reader adds a line at a time, and a string
    grown without end for every line of a long input is copied whole each time."""
    return text + more[: TEXT_CHARS - len(text)] if len(text) < TEXT_CHARS else text


@dataclass(slots=True)
class Delivery:
    """One recipient's delivery status as read from the message, before classification."""

    recipient: str = ""
    alias: str = ""
    """The address as the sender wrote it, when the MTA rewrote it (Original-Recipient, aliases)."""
    action: str = ""
    """RFC 3464 Action: failed, delayed, delivered, relayed, expanded."""
    status: str = ""
    """RFC 3463 enhanced status code, e.g. 5.1.1."""
    reply_code: str = ""
    """SMTP reply code, e.g. 550."""
    diagnosis: str = ""
    """The error text (Diagnostic-Code or the MTA's message)."""
    spec: str = ""
    """The diagnostic type: SMTP, X-UNIX, X-POSTFIX ..."""
    command: str = ""
    """The SMTP command the error answered: CONN, HELO, EHLO, MAIL, RCPT, DATA."""
    remote_host: str = ""
    """The remote host that gave the error."""
    lhost: str = ""
    """The local host that reported it."""
    date: str = ""
    reason: str = ""
    """A reason the reader is sure of (its own table); the reason step decides the rest."""
    feedback_type: str = ""
    agent: str = ""
    """The reader that produced this delivery (postfix, exim, rfc3464 ...)."""
    alterrors: str = ""
    """Other error text seen near the recipient, used when `diagnosis` is empty or too short."""


@dataclass(slots=True)
class Report:
    """What one reader made of one message."""

    deliveries: list[Delivery]
    original: str = ""
    """Headers of the original (returned) message, as text."""
    agent: str = ""


@dataclass(slots=True)
class Mail:
    """One message, read and flattened for the readers."""

    headers: dict[str, str]
    """Lower-case header name -> first value, unfolded."""
    received: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    """Text parts decoded, delivery-status and rfc822 parts inlined behind a Content-Type line; LF only."""
    has_headers: bool = True
    """False when the input was a bare text (no header block): readers that need headers skip it."""
    attached: list[Any] = field(default_factory=list)
    """Attached messages that look like bounces themselves (a forwarded notification), unread."""

    def header(self, name: str) -> str:
        return self.headers.get(name, "")
