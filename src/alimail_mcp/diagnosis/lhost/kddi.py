"""au one net (KDDI, dion.ne.jp): "Your mail sent on ... Could not be delivered to: <...>"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address, is_address

_START = re.compile(r"^Your mail (?:sent on:? [A-Z][a-z]{2},|attempted to be delivered on:? [A-Z][a-z]{2},)")
_MESSAGES = (
    ("mailboxfull", ("As their mailbox is full",)),
    ("norelaying", ("Due to the following SMTP relay error",)),
    ("hostunknown", ("As the remote domain doesnt exist",)),
)


def read(mail: Mail) -> Report | None:
    match = bool(re.search(r"no-reply@.+\.dion\.ne\.jp", mail.header("from")))
    match = match or mail.header("reply-to") == "no-reply@app.auone-net.jp"
    match = match or any("ezweb.ne.jp (" in r or ".au.com (" in r for r in mail.received)
    if not match:
        return None
    head, _ = fillet(mail.body)
    deliveries = [Delivery()]
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
        if not reading or not line:
            continue
        d = deliveries[-1]
        if m := re.match(r"^[ \t]+Could not be delivered to: <([^ ]+@[^ ]+)>", line):
            address = first_address(m.group(1))
            if not is_address(address):
                continue
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = address
        elif m := re.search(r"Your mail sent on: (.+)$", line):
            d.date = m.group(1)
        elif line[:1] in " \t":
            d.diagnosis = appended(d.diagnosis, line + " ")
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.reason = (
            "filtered" if mail.header("x-spasign") == "NG" else reason_by_phrase(d.diagnosis, _MESSAGES)
        )
    return Report(deliveries, "", "kddi") if deliveries else None
