"""NTT DOCOMO (mfsmax.docomo.ne.jp): its 5.0.0 replies mean different things per SMTP command."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.reason import Evidence

_PHRASES = (
    ("mailboxfull", re.compile(r"552 too much mail data")),
    ("toomanyconn", re.compile(r"552 too many recipients")),
    ("syntaxerror", re.compile(r"503 bad sequence of commands|504 command parameter not implemented")),
)


def reason(ev: Evidence) -> str:
    if ev.status in ("5.1.1", "5.0.911"):
        return "userunknown"
    if ev.status == "5.2.0":
        return "filtered"
    text = ev.text
    for name, pattern in _PHRASES:
        if pattern.search(text):
            return name
    if ev.status == "5.0.0":
        return {"RCPT": "userunknown", "DATA": "rejected"}.get(ev.command, "")
    return ""
