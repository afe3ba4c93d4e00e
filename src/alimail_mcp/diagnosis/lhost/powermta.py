"""PowerMTA: "Delivery report" with its own X-PowerMTA-BounceCategory field."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import NOT_FIELD, RECIPIENT, dsn_line, fill_per_message, fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Content-Type:[ ]text/rfc822-headers", re.MULTILINE)
_CATEGORIES = {
    "bad-domain": "hostunknown",
    "bad-mailbox": "userunknown",
    "inactive-mailbox": "suspend",
    "message-expired": "expired",
    "no-answer-from-host": "networkerror",
    "policy-related": "policyviolation",
    "quota-issues": "mailboxfull",
    "routing-errors": "systemerror",
    "spam-related": "spamdetected",
}


def read(mail: Mail) -> Report | None:
    if "Delivery report" not in mail.subject:
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    categories: dict[int, str] = {}
    reading = False
    recipients = 0
    for line in head.split("\n"):
        if not reading:
            reading = "Hello, this is the mail server on " in line
            continue
        if not line:
            continue
        kind = dsn_line(line, deliveries, per_message)
        if kind == RECIPIENT:
            recipients += 1
        elif kind == NOT_FIELD and (m := rx(r"^X-PowerMTA-BounceCategory:[ ]*(.+)$").match(line)):
            categories[len(deliveries) - 1] = m.group(1)
    if not recipients:
        return None
    fill_per_message(deliveries, per_message)
    for index, d in enumerate(deliveries):
        d.diagnosis = sweep(d.diagnosis)
        d.reason = _CATEGORIES.get(categories.get(index, ""), "")
    return Report(deliveries, original, "powermta")
