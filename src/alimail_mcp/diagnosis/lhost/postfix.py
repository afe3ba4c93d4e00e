"""Postfix bounce(5) notices: "The mail system" text part plus a delivery-status part."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import NOT_FIELD, RECIPIENT, dsn_line, fill_per_message, fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep
from alimail_mcp.mail.addresses import first_address

_START = re.compile(
    r"^(?: +The (?:Postfix (?:program$|on .+ program$)|\w+ Postfix program$"
    r"|mail[ \t]system$|\w+[ \t]program$)"
    r"|This is the (?:Postfix program|\w+ Postfix program|\w+ program|mail system at host))"
)


def read(mail: Mail) -> Report | None:
    if mail.has_headers and mail.subject != "Undelivered Mail Returned to Sender":
        return None
    if mail.header("x-aol-ip"):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    other = Delivery()
    texts: dict[str, str] = {}
    """The text part's error per recipient (`<addr>: ...`), so several recipients do not mix."""
    commands: list[str] = []
    senders: list[str] = []
    reading = no_report = False
    recipients = 0
    previous = ""
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
            previous = line
            continue
        if not line:
            previous = line
            continue
        kind = dsn_line(line, deliveries, per_message)
        if kind == RECIPIENT:
            recipients += 1
        elif kind == NOT_FIELD:
            if previous.startswith("Diagnostic-Code:") and (m := rx(r"^[ \t]+(.+)$").match(line)):
                deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, " " + m.group(1))
                line = "Diagnostic-Code: " + line
            elif m := rx(r"^(X-Postfix-Sender):[ ]*rfc822;[ ]*(.+)$").match(line):
                senders.append(f"{m.group(1)}: {m.group(2)}\n")
            elif (m := rx(r"[ \t]\(in reply to (?:end of )?([A-Z]{4}).*").search(line)) or (
                m := rx(r"([A-Z]{4})[ \t]*.*command\)$").search(line)
            ):
                commands.append(m.group(1))
                if other.diagnosis:
                    other.diagnosis = appended(other.diagnosis, " " + line)
            elif m := rx(r"^<([^ ]+@[^ ]+)> \(expanded from <(.+)>\):[ \t]*(.+)$").match(line):
                _keep(other, texts)
                other.recipient, other.alias, other.diagnosis = m.group(1), m.group(2), m.group(3)
            elif m := rx(r"^<([^ ]+@[^ ]+)>:(.*)$").match(line):
                _keep(other, texts)
                other.recipient, other.diagnosis = m.group(1), m.group(2)
            elif "--- Delivery report unavailable ---" in line:
                no_report = True
            elif other.diagnosis and (m := rx(r"^[ \t]{4}(.+)$").match(line)):
                other.diagnosis = appended(other.diagnosis, " " + line)
        previous = line

    _keep(other, texts)
    original += "".join(senders)
    if not recipients:
        if other.recipient:
            deliveries[-1].recipient = other.recipient
            recipients = 1
        elif no_report and (m := re.search(r"^To:[ ]*(.+)", original, re.MULTILINE)):
            deliveries[-1].recipient = first_address(m.group(1))
            recipients = 1
    if not recipients:
        return None
    fill_per_message(deliveries, per_message)
    for d in deliveries:
        if d.spec == "X-POSTFIX":
            d.spec = "SMTP"
        if not d.lhost and d.remote_host and per_message.get("remote_host"):
            d.lhost = per_message["remote_host"]
        _merge(d, texts.get(d.recipient.lower(), other.diagnosis) if len(texts) > 1 else other.diagnosis)
        d.diagnosis = sweep(d.diagnosis)
        d.command = commands.pop(0) if commands else ""
        if not d.command and "refused to talk to me:" in d.diagnosis:
            d.command = "HELO"
        if not d.spec and rx(r"host .+ said:").search(d.diagnosis):
            d.spec = "SMTP"
    return Report([d for d in deliveries if d.recipient], original, "postfix")


def _keep(other: Delivery, texts: dict[str, str]) -> None:
    if other.recipient and other.diagnosis:
        texts[other.recipient.lower()] = other.diagnosis
        if other.alias:
            texts.setdefault(other.alias.lower(), other.diagnosis)


def _merge(d: Delivery, text: str) -> None:
    """Prefer the text part's error message when it carries a more specific code than the DSN."""
    if not text:
        return
    if not d.diagnosis or d.diagnosis.isdigit():
        d.diagnosis = text
        return
    status = reply = ""
    if not d.status or d.status.endswith(".0.0"):
        status = find_status(text)
        if status and not status.endswith(".0.0"):
            d.status = status
        else:
            status = ""
    if not d.reply_code or d.reply_code.endswith("00"):
        reply = find_reply(text)
        if reply and not reply.endswith("00"):
            d.reply_code = reply
        else:
            reply = ""
    if status or (reply and len(text) > len(d.diagnosis)):
        d.diagnosis = text
