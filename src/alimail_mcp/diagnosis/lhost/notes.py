"""Lotus Notes (older releases): "Undeliverable message" with "------- Failure Reasons"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.diagnosis.status_codes import pseudo_status
from alimail_mcp.mail.addresses import first_address

_ORIGINAL = re.compile(r"^------- Returned Message --------", re.MULTILINE)
_MESSAGES = (
    ("userunknown", ("User not listed in public Name & Address Book", "ディレクトリのリストにありません")),
    ("networkerror", ("Message has exceeded maximum hop count",)),
)


def read(mail: Mail) -> Report | None:
    if not mail.subject.startswith("Undeliverable message"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    reading = False
    recipients = 0
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("------- Failure Reasons ")
            continue
        d = deliveries[-1]
        if rx(r"^[^ ]+@[^ ]+").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = d.recipient or line
            recipients += 1
        elif line and not line.startswith("-"):
            d.diagnosis = appended(d.diagnosis, line)
    if not recipients and (m := re.search(r"^To:[ ]*(.+)$", original, re.MULTILINE)):
        deliveries[-1].recipient = first_address(m.group(1))
        recipients = int(bool(deliveries[-1].recipient))
    if not recipients:
        return None
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.recipient = first_address(d.recipient) or d.recipient
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
        if d.reason:
            d.status = pseudo_status(d.reason)
    return Report([d for d in deliveries if d.recipient], original, "notes")
