"""Sendmail version 5 (and clones): "Returned mail: ..." with a bare session transcript."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_ORIGINAL = re.compile(r"^[ ]+----- (?:Unsent message follows|No message was collected) -----", re.MULTILINE)
_ERROR = re.compile(r"^\.+ while talking to .+:$")


def read(mail: Mail) -> Report | None:
    if not rx(r"^Returned mail: [A-Z]").match(mail.subject):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    if not original:
        return None
    deliveries = [Delivery()]
    reading = session_error = False
    recipients = 0
    replies: dict[int, str] = {}
    commands: dict[int, str] = {}
    other = ""
    for line in head.split("\n"):
        if not reading:
            reading = "----- Transcript of session follows -----" in line
            continue
        if not line:
            continue
        d = deliveries[-1]
        if m := rx(r"^\d{3}[ \t]+<([^ ]+@[^ ]+)>\.{3}[ \t]*(.+)$").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient, d.diagnosis = m.group(1), m.group(2)
            if replies.get(recipients):
                d.diagnosis = appended(d.diagnosis, ": " + replies[recipients])
            recipients += 1
        elif m := rx(r"^>{3}[ \t]*([A-Z]{4})[ \t]*").match(line):
            commands[recipients] = m.group(1)
        elif m := rx(r"^<{3}[ ]+(.+)$").match(line):
            replies[recipients] = m.group(1)
        elif not session_error:
            if _ERROR.match(line):
                session_error = True
            elif m := rx(r"^\d{3}[ \t]+.+\.{3}[ \t]*(.+)$").match(line):
                other = m.group(1)
    if not recipients and (m := re.search(r"^To:[ ]*(.+)", original, re.MULTILINE)):
        deliveries[0].recipient = first_address(m.group(1))
        recipients = 1
    if not recipients:
        return None
    for index, d in enumerate(deliveries):
        d.command = commands.get(index, "")
        d.diagnosis = sweep(d.diagnosis or other or replies.get(index, ""))
        if not rx(r"^[^ ]+@[^ ]+$").match(d.recipient) and (m := rx(r"<([^ ]+@[^ ]+)>").search(d.diagnosis)):
            d.recipient = m.group(1)
    return Report(deliveries, original, "v5sendmail")
