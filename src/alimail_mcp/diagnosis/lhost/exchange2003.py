"""Microsoft Exchange Server 2003 and older: "Your message ... did not reach the following recipient(s)"."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep
from alimail_mcp.diagnosis.status_codes import pseudo_status

# Exchange's MSEXCH diagnostic codes.
_CODES = {
    "000B099C": "onhold",
    "000B09AA": "onhold",
    "000B09B6": "onhold",
    "000C05A6": "userunknown",
    "00010256": "systemerror",
    "000D06B5": "systemerror",
    "00120270": "networkerror",
    "00050311": "contenterror",
    "000502CC": "contenterror",
    "000B0981": "securityerror",
    "000C0595": "filtered",
}


def is_exchange(mail: Mail) -> bool:
    if mail.header("x-ms-embedded-report"):
        return True
    mailer = mail.header("x-mailer")
    if mailer.startswith(("Internet Mail Service (", "Microsoft Exchange Server Internet Mail Connector")):
        return True
    if mail.header("x-mimeole").startswith("Produced By Microsoft Exchange"):
        return True
    return any(" with Internet Mail Service (" in r for r in mail.received)


def read(mail: Mail) -> Report | None:
    if not mail.has_headers or not is_exchange(mail):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    reading = status_part = False
    msexch = False
    sent: dict[str, str] = {}
    recipients = 0
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("Your message")
            continue
        if status_part:
            continue
        d = deliveries[-1]
        if len(sent) == 3:
            if m := (
                rx(r"^[ \t]*([^ ]+@[^ ]+) on[ \t]*.*$").match(line)
                or rx(r"^[ \t]*.+(?:SMTP|smtp)=([^ ]+@[^ ]+) on[ \t]*.*$").match(line)
            ):
                if d.recipient:
                    deliveries.append(Delivery())
                    d = deliveries[-1]
                d.recipient = m.group(1)
                msexch = False
                recipients += 1
            elif m := rx(r"^[ \t]+(MSEXCH:.+)$").match(line):
                d.diagnosis = appended(d.diagnosis, m.group(1))
            elif not msexch:
                if d.diagnosis.startswith("MSEXCH:"):
                    msexch = status_part = True
                    d.diagnosis = appended(d.diagnosis, " " + line)
                else:
                    d.alterrors = appended(d.alterrors, " " + line)
        elif (m := rx(r"^[ \t]+To:[ \t]+(.+)$").match(line)) and "to" not in sent:
            sent["to"] = m.group(1)
        elif (m := rx(r"^[ \t]+Subject:[ \t]+(.+)$").match(line)) and "subject" not in sent:
            sent["subject"] = m.group(1)
        elif (
            m := rx(r"^[ \t]+Sent:[ \t]+([A-Z][a-z]{2},.+[-+]\d{4})$").match(line)
            or rx(r"^[ \t]+Sent:[ \t]+(\d+/\d+/\d+[ \t]+\d+:\d+:\d+[ \t].+)").match(line)
        ) and "date" not in sent:
            sent["date"] = m.group(1)
    if not recipients:
        return None
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        if m := rx(r"^MSEXCH:.+[ \t]*\(([0-9A-F]{8})\)[ \t]*(.*)$").match(d.diagnosis):
            reason = _CODES.get(m.group(1), "")
            if reason:
                d.reason = reason
                d.status = pseudo_status(reason)
            d.diagnosis = m.group(2)
        if not d.reason and d.alterrors:
            d.diagnosis = sweep(d.alterrors + " " + d.diagnosis)
        d.alterrors = ""
    if not original:
        original = (
            f"From: {sent.get('to', '')}\nDate: {sent.get('date', '')}\nSubject: {sent.get('subject', '')}\n"
        )
    return Report(deliveries, original, "exchange2003")
