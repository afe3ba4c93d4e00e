"""Outlook.com / Hotmail (the consumer service): "This is an automatically generated Delivery Status
Notification"."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, reason_by_phrase
from alimail_mcp.diagnosis.smtp import sweep

_MESSAGES = (
    (
        "hostunknown",
        ("The mail could not be delivered to the recipient because the domain is not reachable",),
    ),
    ("userunknown", ("Requested action not taken: mailbox unavailable",)),
)


def read(mail: Mail) -> Report | None:
    score = int("Delivery Status Notification" in mail.subject)
    score += bool(mail.header("x-message-delivery")) + bool(mail.header("x-message-info"))
    score += any(".hotmail.com" in r for r in mail.received)
    if score < 2:
        return None
    head, original = fillet(mail.body)
    deliveries, _ = read_fields(
        head, lambda line: line.startswith("This is an automatically generated Delivery Status Notification")
    )
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if not d.diagnosis:
            d.diagnosis = (
                "Delivery to the following recipients has been delayed."
                if d.action == "delayed"
                else "Unable to deliver message to the following recipients, due to being unable to connect "
                "successfully to the destination mail server."
            )
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
    return Report(deliveries, original, "outlook") if deliveries else None
