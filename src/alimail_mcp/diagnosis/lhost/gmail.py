"""Gmail's older plain-text notices: "Delivery to the following recipient failed permanently"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.diagnosis.smtp import find_status, sweep
from alimail_mcp.mail.addresses import first_address, is_address

_ORIGINAL = re.compile(r"^[ ]*----- (?:Original message|Message header follows) -----", re.MULTILINE)
_MESSAGES = (
    (
        "expired",
        (
            "DNS Error: Could not contact DNS servers",
            "Delivery to the following recipient has been delayed",
            "The recipient server did not accept our requests to connect",
        ),
    ),
    (
        "hostunknown",
        ("DNS Error: Domain name not found", "DNS Error: DNS server returned answer with no data"),
    ),
)
# Gmail's "(state N)" tells at which step of the session the error came, and so what it means.
_STATES = {
    "6": ("MAIL", "systemerror"),
    "8": ("AUTH", "systemerror"),
    "9": ("AUTH", "systemerror"),
    "12": ("AUTH", "norelaying"),
    "13": ("EHLO", "blocked"),
    "14": ("RCPT", "userunknown"),
    "15": ("DATA", "filtered"),
    "17": ("DATA", "filtered"),
    "18": ("DATA", "filtered"),
}


def read(mail: Mail) -> Report | None:
    if "<mailer-daemon@googlemail.com>" not in mail.header("from"):
        return None
    if "Delivery Status Notification" not in mail.subject:
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("Delivery to the following recipient")
        if not reading or not line:
            continue
        if m := rx(r"^[ \t]+([^ ]+@[^ ]+)$").match(line):
            address = first_address(m.group(1))
            if is_address(address):
                if deliveries and not deliveries[-1].recipient:
                    deliveries[-1].recipient = address
                else:
                    deliveries.append(Delivery(recipient=address))
            continue
        if deliveries:
            deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, line + " ")
        else:
            deliveries.append(Delivery(diagnosis=line + " "))
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if m := rx(r"[ \t]+by[ \t]+([^ ]+)\.[ \t]+\[(\d+\.\d+\.\d+\.\d+)\]\.").search(d.diagnosis):
            d.remote_host = m.group(1) if rx(r"[-0-9a-zA-Z]+\.[a-zA-Z]+$").search(m.group(1)) else m.group(2)
        state = rx(r"\(state (\d+)\)\.").search(d.diagnosis)
        if state and state.group(1) in _STATES:
            d.command, d.reason = _STATES[state.group(1)]
            if tables().match("failedstarttls", d.diagnosis.lower()):
                d.reason = "failedstarttls"
        else:
            d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
        if d.reason:
            d.status = find_status(d.diagnosis)
            if rx(r"^[45]\.[1-7]\.[1-9]$").match(d.status):
                d.reason = tables().status_reason(d.status)
    return Report(deliveries, original, "gmail") if deliveries else None
