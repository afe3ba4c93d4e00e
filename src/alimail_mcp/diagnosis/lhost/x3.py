"""An unnamed MTA ("X3"): "This is an automatically generated Delivery Status Notification."."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_status, sweep


def read(mail: Mail) -> Report | None:
    if not mail.header("from").startswith("Mail Delivery System"):
        return None
    if not mail.subject.startswith("Delivery status notification"):
        return None
    head, original = fillet(mail.body)
    deliveries: list[Delivery] = []
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith(
                "      This is an automatically generated Delivery Status Notification."
            )
            continue
        if not line:
            continue
        if m := rx(r"^[ \t]+\*[ \t]([^ ]+@[^ ]+)$").match(line):
            deliveries.append(Delivery(recipient=m.group(1)))
        elif deliveries:
            d = deliveries[-1]
            if m := rx(r"^SMTP:([^ ]+)[ \t](.+)$").match(line):
                d.command, d.diagnosis = m.group(1).upper(), m.group(2)
            elif m := (rx(r"^Routing: (.+)").match(line) or rx(r"^Diagnostic-Code: smtp; (.+)").match(line)):
                d.diagnosis = m.group(1)
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.status = find_status(d.diagnosis)
    return Report(deliveries, original, "x3") if deliveries else None
