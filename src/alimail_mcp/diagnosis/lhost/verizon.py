"""Verizon Wireless text and picture messaging gateways (vtext.com, vzwpix.com)."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.mail.addresses import first_address


def read(mail: Mail) -> Report | None:
    if not any(".vtext.com (" in r for r in mail.received):
        return None
    sender = mail.header("from")
    if sender == "post_master@vtext.com":
        text_gateway = True
    elif rx(r"<?sysadmin@.+\.vzwpix\.com>?$").search(sender):
        text_gateway = False
    else:
        return None
    boundary = rx(r"boundary=\"?([^\";]+)").search(mail.header("content-type"))
    head = mail.body.split(f"--{boundary.group(1)}", 1)[0] if boundary else mail.body
    deliveries = [Delivery()]
    reading = False
    sender_address = subject = ""
    for line in head.split("\n"):
        if not reading:
            reading = (
                line.startswith("Error:")
                if text_gateway
                else line.startswith("Message could not be delivered to mobile")
            )
            continue
        if not line:
            continue
        rcpt = (
            rx(r"^[ \t]+RCPT TO: (.*)$").match(line) if text_gateway else rx(r"^To:[ \t]+(.*)$").match(line)
        )
        if rcpt:
            if deliveries[-1].recipient:
                deliveries.append(Delivery())
            deliveries[-1].recipient = first_address(rcpt.group(1)) or rcpt.group(1)
            continue
        if m := (
            rx(r"^[ \t]+MAIL FROM:[ \t](.+)$").match(line)
            if text_gateway
            else rx(r"^From:[ \t](.+)$").match(line)
        ):
            sender_address = sender_address or first_address(m.group(1))
        elif m := (
            rx(r"^[ \t]+Subject:[ \t](.+)$").match(line)
            if text_gateway
            else rx(r"^Subject:[ \t](.+)$").match(line)
        ):
            subject = subject or m.group(1)
        elif rx(r"^\d{3}[ \t]-[ \t].*$").match(line) if text_gateway else rx(r"^Error:[ \t]+.+$").match(line):
            deliveries[-1].diagnosis = line
    deliveries = [d for d in deliveries if d.recipient]
    phrase = (
        "550 - Requested action not taken: no such user here"
        if text_gateway
        else "No valid recipients for this MM"
    )
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if phrase in d.diagnosis:
            d.reason = "userunknown"
    original = f"From: {sender_address}\nSubject: {subject}\n"
    return Report(deliveries, original, "verizon") if deliveries else None
