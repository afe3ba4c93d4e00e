"""RFC 3834 automatic responses (vacation, out of office): the message reached its recipient."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_AUTO = {
    "auto-submitted": re.compile(r"^auto-(?:generated|replied|notified)"),
    "x-auto-response-suppress": re.compile(r"(?:oof|autoreply)"),
    "x-apple-action": re.compile(r"^vacation$"),
    "precedence": re.compile(r"^auto_reply$"),
    "subject": re.compile(
        r"^(?:auto:|auto response:|automatic reply:|out of (?:the )*office:|自动回复|自動回覆)"
    ),
}
_NOT_AUTO = {
    "subject": re.compile(r"security information for|mail failure -"),
    "from": re.compile(r"(?:root|postmaster|mailer-daemon)@"),
    "to": re.compile(r"root@"),
}


def is_auto_reply(mail: Mail) -> bool:
    if not mail.has_headers:
        return False
    if any(pattern.search(mail.header(name).lower()) for name, pattern in _NOT_AUTO.items()):
        return False
    return any(pattern.search(mail.header(name).lower()) for name, pattern in _AUTO.items())


def read(mail: Mail) -> Report | None:
    if not is_auto_reply(mail):
        return None
    who = mail.header("from") or mail.header("return-path")
    recipient = first_address(who)
    if not recipient:
        return None
    lines: list[str] = []
    blank = 0
    for line in mail.body.split("\n"):
        if not line.strip():
            blank += 1
            if blank > 1 and lines:
                break
            continue
        if " " not in line or line.startswith(("Content-Type", "Content-Transfer")):
            continue
        lines.append(line)
        if len(lines) >= 5:
            break
    d = Delivery(
        recipient=recipient,
        diagnosis=sweep(" ".join(lines)) or mail.subject,
        reason="vacation",
        date=mail.header("date"),
        agent="rfc3834",
    )
    return Report([d], "", "rfc3834")
