"""amavis (amavisd-new) content filter: "The message ... was blocked / bounced"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, reason_by_phrase
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(r"^Content-Type:[ ]text/rfc822-headers", re.MULTILINE)
# amavis's spam verdict (" - spam") is left to the reason step, which reads a broken header in the
# same notice first (Sisimai 5: notcompliantrfc before spamdetected).
_MESSAGES = (
    ("virusdetected", (" - infected",)),
    ("notcompliantrfc", (" - bad header:",)),
    ("exceedlimit", (" - message size exceeds recipient",)),
    (
        "systemerror",
        (
            " - temporary mta failure on relaying",
            " - rejected by next-hop mta on relaying",
            " - unable to relay message back to mta",
        ),
    ),
)


def read(mail: Mail) -> Report | None:
    if not mail.header("from").startswith('"Content-filter at '):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries, _ = read_fields(head, lambda line: line.startswith("The message "))
    for d in deliveries:
        if d.spec == "X-POSTFIX":
            d.spec = "SMTP"
        d.diagnosis = sweep(d.diagnosis)
        d.reason = reason_by_phrase(d.diagnosis, _MESSAGES, lower=True)
    return Report(deliveries, original, "amavis") if deliveries else None
