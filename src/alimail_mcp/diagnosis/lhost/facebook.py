"""Facebook's mail servers: "This message was created automatically by Facebook." with its own
response codes (RCP-P2 ...) in the diagnostic text."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Content-Disposition:[ ]inline", re.MULTILINE)
_CODE = re.compile(r"\b([A-Z]{3})-([A-Z])(\d)\b")
# Facebook's published response codes.
_CODES = {
    **dict.fromkeys(("RCP-P1", "INT-P1", "INT-P3", "INT-P4"), "userunknown"),
    **dict.fromkeys(("RCP-P2", "RCP-P3"), "filtered"),
    **dict.fromkeys(("POL-P1", "POL-P2"), "blocked"),
    **dict.fromkeys(("MSG-P1", "INT-P2"), "mesgtoobig"),
    **dict.fromkeys(("MSG-P2", "MSG-P3", "POL-P6", "POL-P7"), "contenterror"),
    **dict.fromkeys(("POL-P3", "POL-P4", "POL-T1", "POL-T2", "POL-T3"), "notaccept"),
    **dict.fromkeys(("DNS-P1", "DNS-P2", "DNS-T1", "DNS-P3", "DNS-T2"), "rejected"),
    **dict.fromkeys(("CON-T1", "RCP-T1"), "systemerror"),
    **dict.fromkeys(("CON-T2", "CON-T3"), "toomanyconn"),
    "POL-P5": "virusdetected",
    "RCP-T4": "suspend",
    **dict.fromkeys(("MSG-T1", "CON-T4"), "undefined"),
}


def read(mail: Mail) -> Report | None:
    if mail.header("from") != "Facebook <mailer-daemon@mx.facebook.com>":
        return None
    if mail.subject != "Sorry, your message could not be delivered":
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries, _ = read_fields(
        head, lambda line: line.startswith("This message was created automatically by Facebook.")
    )
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if m := _CODE.search(d.diagnosis):
            code = f"{m.group(1)}-{m.group(2)}{m.group(3)}"
            d.reason = _CODES.get(code, "systemerror" if code.startswith("INT-T") else "")
    return Report(deliveries, original, "facebook") if deliveries else None
