"""GMX and web.de: "This message was created automatically by mail delivery software" with X-GMX-Antispam."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^--- The header of the original message is following\. ---", re.MULTILINE)
_CODES = re.compile(r"\b[45]\.\d\.\d\b|<[^ ]+@[^ ]+>|\b[45]\d{2}\b")


def read(mail: Mail) -> Report | None:
    if not mail.header("x-gmx-antispam"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("This message was created automatically by mail delivery software")
            continue
        if not line:
            continue
        d = deliveries[-1]
        if m := re.match(r'^"([^ ]+@[^ ]+)":$', line) or re.match(r"^<([^ ]+@[^ ]+)>$", line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
        elif m := re.match(r"^SMTP error .+ ([A-Z]{4}) command:$", line):
            d.command = m.group(1)
        elif m := re.match(r"^host:[ \t]*(.+)$", line):
            d.remote_host = m.group(1)
        elif _CODES.search(line):
            d.diagnosis = d.diagnosis or line
        elif line == "Reason:" or d.diagnosis == "Reason:":
            d.diagnosis = line
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if "delivery retry timeout exceeded" in d.diagnosis:
            d.reason = "expired"
    return Report(deliveries, original, "gmx") if deliveries else None
