"""HCL (IBM, Lotus) Domino: "DELIVERY FAILURE: ..." notices."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import TARGET, field_kind, parse_field
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.diagnosis.status_codes import pseudo_status
from alimail_mcp.mail.addresses import first_address

_MESSAGES = (
    (
        "userunknown",
        (
            "not listed in Domino Directory",
            "not listed in public Name & Address Book",
            "non répertorié dans l'annuaire Domino",
            "Domino ディレクトリには見つかりません",
        ),
    ),
    ("filtered", ("Cannot route mail to user",)),
    ("systemerror", ("Several matches found in Domino Directory",)),
)


def read(mail: Mail) -> Report | None:
    if not rx(r"^DELIVERY(?: |_)FAILURE:").match(mail.subject):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    reading = False
    recipients = 0
    subject = ""
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("Your message")
            continue
        if not line:
            continue
        d = deliveries[-1]
        if line == "was not delivered to:":
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = d.recipient or line
            recipients += 1
        elif m := rx(r"^  ([^ ]+@[^ ]+)$").match(line):
            d.recipient = first_address(m.group(1)) or m.group(1)
        elif line == "because:" or d.diagnosis == "because:":
            d.diagnosis = line
        elif m := rx(r"^  Subject: (.+)$").match(line):
            subject = m.group(1)
        elif kind := field_kind(line):
            f = parse_field(line)
            if not f or f.kind == "addr":
                continue
            if f.kind == "code":
                d.spec = d.spec or f.type
                d.diagnosis = d.diagnosis or f.value
            elif f.name in TARGET:
                setattr(d, TARGET[f.name], f.value)
                if kind == 1:
                    per_message[TARGET[f.name]] = f.value
    if not recipients:
        return None
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.recipient = first_address(d.recipient) or d.recipient
        for key, value in per_message.items():
            if not getattr(d, key):
                setattr(d, key, value)
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
        if d.reason:
            d.status = d.status or pseudo_status(d.reason)
    if subject and not re.search(r"^Subject:", original, re.MULTILINE):
        original += f"Subject: {subject}\n"
    return Report([d for d in deliveries if "@" in d.recipient], original, "domino")
