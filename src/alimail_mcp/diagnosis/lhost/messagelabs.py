"""Symantec MessageLabs (Email Security.cloud): "Mail Delivery Failure" from messagelabs.com."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Content-Type:[ ]text/rfc822-headers", re.MULTILINE)
_FAILURES = (
    ("userunknown", re.compile(r"(?:542 .+ Rejected|No such user)")),
    ("securityerror", re.compile(r"Please turn on SMTP Authentication in your mail client")),
)


def read(mail: Mail) -> Report | None:
    if not mail.header("x-msg-ref") or "MAILER-DAEMON@messagelabs.com" not in mail.header("from"):
        return None
    if not mail.subject.startswith("Mail Delivery Failure"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries, _ = read_fields(head, lambda line: line.startswith("Content-Type: message/delivery-status"))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.reason = next((r for r, p in _FAILURES if p.search(d.diagnosis)), "")
    return Report(deliveries, original, "messagelabs") if deliveries else None
