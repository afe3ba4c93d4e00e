"""Apache James: "[BOUNCE]" notices with "Error message below:"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep


def read(mail: Mail) -> Report | None:
    match = mail.subject == "[BOUNCE]" or ".JavaMail." in mail.header("message-id")
    match = match or any("JAMES SMTP Server" in r for r in mail.received)
    if not match:
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    reading = done = False
    recipients = 0
    subject = ""
    for line in head.split("\n"):
        if not reading:
            reading = line == ""
            continue
        if not line:
            continue
        d = deliveries[-1]
        if m := rx(r"^  RCPT TO: ([^ ]+@[^ ]+)$").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
            recipients += 1
        elif m := rx(r"^  Sent date: (.+)$").match(line):
            d.date = m.group(1)
        elif m := rx(r"^  Subject: (.+)$").match(line):
            subject = m.group(1)
        elif not done:
            if d.diagnosis:
                if line == "Message details:":
                    done = True
                else:
                    d.diagnosis = appended(d.diagnosis, " " + line)
            elif line == "Error message below:":
                d.diagnosis = line
    if not recipients:
        return None
    if subject and not re.search(r"^Subject:", original, re.MULTILINE):
        original += f"Subject: {subject}\n"
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
    return Report(deliveries, original, "apachejames")
