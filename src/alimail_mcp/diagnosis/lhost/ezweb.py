"""au by KDDI (EZweb) mobile mail: "Mail System Error - Returned Mail"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import TARGET, parse_field
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_ORIGINAL = re.compile(r"^(?:-{50}|Content-Type:[ ]*message/rfc822)", re.MULTILINE)
_START = re.compile(r"^(?:The user\(s\) |Your message |Each of the following|<[^ ]+@[^ ]+>$)")
_FAILURES = (
    ("mailboxfull", re.compile(r"The user\(s\) account is temporarily over quota")),
    ("suspend", re.compile(r"The user\(s\) account is (?:disabled|temporarily limited)\.")),
    ("expired", re.compile(r"Your message was not delivered within ")),
    ("onhold", re.compile(r"Each of the following recipients was rejected by a remote mail server")),
)


def is_ezweb(mail: Mail) -> bool:
    sender, message_id = mail.header("from"), mail.header("message-id")
    score = int("Postmaster@ezweb.ne.jp" in sender) + int("Postmaster@au.com" in sender)
    score += mail.subject == "Mail System Error - Returned Mail"
    score += any("ezweb.ne.jp (EZweb Mail) with" in r for r in mail.received)
    score += any(".au.com (" in r for r in mail.received)
    score += message_id.endswith(".ezweb.ne.jp>") + message_id.endswith(".au.com>")
    return score >= 2


def read(mail: Mail) -> Report | None:
    if not mail.has_headers or not is_ezweb(mail):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
        if not reading or not line:
            continue
        d = deliveries[-1]
        m = (
            rx(r"^<([^ ]+@[^ ]+)>$").match(line)
            or rx(r"^<([^ ]+@[^ ]+)>:?(.*)$").match(line)
            or rx(r"^[ \t]+Recipient: <([^ ]+@[^ ]+)>").match(line)
        )
        if m:
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = first_address(m.group(1)) or m.group(1)
        elif (f := parse_field(line)) and f.name in TARGET:
            setattr(d, TARGET[f.name], f.value)
        elif not line.isascii():
            continue
        elif m := rx(r"^[ \t]+>{3}[ \t]+([A-Z]{4})").match(line):
            d.command = m.group(1)
        elif any(p.search(line) for _, p in _FAILURES):
            d.diagnosis = appended(d.diagnosis, " " + line)
        else:
            d.alterrors = appended(d.alterrors, " " + line)
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        if d.alterrors:
            if not d.diagnosis or d.diagnosis.startswith("-") or d.diagnosis.endswith("__"):
                d.diagnosis = d.alterrors
            d.alterrors = ""
        d.diagnosis = sweep(d.diagnosis)
        if mail.header("x-spasign") == "NG":
            d.reason = "filtered"
        elif d.command == "RCPT":
            d.reason = "userunknown"
        else:
            d.reason = next((r for r, p in _FAILURES if p.search(d.diagnosis)), "")
        if not d.reason and not rx(r"@(?:ezweb\.ne\.jp|au\.com)$").search(d.recipient):
            d.reason = "userunknown"
    return Report(deliveries, original, "ezweb") if deliveries else None
