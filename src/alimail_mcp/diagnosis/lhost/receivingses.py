"""Amazon SES receiving side: "This message could not be delivered." plus delivery-status fields."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, refine_status
from alimail_mcp.diagnosis.smtp import sweep


def read(mail: Mail) -> Report | None:
    if not mail.header("x-ses-outgoing"):
        return None
    head, original = fillet(mail.body)
    deliveries, _ = read_fields(head, lambda line: line.startswith("This message could not be delivered."))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        refine_status(d)
        # No reason here: Sisimai 5 reads these notices as plain delivery reports, and the reason
        # step reads SES's few phrases ("Mailbox does not exist", "Message content rejected") right.
    return Report(deliveries, original, "receivingses") if deliveries else None
