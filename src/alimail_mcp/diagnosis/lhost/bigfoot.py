"""Bigfoot (bigfoot.com forwarding): a Sendmail-like transcript and a delivery-status part."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields_and_session
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Content-Type:[ ]message/partial", re.MULTILINE)
_START = re.compile(r"^[ \t]+-+[ \t]*Transcript of session follows")


def read(mail: Mail) -> Report | None:
    if "@bigfoot.com>" not in mail.header("from") and not any(".bigfoot.com " in r for r in mail.received):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries, session = read_fields_and_session(head, lambda line: bool(_START.match(line)))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.command = (
            d.command
            or (session.commands[-1] if session.commands else "")
            or ("EHLO" if session.replies else "")
        )
    return Report(deliveries, original, "bigfoot") if deliveries else None
