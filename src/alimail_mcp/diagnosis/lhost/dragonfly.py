"""DragonFly Mail Agent (dma): "There was an error delivering your mail to <...>."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet, reason_by_phrase
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep

_ORIGINAL = re.compile(r"^(?:Message headers follow\.|Original message follows\.)$", re.MULTILINE)
_ERROR = re.compile(r"^There was an error delivering your mail to <([^ >]+@[^ >]+)>\.?$")
_HOST = re.compile(r"^([^ ]+) \[([0-9a-fA-F.:]+)\] did not like our (?:final )?([A-Z]{4})")
# dma's own wording for errors that are not a remote server's reply.
_MESSAGES = (
    ("expired", ("Could not deliver for the last ",)),
    ("hostunknown", ("DNS lookup failure: host ",)),
)


def read(mail: Mail) -> Report | None:
    if "This is the DragonFly Mail Agent" not in mail.body[:4000]:
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    for line in head.split("\n"):
        if m := _ERROR.match(line):
            deliveries.append(Delivery(recipient=m.group(1)))
            continue
        if not deliveries or not line.strip():
            continue
        d = deliveries[-1]
        if m := _HOST.match(line):
            d.remote_host, d.command = m.group(1), m.group(3)
        else:
            d.diagnosis = appended(d.diagnosis, " " + line)
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        d.status = find_status(d.diagnosis)
        d.reply_code = find_reply(d.diagnosis) if d.command else ""
        d.spec = "SMTP"
        if not d.command:
            d.reason = reason_by_phrase(d.diagnosis, _MESSAGES)
    return Report(deliveries, original, "dragonfly") if deliveries else None
