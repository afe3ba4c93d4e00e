"""Pieces every MTA reader uses: split the body at the returned message, apply DSN fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from alimail_mcp.diagnosis.delivery import Delivery, appended
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import TARGET, field_kind, parse_field, set_field
from alimail_mcp.diagnosis.smtp import find_status

ORIGINAL = re.compile(r"^Content-Type:[ ]*(?:message/rfc822|text/rfc822-headers)", re.MULTILINE)


def fillet(body: str, marker: re.Pattern[str] = ORIGINAL) -> tuple[str, str]:
    """(error part, headers of the returned message) split at the first `marker` line."""
    parts = marker.split(body, maxsplit=1)
    if len(parts) < 2:
        return body, ""
    original = parts[-1].lstrip("\r\n\t ")
    end = original.find("\n\n")
    if end > 0:
        original = original[: end + 1]
    if original and not original.endswith("\n"):
        original += "\n"
    return parts[0], original


NOT_FIELD, FIELD, RECIPIENT = 0, 1, 2


def dsn_line(line: str, deliveries: list[Delivery], per_message: dict[str, str]) -> int:
    """Apply one RFC 3464 field line to the last delivery (a new Final-Recipient opens a new one).

    Returns NOT_FIELD, FIELD, or RECIPIENT when the line was a Final-Recipient.
    """
    kind = field_kind(line)
    if not kind:
        return NOT_FIELD
    f = parse_field(line)
    if not f:
        return FIELD
    d = deliveries[-1]
    if f.kind == "addr":
        if f.name == "final-recipient":
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = f.value
            return RECIPIENT
        else:
            d.alias = f.value
    elif f.kind == "code":
        d.spec = f.type
        d.diagnosis = f.value
    else:
        set_field(d, f)
        if kind == 1:
            per_message[TARGET.get(f.name, f.name)] = f.value
    return FIELD


def fill_per_message(deliveries: list[Delivery], per_message: dict[str, str]) -> None:
    for d in deliveries:
        for key, value in per_message.items():
            if hasattr(d, key) and not getattr(d, key):
                setattr(d, key, value)


def reason_by_phrase(
    text: str, table: tuple[tuple[str, tuple[str, ...]], ...], *, lower: bool = False
) -> str:
    """The first reason of `table` one of whose phrases `text` contains (as written, or lower-cased)."""
    haystack = text.lower() if lower else text
    for reason, phrases in table:
        if any(p in haystack for p in phrases):
            return reason
    return ""


def read_fields(
    text: str, starts: Callable[[str], bool], *, stop: Callable[[str], bool] | None = None
) -> tuple[list[Delivery], dict[str, str]]:
    """DSN fields after the first line for which `starts` is true (continuation lines of
    Diagnostic-Code included). Returns the deliveries with a recipient and the per-message fields."""
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    reading = False
    previous = ""
    for line in text.split("\n"):
        if not reading:
            reading = starts(line)
            continue
        if stop and stop(line):
            break
        if not line:
            previous = line
            continue
        is_field = dsn_line(line, deliveries, per_message) != NOT_FIELD
        if not is_field and previous.startswith("Diagnostic-Code:") and line[:1] in " \t":
            deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, " " + line.strip())
            line = "Diagnostic-Code: " + line
        previous = line
    found = [d for d in deliveries if d.recipient]
    fill_per_message(found, per_message)
    for d in found:
        d.lhost = d.lhost or per_message.get("remote_host", "")
    return found, per_message


def refine_status(d: Delivery) -> None:
    """A vague x.0.0 / x.1.0 status gives way to a code quoted in the error text."""
    if rx(r"^[45]\.[01]\.0$").match(d.status):
        quoted = rx(r"[\"'](\d\.\d\.\d.+)['\"]").search(d.diagnosis)
        d.status = find_status(quoted.group(1) if quoted else d.diagnosis) or d.status


@dataclass(slots=True)
class Session:
    """What the lines around the DSN fields said about the SMTP session."""

    commands: list[str] = field(default_factory=list)
    """SMTP commands in order: `>>> RCPT To:` transcript lines, `(in reply to RCPT TO command)`."""
    replies: list[str] = field(default_factory=list)
    """`<<< 550 ...` transcript lines."""


def read_fields_and_session(text: str, starts: Callable[[str], bool]) -> tuple[list[Delivery], Session]:
    """Like `read_fields`, also collecting the session transcript and `in reply to` commands."""
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    session = Session()
    reading = False
    previous = ""
    for line in text.split("\n"):
        if not reading:
            reading = starts(line)
            continue
        if not line:
            previous = line
            continue
        if dsn_line(line, deliveries, per_message) == NOT_FIELD:
            if m := rx(r"^>{3}[ ]+([A-Z]{4}) ?").match(line):
                session.commands.append(m.group(1))
            elif m := rx(r"^<{3}[ ]+(.+)$").match(line):
                session.replies.append(m.group(1))
            elif m := (
                rx(r"[ \t]\(in reply to .*?([A-Z]{4}).*").search(line)
                or rx(r"([A-Z]{4})[ \t]*.*command\)$").search(line)
            ):
                session.commands.append(m.group(1))
            elif previous.startswith("Diagnostic-Code:") and line[:1] in " \t":
                deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, " " + line.strip())
                line = "Diagnostic-Code: " + line
        previous = line
    found = [d for d in deliveries if d.recipient]
    fill_per_message(found, per_message)
    for d in found:
        d.lhost = d.lhost or per_message.get("remote_host", "")
    return found, session
