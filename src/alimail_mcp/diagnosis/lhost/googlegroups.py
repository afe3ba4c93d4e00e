"""Google Groups: the group refused a post (it may not exist, or the sender may not post to it)."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address, is_address
from alimail_mcp.mail.received import received_hosts

_ORIGINAL = re.compile(r"^----- Original message -----$", re.MULTILINE)


def read(mail: Mail) -> Report | None:
    if "<mailer-daemon@googlemail.com>" not in mail.header("from"):
        return None
    if "Delivery Status Notification" not in mail.subject:
        return None
    failed = mail.header("x-failed-recipients")
    if not failed or not mail.header("x-google-smtp-source"):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    # The notice lists the four things that can be wrong; a notice without the list says less.
    bullets = re.findall(r"^ ?\* ?", head, re.MULTILINE)
    reason = "rejected" if len(bullets) == 4 else "onhold"
    paragraphs = head.split("\n\n", 4)[:4]
    diagnosis = sweep(" ".join(paragraphs).replace("\n", " "))
    remote_host = received_hosts(mail.received[0])[0] if mail.received else ""
    deliveries = [
        Delivery(recipient=first_address(a), reason=reason, diagnosis=diagnosis, remote_host=remote_host)
        for a in failed.split(",")
        if is_address(a.strip())
    ]
    return Report(deliveries, original, "googlegroups") if deliveries else None
