"""Trend Micro InterScan Messaging Security Suite: "Mail could not be delivered"."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
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
            rx(r"^.+[<>]{3}[ \t]+.+<([^ ]+@[^ ]+)>").match(line)
            or rx(r"^(?:Reason:[ ]+)?Unable to deliver message to <(.+)>").match(line)
        ):
            if d.recipient and m.group(1) != d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
            if "Unable to deliver " in line:
                d.diagnosis = line
        if m := rx(r"^Sent[ \t]+<{3}[ \t]+([A-Z]{4})[ \t]").match(line):
            d.command = m.group(1)
        elif m := rx(r"^Received[ \t]+>{3}[ \t]+(\d{3}[ \t]+.+)$").match(line):
            d.diagnosis = m.group(1)
        elif rx(r" [<>]{3} ").search(line):
            if m := rx(r" >{3} ([A-Z]{4})").search(line):
                d.command = m.group(1)
            if m := rx(r" <{3} (.+)").search(line):
                d.diagnosis = m.group(1)
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if "Unable to deliver" in d.diagnosis:
            d.reason = "userunknown"
    return Report(deliveries, original, "interscanmss") if deliveries else None
