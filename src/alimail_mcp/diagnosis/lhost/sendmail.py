"""Sendmail: "Returned mail: see transcript for details", a session transcript and a DSN part."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import NOT_FIELD, RECIPIENT, dsn_line, fill_per_message, fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_SUBJECT = re.compile(r"(?:see transcript for details$|^Warning: )")


def read(mail: Mail) -> Report | None:
    if not _SUBJECT.search(mail.subject) or mail.header("x-aol-ip"):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    reading = session_error = False
    recipients = 0
    command = ""
    replies: list[str] = []
    other = Delivery()
    previous = ""
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("   ----- Transcript of session follows -----")
            previous = line
            continue
        if not line:
            previous = line
            continue
        kind = dsn_line(line, deliveries, per_message)
        if kind == RECIPIENT:
            recipients += 1
        elif kind == NOT_FIELD:
            if not line.startswith(" "):
                if m := rx(r"^>{3}[ ]+([A-Z]{4}) ?").match(line):
                    command = m.group(1)
                elif m := rx(r"^<{3}[ ]+(.+)$").match(line):
                    if m.group(1) not in replies:
                        replies.append(m.group(1))
                elif not session_error:
                    if line.startswith("... while talking to "):
                        session_error = True
                    elif m := rx(r"^<(.+)>\.+ (.+)$").match(line):
                        other.recipient, other.diagnosis = m.group(1), m.group(2)
                    elif m := rx(r"^[45]\d\d[ \t]([45]\.\d\.\d)[ \t].+").match(line):
                        other.status = m.group(1)
                        other.diagnosis = appended(other.diagnosis, " " + line)
                    elif line.startswith(("Message: ", "Warning: ")):
                        other.diagnosis = appended(other.diagnosis, " " + line)
            elif previous.startswith("Diagnostic-Code:") and (m := rx(r"^[ \t]+(.+)$").match(line)):
                deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, " " + m.group(1))
                line = "Diagnostic-Code: " + line.strip()
        previous = line
    if not recipients:
        return None
    fill_per_message(deliveries, per_message)
    for d in deliveries:
        d.lhost = d.lhost or per_message.get("remote_host", "")
        d.command = d.command or command or ("EHLO" if replies else "")
        if other.diagnosis and (not d.diagnosis.strip() or d.diagnosis.isdigit()):
            d.diagnosis = other.diagnosis
        if replies:
            joined = " ".join(replies)
            if len(joined) > len(d.diagnosis):
                d.diagnosis = joined
        d.diagnosis = sweep(d.diagnosis)
        if other.status and not rx(r"^[45]\.\d\.\d{1,3}$").match(d.status):
            d.status = other.status
        if not rx(r"^[^ ]+@[^ ]+$").match(d.recipient) and (m := rx(r"<([^ ]+@[^ ]+)>").search(d.diagnosis)):
            d.recipient = m.group(1)
    return Report(deliveries, original, "sendmail")
