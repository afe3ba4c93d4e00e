"""McAfee Email Gateway: "Delivery Status" with "--- The following addresses had delivery problems ---"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import TARGET, field_kind, parse_field
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_USER_UNKNOWN = re.compile(
    r"(?: User \(.+@.+\) unknown\. |550 Unknown user [^ ]+@[^ ]+"
    r"|550 <.+?@.+?>\.+ User not exist|No such user)"
)


def read(mail: Mail) -> Report | None:
    if "Modified by McAfee" not in mail.header("x-nai-header") or mail.subject != "Delivery Status":
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    reading = False
    recipients = 0
    note = previous = ""
    for line in head.split("\n"):
        if not reading:
            reading = "--- The following addresses had delivery problems ---" in line
            continue
        if not line:
            previous = line
            continue
        d = deliveries[-1]
        if m := rx(r"^<([^ ]+@[^ ]+)>[ \t]+\((.+)\)$").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient, note = m.group(1), m.group(2)
            recipients += 1
        elif field_kind(line):
            f = parse_field(line)
            if not f:
                if m := rx(r"^Original-Recipient:[ ]*([^ ]+)$").match(line):
                    d.alias = first_address(m.group(1))
            elif f.name in TARGET:
                setattr(d, TARGET[f.name], f.value)
        elif previous.startswith("Diagnostic-Code:") and (m := rx(r"^[ \t]+(.+)$").match(line)):
            d.diagnosis = appended(d.diagnosis, " " + m.group(1))
        previous = line
    if not recipients:
        return None
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis or note)
        if _USER_UNKNOWN.search(d.diagnosis):
            d.reason = "userunknown"
    return Report(deliveries, original, "mcafee")
