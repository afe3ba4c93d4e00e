"""Yahoo! Mail: "Sorry, we were unable to deliver your message to the following address."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^--- Below this line is a copy of the message\.", re.MULTILINE)


def read(mail: Mail) -> Report | None:
    if not mail.header("x-ymailisg"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("Sorry, we were unable to deliver your message")
            continue
        if not line:
            continue
        if m := rx(r"^<(.+@.+)>:[ \t]*$").match(line):
            deliveries.append(Delivery(recipient=m.group(1)))
            continue
        if not deliveries:
            continue
        d = deliveries[-1]
        if line.startswith("Remote host said:"):
            d.diagnosis = line
            if m := rx(r"\[([A-Z]{4}).*\]$").search(line):
                d.command = m.group(1)
        elif d.diagnosis == "Remote host said:":
            if m := rx(r"\[([A-Z]{4}).*\]$").search(line):
                d.command = m.group(1)
            else:
                d.diagnosis = line
        else:
            d.diagnosis = appended(d.diagnosis, " " + line)
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if not d.command and rx(r"<.+@.+>").search(d.diagnosis):
            d.command = "RCPT"
    return Report(deliveries, original, "yahoo") if deliveries else None
