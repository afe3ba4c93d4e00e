"""Ipswitch IMail Server: "Undeliverable Mail" with "Body of message generated response:"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_ORIGINAL = re.compile(r"^Original message follows\.", re.MULTILINE)
_COMMANDS = (
    ("CONN", re.compile(r"(?:SMTP connection failed,|Unexpected connection response from server:)")),
    ("EHLO", re.compile(r"Unexpected response to EHLO/HELO:")),
    ("MAIL", re.compile(r"Server response to MAIL FROM:")),
    ("RCPT", re.compile(r"Additional RCPT TO generated following response:")),
    ("DATA", re.compile(r"DATA command generated response:")),
)
_FAILURES = (
    ("hostunknown", re.compile(r"Unknown host")),
    ("userunknown", re.compile(r"^(?:Unknown user|Invalid final delivery userid)")),
    ("mailboxfull", re.compile(r"^User mailbox exceeds allowed size")),
    ("virusdetected", re.compile(r"^Requested action not taken: virus detected")),
    ("undefined", re.compile(r"^undeliverable to")),
    ("expired", re.compile(r"^Delivery failed \d+ attempts")),
)


def read(mail: Mail) -> Report | None:
    if not rx(r"^Undeliverable Mail[ ]*$").match(mail.subject) and not mail.header("x-mailer").startswith(
        "<SMTP32 v"
    ):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    for line in head.split("\n"):
        d = deliveries[-1]
        if m := rx(r"^([^ ]+) (.+):[ \t]*([^ ]+@[^ ]+)").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.diagnosis, d.recipient = f"{m.group(1)} {m.group(2)}", m.group(3)
        elif m := rx(r"^undeliverable[ ]+to[ ]+(.+)$").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = first_address(m.group(1)) or m.group(1)
        elif "Body of message generated response:" in line:
            d.alterrors = line
        elif d.alterrors:
            d.alterrors = appended(d.alterrors, " " + line)
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        if d.alterrors:
            d.diagnosis = f"{d.alterrors} {d.diagnosis}"
            d.alterrors = ""
        d.diagnosis = sweep(d.diagnosis)
        d.command = next((c for c, p in _COMMANDS if p.search(d.diagnosis)), "")
        d.reason = next((r for r, p in _FAILURES if p.search(d.diagnosis)), "")
    return Report(deliveries, original, "imailserver") if deliveries else None
