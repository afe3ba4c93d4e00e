"""Amazon WorkMail: "Technical report:" followed by delivery-status fields."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, refine_status
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.diagnosis.smtp import sweep


def read(mail: Mail) -> Report | None:
    mailer = mail.header("x-original-mailer") or mail.header("x-mailer")
    if not (mail.header("x-ses-outgoing") and mailer == "Amazon WorkMail"):
        return None
    head, original = fillet(mail.body)
    deliveries, _ = read_fields(
        head,
        lambda line: line.startswith("Technical report:"),
        stop=lambda line: line.startswith("<!DOCTYPE HTML><html>"),
    )
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        refine_status(d)
        if m := rx(r"<([245]\d\d) .+>").search(d.diagnosis):
            d.reply_code = m.group(1)
        d.reason = d.reason or tables().status_reason(d.status)
    return Report(deliveries, original, "amazonworkmail") if deliveries else None
