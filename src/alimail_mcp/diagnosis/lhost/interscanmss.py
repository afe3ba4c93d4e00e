"""Trend Micro InterScan Messaging Security Suite: "Mail could not be delivered"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.smtp import sweep

_SUBJECTS = ("Mail could not be delivered", "メッセージを配信できません。", "メール配信に失敗しました")


def read(mail: Mail) -> Report | None:
    sender = mail.header("from")
    if not (sender.startswith(('"InterScan MSS"', '"InterScan Notification"')) or mail.subject in _SUBJECTS):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    for line in head.split("\n"):
        if not line:
            continue
        d = deliveries[-1]
        if m := (
            re.match(r"^.+[<>]{3}[ \t]+.+<([^ ]+@[^ ]+)>", line)
            or re.match(r"^(?:Reason:[ ]+)?Unable to deliver message to <(.+)>", line)
        ):
            if d.recipient and m.group(1) != d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
            if "Unable to deliver " in line:
                d.diagnosis = line
        if m := re.match(r"^Sent[ \t]+<{3}[ \t]+([A-Z]{4})[ \t]", line):
            d.command = m.group(1)
        elif m := re.match(r"^Received[ \t]+>{3}[ \t]+(\d{3}[ \t]+.+)$", line):
            d.diagnosis = m.group(1)
        elif re.search(r" [<>]{3} ", line):
            if m := re.search(r" >{3} ([A-Z]{4})", line):
                d.command = m.group(1)
            if m := re.search(r" <{3} (.+)", line):
                d.diagnosis = m.group(1)
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if "Unable to deliver" in d.diagnosis:
            d.reason = "userunknown"
    return Report(deliveries, original, "interscanmss") if deliveries else None
