"""RFC 3464 delivery status notifications: the per-message and per-recipient fields, and a reader
for any bounce that carries them (or, failing that, a recipient line and an error paragraph)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alimail_mcp.deadline import check
from alimail_mcp.diagnosis import mda
from alimail_mcp.diagnosis.arf import is_feedback
from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_command, find_status, sweep
from alimail_mcp.mail.addresses import first_address, is_address
from alimail_mcp.mail.delivery_status import PER_MESSAGE_FIELDS, PER_RECIPIENT_FIELDS

CHECK_LINES = 4096
"""Lines read between two looks at the call's deadline."""
_ACTIONS = {"deliverable": "delivered", "expired": "delayed", "failure": "failed"}
_FIELD = {
    "addr": re.compile(r"^((?:Original|Final|X-Actual)-Recipient):[ ]*(.+?);[ ]*(.+)", re.IGNORECASE),
    "code": re.compile(r"^(Diagnostic-Code):[ ]*(.+?);[ ]*(.*)", re.IGNORECASE),
    "date": re.compile(r"^((?:Arrival|Last-Attempt)-Date):[ ]*(.+)", re.IGNORECASE),
    "host": re.compile(r"^((?:Received-From|Remote|Reporting)-MTA):[ ]*(.+?);[ ]*(.+)", re.IGNORECASE),
    "list": re.compile(
        r"^(Action):[ ]*(delayed|deliverable|delivered|expanded|expired|failed|failure|relayed)",
        re.IGNORECASE,
    ),
    "stat": re.compile(r"^(Status):[ ]*([245]\.\d+\.\d+)", re.IGNORECASE),
    "text": re.compile(r"^(X-Original-Message-ID):[ ]*(.+)", re.IGNORECASE),
}
_GROUP = {
    "original-recipient": "addr",
    "final-recipient": "addr",
    "x-actual-recipient": "addr",
    "diagnostic-code": "code",
    "arrival-date": "date",
    "last-attempt-date": "date",
    "received-from-mta": "host",
    "remote-mta": "host",
    "reporting-mta": "host",
    "action": "list",
    "status": "stat",
    "x-original-message-id": "text",
}
PER_MESSAGE = tuple(n for n in (*PER_MESSAGE_FIELDS, "X-Original-Message-ID") if n.lower() in _GROUP)
PER_RECIPIENT = tuple(n for n in PER_RECIPIENT_FIELDS if n.lower() in _GROUP)
"""The fields of each kind this reader reads, as a line starts with them; with Exchange's
per-message X-Original-Message-ID."""
TARGET = {
    "action": "action",
    "arrival-date": "date",
    "diagnostic-code": "diagnosis",
    "final-recipient": "recipient",
    "last-attempt-date": "date",
    "original-recipient": "alias",
    "received-from-mta": "lhost",
    "remote-mta": "remote_host",
    "reporting-mta": "remote_host",
    "status": "status",
    "x-actual-recipient": "alias",
}


@dataclass(slots=True, frozen=True)
class Field:
    name: str
    """Lower-case field name."""
    kind: str
    """addr, code, date, host, list, stat, text."""
    type: str
    """The type before `;` (RFC822, SMTP, DNS ...), upper-case; '' for other kinds."""
    value: str


def field_kind(line: str) -> int:
    """1 for a per-message field, 2 for a per-recipient field, 0 for anything else."""
    if line.startswith(PER_MESSAGE):
        return 1
    if line.startswith(PER_RECIPIENT):
        return 2
    return 0


def parse_field(line: str) -> Field | None:
    """Read one DSN field line (RFC 3464 section 2.2/2.3), or None when the line is not one."""
    name = line.split(":", 1)[0].lower()
    kind = _GROUP.get(name)
    if not kind:
        return None
    match = _FIELD[kind].match(line)
    if not match:
        return None
    if kind in ("addr", "code", "host"):
        value = match.group(3).strip()
        if kind == "host":
            value = value.lower()
        return Field(name, kind, match.group(2).upper().strip(), value)
    value = match.group(2).strip()
    if kind == "list":
        value = _ACTIONS.get(value.lower(), value.lower())
    elif kind != "date":
        value = value.lower()
    return Field(name, kind, "", value)


def set_field(d: Delivery, f: Field) -> None:
    target = TARGET.get(f.name)
    if target == "diagnosis":
        d.spec = f.type
    if target:
        setattr(d, target, f.value)


# --- the generic reader -----------------------------------------------------------------------

_START = re.compile(
    r"^(?:content-type:[ ]*(?:message/x?delivery-status|message/global-delivery-status|"
    r"message/disposition-notification|text/plain;[ ]charset=)"
    r"|the original message was received at "
    r"|this report relates to your message"
    r"|your message (?:could not be delivered|was not delivered to the following recipients))"
)
_RFC822 = re.compile(r"^(?:content-type:[ ]*(?:message/rfc822|text/rfc822-headers)|return-path:[ ]*<.+>)$")
_ERROR_LINE = re.compile(r"^(?:[45]\d\d[ \t]+|<[^@]+@[^@]+>:?[ \t]+)")
_COMMAND = re.compile(r" (RCPT|MAIL|DATA) +command\b")
_SUBJECT = re.compile(
    r"delivery (?:failed|failure|report)|failure notice|mail (?:delivery|error)|non-delivery|returned mail"
    r"|undeliverable mail|warning: |退信|投递失败|发送失败|未能送达|无法投递|系统退信"
)
# A line the fallback reader skips, or stops at (lower-cased). Each is a pattern anchored at the start
# of the line and phrases looked for anywhere in it: one pattern of both kinds was tried at every
# character of a line, half a microsecond a character.
_SKIP_START = re.compile(r"[-]+=|\s+$|\s*--|\s+=\d+|hi !")
_SKIP_WORDS = (
    "content-description: ",
    "content-disposition: ",
    "content-transfer-encoding: ",
    "content-type: ",
    "name=",
    "charset=",
    ": --------",
)
_STOP_START = re.compile(
    r"content-type: message/delivery-status|here is a copy of the first part of the message"
    r"|the non-delivered message is attached to this message."
    r"|received:|received-from-mta:|reporting-mta:|return-path:"
    r"|a copy of the original message below this line:|-+ ?(?:original message|原始邮件|原邮件)"
)
_STOP_WORDS = (
    "attachment is a copy of the message",
    "below is a copy of the original message:",
    "below this line is a copy of the message",
    "message text follows: ",
    "original message follows",
    "the attachment contains the original mail headers",
    "unsent message below",
    "your message reads (in part):",
)
_FIRST_LINES = re.compile(r"the first \d+ lines ")
_ADDR_LINE = re.compile(
    r"(?:^\s*|^\".+\"\s*|^[ \t]*recipient:[ \t]*|^[ ]*address:[ ]|addressed to |could not be delivered to: "
    r"|delivered to +|delivery failed: |did not reach the following recipient: |error-for: +"
    r"|failed recipient: |failed to deliver to |intended recipient: |mailbox is full: |rcpt to:"
    r"|smtp server <.+> rejected recipient |the following recipients returned permanent errors: "
    r"|the following message to |unknown user: |undeliverable to |undeliverable address: *"
    r"|you sent mail to |your message to |收件人[:：]\s*|收件人地址[:：]\s*|发送给\s*)"
    r"['\"]?<?([a-z0-9.!#$%&*+/?^_`{|}~-]+@[-.0-9a-z]+\.[0-9a-z]+)>?['\"]?"
)


def read_dsn(mail: Mail) -> Report | None:
    """Any message with RFC 3464 fields; else, for bounce-looking mail, a recipient and error text."""
    if mail.has_headers and is_feedback(mail):
        return None  # a complaint report: the ARF reader's
    deliveries = [Delivery()]
    original: list[str] = []
    alias = ""
    blank = 0
    reading = rfc822 = False
    recipients = 0
    per_message: dict[str, str] = {"date": "", "remote_host": "", "lhost": ""}
    previous = ""
    body_lines = mail.body.split("\n")
    for number, line in enumerate(body_lines):
        if not number % CHECK_LINES:
            check()
        lowered = line.lower()
        if not reading and _START.match(lowered):
            reading = True
            previous = line
            continue
        if not rfc822 and _RFC822.match(lowered):
            rfc822 = True
            continue
        if rfc822:
            if not line:
                blank += 1
                if blank > 1:
                    break
                continue
            original.append(line)
            continue
        if not reading or not line:
            previous = line
            continue
        d = deliveries[-1]
        m = rx(r"^(Original|Final)-[Rr]ecipient:[ ]*.+;[ ]*([^ ]+)$").match(line)
        if m:
            if m.group(1) == "Original":
                alias = m.group(2)
            else:
                address = first_address(m.group(2)) or m.group(2)
                if not is_address(address):
                    address = alias
                if d.recipient and d.recipient != address:
                    deliveries.append(Delivery())
                    d = deliveries[-1]
                d.recipient = address
                recipients += 1
                d.alias = d.alias or alias
                alias = ""
        elif m := rx(r"^X-Actual-Recipient:[ ]*(?:RFC|rfc)822;[ ]*([^ ]+)$").match(line):
            d.alias = m.group(1)
        elif m := rx(r"^Action:[ ]*(.+)$").match(line):
            d.action = m.group(1).lower().split(" ")[0]
        elif m := rx(r"^Status:[ ]*(\d\.\d+\.\d+)").match(line):
            d.status = m.group(1)
        elif m := rx(r"^Status:[ ]*(\d+[ ]+.+)$").match(line):
            d.alterrors = m.group(1)
        elif m := rx(r"Remote-MTA:[ ]*(?:DNS|dns);[ ]*(.+)$").search(line):
            d.remote_host = m.group(1).lower()
        elif m := rx(r"^Last-Attempt-Date:[ ]*(.+)$").match(line):
            d.date = m.group(1)
        elif m := rx(r"^Diagnostic-Code:[ ]*(.+?);[ ]*(.+)$").match(line):
            d.spec, d.diagnosis = m.group(1).upper(), m.group(2)
        elif m := rx(r"^Diagnostic-Code:[ ]*(.+)$").match(line):
            d.diagnosis = m.group(1)
        elif previous.startswith("Diagnostic-Code:") and (m := rx(r"^[ \t]+(.+)$").match(line)):
            d.diagnosis = appended(d.diagnosis, " " + m.group(1))
            line = "Diagnostic-Code: " + line
        elif m := rx(r"^Reporting-MTA:[ ]*(?:DNS|dns);[ ]*(.+)$").match(line):
            per_message["remote_host"] = per_message["remote_host"] or m.group(1).lower()
        elif m := rx(r"^Received-From-MTA:[ ]*(?:DNS|dns);[ ]*(.+)$").match(line):
            per_message["lhost"] = m.group(1).lower()
        elif m := rx(r"^Arrival-Date:[ ]*(.+)$").match(line):
            per_message["date"] = m.group(1)
        elif not rx(r"^[ -]+").match(line) and _ERROR_LINE.match(line):
            d.alterrors = appended(d.alterrors, " " + line)
        previous = line

    if not recipients and mail.has_headers:
        recipients = _fallback(mail, deliveries)
        if recipients < 0:
            return None
    elif not recipients:
        recipients = _fallback(mail, deliveries, bare=True)
        if recipients < 0:
            return None
    original_text = "\n".join(original)
    if not recipients:
        to = re.search(r"^To:[ ]*(.+)", original_text, re.MULTILINE)
        address = first_address(to.group(1)) if to else ""
        if not address:
            return None
        deliveries[-1].recipient = address
        recipients = 1
    local = mda.read(mail)
    for d in deliveries:
        for key, value in per_message.items():
            if not getattr(d, key):
                setattr(d, key, value)
        if d.alterrors:
            if not d.diagnosis or d.diagnosis.startswith("-") or d.diagnosis.endswith("__"):
                d.diagnosis = d.alterrors
            d.alterrors = ""
        d.diagnosis = sweep(d.diagnosis)
        if local:
            d.agent = local.agent
            d.reason = local.reason or "undefined"
            if local.message:
                d.diagnosis = local.message
            d.command = ""
        d.date = d.date or mail.header("date")
        d.status = d.status or find_status(d.diagnosis)
        if m := _COMMAND.search(d.diagnosis):
            d.command = m.group(1)
        elif not d.command and not local:
            d.command = find_command(d.diagnosis)
    return Report([d for d in deliveries if d.recipient], original_text, "rfc3464")


BARE_LINES = 2000
"""Lines of a text pasted without headers read as a bounce body; the error texts further down a long
paste (a log excerpt, a thread) are found by the reply-line scan of classify."""


def _fallback(mail: Mail, deliveries: list[Delivery], *, bare: bool = False) -> int:
    """No DSN fields: when the mail looks like a bounce, take addresses and the text around them.

    Returns the number of recipients found, or -1 when the mail does not look like a bounce.
    """
    if not bare:
        sender = mail.header("from").lower()
        looks = bool(rx(r"\b(?:postmaster|mailer-daemon|root)@").search(sender))
        looks = looks or bool(_SUBJECT.search(mail.subject.lower()))
        return_path = mail.header("return-path").lower()
        looks = looks or bool(return_path and rx(r"<>|mailer-daemon").search(return_path))
        if not looks:
            return -1
    d = deliveries[-1]
    found = 0
    for number, line in enumerate(mail.body.split("\n")):
        if bare and number >= BARE_LINES:
            break
        if not number % CHECK_LINES:
            check()
        lowered = line.lower()
        if _RFC822.match(lowered) or _stops(lowered):
            break
        if not line or _skips(lowered) or line.startswith("*"):
            continue
        m = _ADDR_LINE.search(lowered) if "@" in lowered else None  # every address line has an @
        if m:
            address = _original_case(line, m.group(1))
            if not is_address(address):
                continue
            if d.recipient and d.recipient != address:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = address
            found += 1
        elif m := rx(r"\((?:expanded|generated) from:? ([^@]+@[^@]+)\)").search(line):
            d.alias = first_address(m.group(1))
        d.diagnosis = appended(d.diagnosis, " " + line)
    return found


def _stops(lowered: str) -> bool:
    """The line ends the error text (the returned message or the DSN part begins)."""
    return bool(
        _STOP_START.match(lowered)
        or _stars_title(lowered)
        or any(words in lowered for words in _STOP_WORDS)
        or _around(lowered, "message contains ", " file attachments")
        or ("the first " in lowered and _FIRST_LINES.search(lowered))
    )


def _skips(lowered: str) -> bool:
    return bool(
        _SKIP_START.match(lowered) or any(words in lowered for words in _SKIP_WORDS) or lowered.endswith("--")
    )


def _stars_title(lowered: str) -> bool:
    """`^\\*\\*\\* .+ .+ \\*\\*\\*` ("*** Delivery failed ***") without trying every space of the line."""
    if not lowered.startswith("*** "):
        return False
    rest = lowered[4:]
    end = rest.rfind(" ***")
    return end >= 3 and " " in rest[1 : end - 1]


def _around(text: str, before: str, after: str) -> bool:
    """`before.+after` somewhere in `text` (one line): the first `before`, the last `after`."""
    start = text.find(before)
    return start >= 0 and text.rfind(after) > start + len(before)


def _original_case(line: str, lowered_address: str) -> str:
    start = line.lower().find(lowered_address)
    return line[start : start + len(lowered_address)] if start >= 0 else lowered_address
