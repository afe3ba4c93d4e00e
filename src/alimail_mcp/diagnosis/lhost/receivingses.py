"""Amazon SES receiving side: "This message could not be delivered." plus delivery-status fields."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, reason_by_phrase, refine_status
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.diagnosis.smtp import sweep

_MESSAGES = (
    ("filtered", ("Mailbox does not exist",)),
    ("mesgtoobig", ("Message too large",)),
    ("mailboxfull", ("Mailbox full",)),
    ("contenterror", ("Message content rejected",)),
)


def read(mail: Mail) -> Report | None:
    if not mail.header("x-ses-outgoing"):
        return None
    head, original = fillet(mail.body)
    deliveries, _ = read_fields(head, lambda line: line.startswith("This message could not be delivered."))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        refine_status(d)
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES) or tables().status_reason(d.status)
    return Report(deliveries, original, "receivingses") if deliveries else None
