"""Readers of bounces written by a sending MTA or service, one module per family.

Each module exposes `read(mail) -> Report | None` and returns None quickly when the mail is not
its kind. `read_report` tries the readers the Subject suggests first, then all of them in a fixed
order, then the standards (RFC 3464, ARF, RFC 3834), and returns the first report.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from alimail_mcp.deadline import check
from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.patterns import rx

Reader = Callable[[Mail], Report | None]

ORDER: tuple[str, ...] = (
    "mailru",
    "yandex",
    "exim",
    "sendmail",
    "office365",
    "exchange2007",
    "exchange2003",
    "amazonworkmail",
    "amazonses",
    "interscanmss",
    "kddi",
    "verizon",
    "apachejames",
    "fml",
    "postfix",
    "gsuite",
    "yahoo",
    "outlook",
    "gmx",
    "messagingserver",
    "domino",
    "notes",
    "v5sendmail",
    "qmail",
    "courier",
    "opensmtpd",
    "zoho",
    "messagelabs",
    "mcafee",
    "receivingses",
    "amavis",
    "powermta",
    "googlegroups",
    "gmail",
    "ezweb",
    "imailserver",
    "bigfoot",
    "facebook",
    "x3",
    "dragonfly",
    "mimecast",
)
"""Modules under alimail_mcp.diagnosis.lhost, in the order they are tried."""

STANDARDS = ("rfc3464", "arf", "rfc3834")

BY_SUBJECT: dict[str, tuple[str, ...]] = {
    "undelivered-mail": ("postfix", "zoho"),
    "mail-delivery": ("exim", "mailru", "gmx", "zoho", "messagelabs"),
    "loop-alert": ("fml",),
    "mail-failure": ("exim",),
    "message-frozen": ("exim",),
    "warning": ("sendmail", "exim"),
    "failure-notice": ("yahoo", "qmail"),
    "mail-could": ("interscanmss",),
    "delivery-status": (
        "gsuite",
        "googlegroups",
        "opensmtpd",
        "amazonses",
        "amazonworkmail",
        "receivingses",
        "gmail",
        "x3",
        "mcafee",
        "outlook",
    ),
    "mail-system": ("ezweb",),
    "aws-notification": ("amazonses",),
    "undeliverable": ("office365", "exchange2007", "exchange2003"),
    "non-remis": ("exchange2007",),
    "non-recapitabile": ("exchange2007",),
    "notice": ("courier",),
    "sorry-your": ("facebook",),
    "delivery-failure": ("domino",),
    "undeliverable-message": ("notes",),
    "undeliverable-mail": ("amavis", "imailserver"),
    "delivery-notification": ("messagingserver",),
    "delivery-report": ("powermta",),
    "returned-mail": ("sendmail", "v5sendmail", "bigfoot"),
    "postmaster-notify": ("sendmail",),
}
"""First words of the Subject (lower case, joined by '-') -> readers to try first."""


@cache
def reader(name: str) -> Reader:
    if name == "rfc3464":
        from alimail_mcp.diagnosis.rfc3464 import read_dsn

        return read_dsn
    if name in ("arf", "rfc3834"):
        module = importlib.import_module(f"alimail_mcp.diagnosis.{name}")
    else:
        module = importlib.import_module(f"alimail_mcp.diagnosis.lhost.{name}")
    read: Reader = module.read
    return read


def subject_key(subject: str) -> str:
    text = rx(r"[_\[\] ]+").sub(" ", subject).lstrip()
    words = text.lower().split(" ", 2)
    if ":" in words[0][1:]:
        m = rx(r"^(.+?):").match(text)
        first = m.group(1).lower() if m else ""
    else:
        first = "-".join(words[:2])
    return rx(r"[:\",*]").sub("", first)


def read_report(mail: Mail) -> Report | None:
    tried: set[str] = set()
    candidates = BY_SUBJECT.get(subject_key(mail.subject), ()) if mail.has_headers else ()
    for name in (*candidates, *ORDER, *STANDARDS):
        if name in tried:
            continue
        tried.add(name)
        check()
        report = reader(name)(mail)
        if report and report.deliveries:
            if not report.agent:
                report.agent = name
            return report
    return None
