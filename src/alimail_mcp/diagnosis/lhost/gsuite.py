"""Google Workspace (G Suite) notices: "** Address not found **" text plus a delivery-status part."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import NOT_FIELD, RECIPIENT, dsn_line, fill_per_message, fillet
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep

_START = re.compile(r"^\*\* .+ \*\*$")
_ERROR = re.compile(r"^The response( from the remote server)? was:$")
# Google's own wording (as written) for the cases its codes do not tell apart.
_MESSAGES = (
    (
        "userunknown",
        ("because the address couldn't be found. Check for typos or unnecessary spaces and try again.",),
    ),
    ("notaccept", ("Null MX",)),
    ("networkerror", (" had no relevant answers.", " responded with code NXDOMAIN")),
)


def read(mail: Mail) -> Report | None:
    if "<mailer-daemon@googlemail.com>" not in mail.header("from"):
        return None
    if "Delivery Status Notification" not in mail.subject or not mail.header("x-gm-message-state"):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    reading = end_of_error = False
    recipients = empty = 0
    other = ""
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
            if not reading:
                continue
        kind = dsn_line(line, deliveries, per_message)
        if kind == RECIPIENT:
            recipients += 1
            continue
        if kind != NOT_FIELD:
            continue
        d = deliveries[-1]
        if not end_of_error and d.diagnosis:
            if line == "":
                end_of_error = True
                continue
            d.diagnosis = appended(d.diagnosis, line)
        elif _ERROR.match(line):
            other = appended(other, line)
        elif line.startswith("Content-Type:"):
            continue
        elif other:
            if empty > 5:
                continue
            if not line:
                empty += 1
                continue
            other = appended(other, " " + line)
        elif _START.match(line):
            other = line
    if not recipients:
        return None
    fill_per_message(deliveries, per_message)
    for d in deliveries:
        d.lhost = d.lhost or per_message.get("remote_host", "")
        if other:
            _merge(d, other)
        d.diagnosis = sweep(d.diagnosis)
        for reason, phrases in _MESSAGES:
            if any(p in d.diagnosis for p in phrases):
                d.reason = reason
                break
    return Report(deliveries, original, "gsuite")


def _merge(d: Delivery, other: str) -> None:
    if not d.diagnosis or d.diagnosis.isdigit():
        d.diagnosis = other
        return
    status = reply = ""
    if d.status in ("", "5.0.0", "4.0.0"):
        status = find_status(other)
        if status and not status.endswith(".0.0"):
            d.status = status
        else:
            status = ""
    if d.reply_code in ("", "500", "400"):
        reply = find_reply(other)
        if reply and not reply.endswith("00"):
            d.reply_code = reply
        else:
            reply = ""
    if status or (reply and len(other) > len(d.diagnosis)):
        d.diagnosis = other
