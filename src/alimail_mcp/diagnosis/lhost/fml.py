"""fml (a mailing-list manager): refusals of non-members, loops and security alerts."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Original mail as follows:", re.MULTILINE)
# fml's own wording, first in the error text, then in the Subject.
_TEXTS = (
    (
        "rejected",
        re.compile(
            r"(?:Ignored )*NOT MEMBER article from "
            r"|reject (?:mail from .+@.+|since .+ header may cause mail loop|spammers:)"
            r"|You are not a member of this mailing list"
        ),
    ),
    (
        "systemerror",
        re.compile(r"Duplicated Message-ID|fml .+ has detected a loop condition so that|Loop Back Warning:"),
    ),
    ("securityerror", re.compile(r"Security alert:")),
)
_TITLES = (
    (
        "rejected",
        re.compile(
            r"(?:Ignored )*NOT MEMBER article from |reject mail (?:.+:|from) ,"
            r"|Spam mail from a spammer is rejected|You .+ are not member"
        ),
    ),
    (
        "systemerror",
        re.compile(r"fml system error message|Loop Alert: |Loop Back Warning: |WARNING: UNIX FROM Loop"),
    ),
    ("securityerror", re.compile(r"Security Alert")),
)


def read(mail: Mail) -> Report | None:
    if not mail.header("x-mlserver") or not re.search(r".+-admin@.+", mail.header("from")):
        return None
    if not re.match(r"^<\d+\.FML.+@.+>$", mail.header("message-id")):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    for line in head.split("\n"):
        if not line:
            continue
        d = deliveries[-1]
        if m := re.search(r"<([^ ]+?@[^ ]+?)>\.$", line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient, d.diagnosis = m.group(1), line
        else:
            d.diagnosis = appended(d.diagnosis, line)
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.reason = next((r for r, p in _TEXTS if p.search(d.diagnosis)), "") or next(
            (r for r, p in _TITLES if p.search(mail.subject)), ""
        )
    return Report(deliveries, original, "fml") if deliveries else None
