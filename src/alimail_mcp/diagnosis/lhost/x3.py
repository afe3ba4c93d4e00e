"""An unnamed MTA ("X3"): "This is an automatically generated Delivery Status Notification."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
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
            reading = line.startswith("      This is an automatically generated Delivery Status Notification.")
            continue
        if not line:
            continue
        if m := re.match(r"^[ \t]+\*[ \t]([^ ]+@[^ ]+)$", line):
            deliveries.append(Delivery(recipient=m.group(1)))
        elif deliveries:
            d = deliveries[-1]
            if m := re.match(r"^SMTP:([^ ]+)[ \t](.+)$", line):
                d.command, d.diagnosis = m.group(1).upper(), m.group(2)
            elif m := (re.match(r"^Routing: (.+)", line) or re.match(r"^Diagnostic-Code: smtp; (.+)", line)):
                d.diagnosis = m.group(1)
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.status = find_status(d.diagnosis)
    return Report(deliveries, original, "x3") if deliveries else None
