"""Zoho Mail: "This message was created automatically by mail delivery" with X-ZohoMail."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Received:[ ]*from mail\.zoho\.com by mx\.zohomail\.com", re.MULTILINE)


def read(mail: Mail) -> Report | None:
    if not mail.header("x-zohomail"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    reading = soft_break = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("This message was created automatically by mail delivery")
            continue
        if not line:
            continue
        if m := rx(r"^([^ ]+@[^ ]+)[ \t]+(.+)$").match(line):
            d = Delivery(recipient=m.group(1), diagnosis=m.group(2))
            # A quoted-printable soft line break left in a text part: the message goes on.
            if d.diagnosis.endswith("="):
                d.diagnosis = d.diagnosis[:-1]
                soft_break = True
            deliveries.append(d)
        elif m := rx(r"^\[Status: .+<([^ ]+@[^ ]+)>,").match(line):
            deliveries.append(Delivery(recipient=m.group(1), diagnosis=line))
        elif soft_break and deliveries:
            deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, line)
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if "Host not reachable" in d.diagnosis:
            d.reason = "expired"
    return Report(deliveries, original, "zoho") if deliveries else None
