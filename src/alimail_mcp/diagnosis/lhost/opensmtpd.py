"""OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^[ ]+Below is a copy of the original message:", re.MULTILINE)
_MESSAGES = (
    ("expired", ("Envelope expired",)),
    ("hostunknown", ("Invalid domain name", "Domain does not exist")),
    (
        "notaccept",
        ("Destination seem to reject all mails", "No MX found for domain", "No MX found for destination"),
    ),
    (
        "networkerror",
        (
            "Address family mismatch on destination MXs",
            "All routes to destination blocked",
            "bad DNS lookup error code",
            "Could not retrieve source address",
            "Loop detected",
            "Network error on destination MXs",
            "No valid route to remote MX",
            "No valid route to destination",
            "Temporary failure in MX lookup",
        ),
    ),
    ("securityerror", ("Could not retrieve credentials",)),
)


def read(mail: Mail) -> Report | None:
    if "Delivery status notification" not in mail.subject or "Mailer Daemon <" not in mail.header("from"):
        return None
    if not any(" (OpenSMTPD) with " in r for r in mail.received):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("    This is the MAILER-DAEMON, please DO NOT REPLY to this")
            continue
        if m := rx(r"^([^ ]+?@[^ ]+?):? (.+)$").match(line):
            deliveries.append(Delivery(recipient=m.group(1), diagnosis=m.group(2)))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
    return Report(deliveries, original, "opensmtpd") if deliveries else None
