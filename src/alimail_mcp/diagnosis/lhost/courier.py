"""Courier MTA: "UNDELIVERABLE MAIL" / "DELAYS IN DELIVERING YOUR MESSAGE"."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields_and_session, reason_by_phrase
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_MESSAGES = (
    ("hostunknown", ("No such domain.",)),
    ("systemerror", ("This domain's DNS violates RFC 1035.",)),
    ("networkerror", ("DNS lookup failed.",)),
)


def read(mail: Mail) -> Report | None:
    match = "Courier mail server at " in mail.header("from")
    match = match or bool(
        rx(r"(?:NOTICE: mail delivery status\.|WARNING: delayed mail\.)").search(mail.subject)
    )
    match = match or bool(rx(r"^<courier\.[0-9A-F]+\.").match(mail.header("message-id")))
    if not match:
        return None
    head, original = fillet(mail.body)
    deliveries, session = read_fields_and_session(
        head, lambda line: "DELAYS IN DELIVERING YOUR MESSAGE" in line or "UNDELIVERABLE MAIL" in line
    )
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
        d.command = d.command or (session.commands[0] if session.commands else "")
    return Report(deliveries, original, "courier") if deliveries else None
