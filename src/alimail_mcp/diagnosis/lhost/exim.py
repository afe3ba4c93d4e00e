"""Exim: "This message was created automatically by mail delivery software." and its relatives."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import parse_field, set_field
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep
from alimail_mcp.diagnosis.status_codes import pseudo_status
from alimail_mcp.mail.received import received_hosts

_SUBJECT = re.compile(
    r"Mail delivery failed(?:: returning message to sender)?|Warning: message [^ ]+ delayed +"
    r"|Delivery Status Notification|Mail failure|Message frozen|error\(s\) in forwarding or filtering"
)
_ORIGINAL = re.compile(
    r"^(?:-+ This is a copy of (?:the|your) message, including all the headers\. -+"
    r"|Content-Type:[ ]*message/rfc822\n(?:[\s\t]+.*?\n\n)?)",
    re.MULTILINE,
)
_START = re.compile(
    r"^(?:This message was created automatically by mail delivery software\."
    r"|A message that you sent was rejected by the local scannning code"
    r"|A message that you sent contained one or more recipient addresses "
    r"|A message that you sent could not be delivered to all of its recipients"
    r"|Message [^ ]+ (?:has been frozen|was frozen on arrival)"
    r"|The [^ ]+ router encountered the following error\(s\):)"
)
_FROZEN = re.compile(r"^Message [^ ]+ (?:has been frozen|was frozen on arrival)")
_COMMANDS = (
    re.compile(r"SMTP error from remote (?:mail server|mailer) after ([A-Za-z]{4})"),
    re.compile(r"SMTP error from remote (?:mail server|mailer) after end of ([A-Za-z]{4})"),
    re.compile(r"LMTP error after ([A-Za-z]{4})"),
    re.compile(r"LMTP error after end of ([A-Za-z]{4})"),
)
# Exim's own wording, matched as written.
_MESSAGES = {
    "userunknown": ("user not found",),
    "hostunknown": (
        "all host address lookups failed permanently",
        "all relevant MX records point to non-existent hosts",
        "Unrouteable address",
    ),
    "mailboxfull": ("mailbox is full", "error: quota exceed"),
    "notaccept": (
        "an MX or SRV record indicated no SMTP service",
        "no host found for existing SMTP connection",
    ),
    "syntaxerror": (
        "angle-brackets nested too deep",
        'expected word or "<"',
        "domain missing in source-routed address",
        "malformed address:",
    ),
    "systemerror": (
        "delivery to file forbidden",
        "delivery to pipe forbidden",
        "local delivery failed",
        "LMTP error after ",
    ),
    "contenterror": ('Too many "Received" headers',),
}
_DELAYED = (
    "retry timeout exceeded",
    "No action is required on your part",
    "retry time not reached for any host after a long failure period",
    "all hosts have been failing for a long time and were last tried",
    "Delay reason: ",
    "has been frozen",
    "was frozen on arrival by ",
)


def is_exim(mail: Mail) -> bool:
    sender = mail.header("from")
    if rx(r"@.+\.mail\.ru>?").search(sender):
        return False
    score = int(sender.startswith("Mail Delivery System"))
    score += bool(rx(r"^<\w{7}-\w{6}-\w{2}@").match(mail.header("message-id")))
    score += bool(_SUBJECT.search(mail.subject))
    return score >= 2


def read(mail: Mail) -> Report | None:
    if not mail.has_headers or not is_exim(mail):
        return None
    return read_body(mail, "exim")


def read_body(
    mail: Mail,
    agent: str,
    *,
    on_mail: str = "onhold",
    messages: dict[str, tuple[str, ...]] = _MESSAGES,
    delayed: tuple[str, ...] = _DELAYED,
    codes: bool = True,
) -> Report | None:
    """The body reader, shared with services that run Exim underneath (Mail.ru, MX Logic ...).

    `on_mail`: the reason of an error after MAIL FROM; `messages`/`delayed`: the phrase tables;
    `codes`: whether to fill in the status code from the reply code.
    """
    head, original = fillet(mail.body, _ORIGINAL)
    multipart = "boundary=" in mail.header("content-type").lower()
    deliveries = [Delivery()]
    reading = False
    recipients = 0
    for line in head.split("\n"):
        if not reading:
            if _START.match(line):
                reading = True
                if not _FROZEN.match(line):
                    continue
            else:
                continue
        if not line:
            continue
        d = deliveries[-1]
        m = (
            rx(r"^[ \t]{2}([^ \t]+@[^ \t]+\.?[a-zA-Z]+)(:.+)?$").match(line)
            or rx(r"^[ \t]{2}[^ \t]+@[^ \t]+\.[a-zA-Z]+ <(.+?@.+?)>:.+$").match(line)
            or rx(r"^([ ]+an undisclosed address)$").match(line)
        )
        if m:
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            recipient = m.group(1)
            if m2 := rx(r"^[ \t]+[^ \t]+@[^ \t]+\.[a-zA-Z]+ <(.+?@.+?)>:.+$").match(line):
                recipient = m2.group(1)
                d.diagnosis = line
            d.recipient = recipient
            recipients += 1
        elif m := (
            rx(r"^[ ]+\(generated from (.+)\)$").match(line)
            or rx(r"^[ ]+generated by ([^ \t]+@[^ \t]+)").match(line)
        ):
            d.alias = m.group(1)
        elif _FROZEN.match(line):
            d.alterrors = appended(d.alterrors, line + " ")
        elif multipart:
            f = parse_field(line) if rx(r"^[A-Z][A-Za-z-]+:").match(line) else None
            if f:
                if f.kind == "addr":
                    if f.name == "final-recipient":
                        d.spec = d.spec or ("SMTP" if "@" in f.value else "X-UNIX")
                elif f.kind == "code":
                    d.spec, d.diagnosis = f.type, f.value
                else:
                    set_field(d, f)
            elif line.startswith(" "):
                d.alterrors = appended(d.alterrors, line + " ")
        elif len(deliveries) == recipients:
            d.diagnosis = appended(d.diagnosis, line + " ")
        elif rx(r"^[ ]+pipe to \|/[^ ]+").match(line):
            d.diagnosis = line
        elif line.startswith("    "):
            d.alterrors = appended(d.alterrors, line + " ")

    if recipients:
        for d in deliveries:
            if d.alias and (not d.recipient or "@" not in d.recipient):
                d.recipient = d.alias
    elif failed := mail.header("x-failed-recipients"):
        addresses = [a.strip() for a in failed.split(",") if a.strip()]
        # The first recipient keeps the error text read above.
        deliveries = deliveries[:1] + [Delivery() for _ in addresses[1:]]
        for d, address in zip(deliveries, addresses, strict=False):
            d.recipient = address
        recipients = len(addresses)
    if not recipients:
        return None
    local = ""
    if mail.received and (m := rx(r"from[ \t]([^ ]+) ").search(mail.received[-1])):
        local = m.group(1)
    first = deliveries[0]
    for d in deliveries:
        d.lhost = d.lhost or local
        if not d.diagnosis and multipart:
            d.diagnosis = first.diagnosis
            d.spec = d.spec or first.spec
            if first.alterrors:
                d.alterrors = first.alterrors
        if d.alterrors:
            shorter = len(d.diagnosis) < len(d.alterrors) and d.diagnosis.lower() in d.alterrors.lower()
            if not d.diagnosis or d.diagnosis.startswith("-") or d.diagnosis.endswith("__") or shorter:
                d.diagnosis = d.alterrors
            d.alterrors = ""
        d.diagnosis = rx(r"\b__.+$").sub("", sweep(d.diagnosis))
        if not d.remote_host:
            if m := rx(r"host[ \t]+([^ \t]+)[ \t]\[.+\]:[ \t]").search(d.diagnosis):
                d.remote_host = m.group(1)
            elif mail.received:
                d.remote_host = received_hosts(mail.received[-1])[1]
        if not d.command:
            _command_and_reason(d, on_mail, messages, delayed)
        if codes:
            _status(d)
    return Report(deliveries, original, agent)


def _command_and_reason(
    d: Delivery, on_mail: str, messages: dict[str, tuple[str, ...]], delayed: tuple[str, ...]
) -> None:
    for pattern in _COMMANDS:
        if m := pattern.search(d.diagnosis):
            d.command = m.group(1).upper()
            break
    if d.command in ("HELO", "EHLO"):
        d.reason = "blocked"
    elif d.command == "MAIL":
        d.reason = on_mail
    else:
        for reason, phrases in messages.items():
            if any(p in d.diagnosis for p in phrases):
                d.reason = reason
                break
        else:
            if any(p in d.diagnosis for p in delayed):
                d.reason = "expired"


def _status(d: Delivery) -> None:
    status = d.status or find_status(d.diagnosis)
    reply = d.reply_code or find_reply(d.diagnosis)
    if not status and reply[:1] in ("4", "5"):
        status = pseudo_status(d.reason, temporary=reply[0] == "4")
    if status or reply or d.status:
        if reply:
            d.status = status
    else:
        status = pseudo_status(d.reason, temporary=d.reason in ("expired", "mailboxfull"))
    d.status = d.status or status
