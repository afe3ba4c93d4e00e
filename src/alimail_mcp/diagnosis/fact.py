"""Build one fact per recipient from a reader's report: clean the fields, decide the reason,
whether the failure is permanent, and who the receiving side is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.reason import RECHECK, Evidence, decide
from alimail_mcp.diagnosis.receiver import reading
from alimail_mcp.diagnosis.smtp import find_reply, find_status, permanence, sweep
from alimail_mcp.mail.addresses import first_address
from alimail_mcp.mail.header_block import first_values

NOT_FAILURES = frozenset({"delivered", "feedback", "vacation"})
_SPECIFIC_STATUS = re.compile(r"^[45]\.[1-9]\.[1-9]\d{0,2}$")
_STATUS_TOKEN = re.compile(r"(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w.]\d)")
_REPLY_TOKEN = re.compile(r"\b\d{3}\b")
MAX_SCAN = 8000
"""Characters of a diagnosis searched for a recipient's own status code."""
_COMMANDS = ("EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT")
_SENDER_HEADERS = (
    "from",
    "return-path",
    "sender",
    "reply-to",
    "errors-to",
    "envelope-from",
    "x-envelope-from",
)


@dataclass(slots=True)
class Fact:
    """One recipient's classified failure (or not-failure)."""

    recipient: str
    reason: str
    status: str
    reply_code: str
    diagnosis: str
    spec: str
    command: str
    remote_host: str
    lhost: str
    date: str
    action: str
    agent: str
    feedback_type: str
    permanent: bool | None
    sender: str
    """The original message's sender (From/Return-Path of the returned message), if known."""
    subject: str

    @property
    def failed(self) -> bool:
        return self.reason not in NOT_FAILURES

    @property
    def destination(self) -> str:
        return self.recipient.rpartition("@")[2].lower()


def build(report: Report, mail: Mail) -> list[Fact]:
    original = first_values(report.original) if report.original else {}
    sender = _sender(original, mail)
    for d in report.deliveries:
        d.agent = d.agent or report.agent
    return [_fact(d, sender, original.get("subject", "")) for d in report.deliveries if d.recipient]


def _sender(original: dict[str, str], mail: Mail) -> str:
    for name in _SENDER_HEADERS:
        address = first_address(original.get(name, ""))
        if address:
            return address
    return first_address(mail.header("to")) if mail.has_headers else ""


def _fact(d: Delivery, sender: str, subject: str) -> Fact:
    diagnosis = d.diagnosis.rstrip("\r")
    status = d.status
    reply = d.reply_code
    if diagnosis:
        found_status = _own_status(diagnosis, d.recipient) or find_status(diagnosis)
        found_reply = find_reply(diagnosis)
        repeats = 0
        if found_status:
            repeats += sum(1 for token in _STATUS_TOKEN.findall(diagnosis) if token == found_status)
            if _SPECIFIC_STATUS.match(found_status):
                status = found_status
        if found_reply:
            repeats += sum(1 for token in _REPLY_TOKEN.findall(diagnosis) if token == found_reply)
            reply = reply or found_reply
        if repeats > 2:
            diagnosis = _strip_continuations(diagnosis, found_reply, found_status)
    reason = d.reason
    spec = d.spec or ("X-UNIX" if reason == "mailererror" else "")
    if not spec and reason not in ("feedback", "vacation"):
        spec = "SMTP"
    command = d.command if d.command in _COMMANDS else ""
    action = d.action
    if not action:
        if reason == "expired":
            action = "delayed"
        elif status[:1] in ("4", "5"):
            action = "failed"
    host_name = _host(d.remote_host)
    recipient = first_address(d.recipient) or d.recipient
    ev = Evidence(reason, status, reply, diagnosis, spec, action, command)
    if not reason or reason in RECHECK:
        by_receiver = reading.reason(ev, host_name, recipient.rpartition("@")[2])
        # A receiver's table that reads a code as "no particular reason" leaves the choice to the
        # general step (Sisimai 5 only takes an explicit reason from its rhost tables).
        explicit = by_receiver not in ("", "undefined", "onhold")
        reason = (by_receiver if explicit else decide(ev)) or "undefined"
    permanent: bool | None
    if reason in NOT_FAILURES:
        permanent = None
        if reason != "delivered":
            reply = ""
    else:
        permanent = permanence(status, reply, diagnosis)
        if reply and status and reply[0] != status[0]:
            reply = ""
    return Fact(
        recipient=recipient,
        reason=reason,
        status=status,
        reply_code=reply,
        diagnosis=diagnosis,
        spec=spec,
        command=command,
        remote_host=host_name,
        lhost=_host(d.lhost),
        date=d.date,
        action=action,
        agent=d.agent,
        feedback_type=d.feedback_type,
        permanent=permanent,
        sender=sender,
        subject=subject,
    )


def _own_status(diagnosis: str, recipient: str) -> str:
    """The status code written just before this recipient's address, when a transcript quoted for
    several recipients (`550 5.2.1 <a@x>... 550 5.1.1 <b@x>...`) gives each its own line."""
    address = first_address(recipient) or recipient
    if not address or len(_STATUS_TOKEN.findall(diagnosis[:MAX_SCAN])) < 2:
        return ""
    at = diagnosis.lower().find(address.lower(), 0, MAX_SCAN)
    if at < 0:
        return ""
    before = _STATUS_TOKEN.findall(diagnosis[max(0, at - 24) : at])
    return before[-1] if before and _SPECIFIC_STATUS.match(before[-1]) else ""


def _strip_continuations(text: str, reply: str, status: str) -> str:
    """Remove the code prefixes of a multi-line reply (`550-5.7.1 ... 550 5.7.1 ...`)."""
    s = re.escape(status) if status else ""
    if reply:
        text = re.sub(rf";? {reply}[- ](?:{s})?" if s else rf";? {reply}[- ]", " ", text)
    text = re.sub(rf";? [45]\d\d[- ](?:{s})?" if s else r";? [45]\d\d[- ]", " ", text)
    if reply:
        text = re.sub(rf";? {reply}[- ](?:[45]\.\d\.\d+)?", " ", text)
    text = rx(r"(?is)<html>.+</html>").sub("", text)
    return sweep(text)


def _host(value: str) -> str:
    host = rx(r"[\[\]()]").sub("", value)
    host = rx(r"^.+=").sub("", host).rstrip("\r")
    host = host.split(" ", 1)[0] if " " in host else host
    return host.rstrip(".")
