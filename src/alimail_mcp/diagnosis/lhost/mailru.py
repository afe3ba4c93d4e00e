"""Mail.ru (Exim underneath, with its own reading of a few errors)."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost import exim
from alimail_mcp.diagnosis.patterns import rx

_SUBJECT = re.compile(
    r"Mail delivery failed(?:: returning message to sender)?|Warning: message .+ delayed +"
    r"|Delivery Status Notification|Mail failure|Message frozen|error\(s\) in forwarding or filtering"
)
_MESSAGES = {
    "expired": ("retry timeout exceeded", "No action is required on your part"),
    "userunknown": ("user not found",),
    "hostunknown": (
        "all host address lookups failed permanently",
        "all relevant MX records point to non-existent hosts",
        "Unrouteable address",
    ),
    "mailboxfull": ("mailbox is full", "error: quota exceed"),
    "notaccept": (
        "an MX or SRV record indicated no SMTP service",
        "no host found for existing SMTP connection",
    ),
    "systemerror": ("delivery to file forbidden", "delivery to pipe forbidden", "local delivery failed"),
    "contenterror": ('Too many "Received" headers ',),
}


def read(mail: Mail) -> Report | None:
    if not rx(r"<?mailer-daemon@.*mail\.ru>?").search(mail.header("from").lower()):
        return None
    if not rx(r"\.(?:mail\.ru|smailru\.net)>$").search(mail.header("message-id")):
        return None
    if not _SUBJECT.search(mail.subject):
        return None
    return exim.read_body(mail, "mailru", on_mail="rejected", messages=_MESSAGES, delayed=(), codes=False)
