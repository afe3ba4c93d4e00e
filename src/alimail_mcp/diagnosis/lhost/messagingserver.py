"""Oracle (Sun) Communications Messaging Server: "This report relates to a message you sent ..."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address

_ORIGINAL = re.compile(r"^(?:Content-[Tt]ype:[ \t]*message/rfc822|Return-path:[ \t]*)", re.MULTILINE)


def read(mail: Mail) -> Report | None:
    if "Boundary_(ID_" not in mail.header("content-type") and not mail.subject.startswith(
        "Delivery Notification: "
    ):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    reading = False
    d = Delivery()
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith(
                "This report relates to a message you sent with the following header fields:"
            )
            continue
        if not line:
            continue
        if m := rx(r"^[ \t]+Recipient address:[ \t]*([^ ]+@[^ ]+)$").match(line):
            if d.recipient or not deliveries:
                d = Delivery()
                deliveries.append(d)
            d.recipient = first_address(m.group(1)) or m.group(1)
        elif m := rx(r"^[ \t]+Original address:[ \t]*([^ ]+@[^ ]+)$").match(line):
            d.recipient = first_address(m.group(1)) or m.group(1)
        elif m := rx(r"^[ \t]+Date:[ \t]*(.+)$").match(line):
            d.date = m.group(1)
        elif m := rx(r"^[ \t]+Reason:[ \t]*(.+)$").match(line):
            d.diagnosis = m.group(1)
        elif m := rx(r"^[ \t]+Diagnostic code:[ \t]*([^ ]+);(.+)$").match(line):
            d.spec, d.diagnosis = m.group(1).upper(), m.group(2)
        elif m := rx(r"^[ \t]+Remote system:[ \t]*dns;([^ ]+)[ \t]*([^ ]+)[ \t]*.+$").match(line):
            d.remote_host = m.group(1)
            session = rx(r"^\(TCP\|(.+)\|\d+\|(.+)\|\d+\)").match(m.group(2))
            if session:
                d.lhost = session.group(1)
                if not rx(r"[^.]+\.[^.]+").search(m.group(1)):
                    d.remote_host = session.group(2)
        elif m := rx(r"^Status:[ \t]*(\d\.\d\.\d)[ \t]*\((.+)\)$").match(line):
            d.status = m.group(1)
            d.diagnosis = d.diagnosis or m.group(2)
        elif m := rx(r"^Arrival-Date:[ ]*(.+)$").match(line):
            d.date = d.date or m.group(1)
        elif (m := rx(r"^Reporting-MTA:[ ]*(?:DNS|dns);[ ]*(.+)$").match(line)) and not rx(
            r"[^.]+\.[^ ]+"
        ).search(d.lhost):
            d.lhost = m.group(1)
    deliveries = [x for x in deliveries if x.recipient]
    for x in deliveries:
        x.diagnosis = sweep(x.diagnosis)
        if "Illegal host/domain name found" in x.diagnosis:
            x.reason = "hostunknown"
    return Report(deliveries, original, "messagingserver") if deliveries else None
