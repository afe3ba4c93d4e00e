"""qmail (and netqmail, qmail-toaster ...): "Hi. This is the qmail-send program at ..."."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_status, sweep

_INVOKED = re.compile(r"^\(qmail[ ]+\d+[ ]+invoked[ ]+(?:for[ ]+bounce|from[ ]+network)\)")
_ORIGINAL = re.compile(r"^--- Below this line is a copy of the message\.", re.MULTILINE)
_SESSION = (
    ("CONN", re.compile(r"(?:Error:)?Connected to [^ ]+ but greeting failed\.")),
    ("EHLO", re.compile(r"(?:Error:)?Connected to [^ ]+ but my name was rejected\.")),
    ("MAIL", re.compile(r"(?:Error:)?Connected to [^ ]+ but sender was rejected\.")),
    # Only whether these match counts: `(?:Error:)?[^ ]+` started again at every character of a long
    # word, so the word is read from its start alone (the same texts match).
    ("RCPT", re.compile(r"(?<![^ ])[^ ]+ does not like recipient\.")),
    ("DATA", re.compile(r"(?<![^ ])[^ ]+ failed (?:on DATA command|after I sent the message)\.")),
)
_HOST = re.compile(
    r"Giving up on ([^ ]+[0-9a-zA-Z])\.?$|Connected to ([-0-9a-zA-Z.]+[0-9a-zA-Z]) "
    r"|remote host ([-0-9a-zA-Z.]+[0-9a-zA-Z]) said:"
)
_PROGRESS = re.compile(r"Sorry, no SMTP connection got far enough; most progress was ([A-Z]{4}) ")
_ON_HOLD = re.compile(
    r"^[^ ]+ does not like recipient\.[ \t]+.+this message has been in the queue too long\.$"
)
_EXPIRED = "this message has been in the queue too long."
# qmail's own wording, as written; the broad "does not like recipient." is tried last.
_MESSAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mailboxfull", ("disk quota exceeded",)),
    ("mesgtoobig", ("Message size exceeds fixed maximum message size:",)),
    ("hostunknown", ("Sorry, I couldn't find any host ",)),
    ("systemfull", ("Requested action not taken: mailbox unavailable (not enough free space)",)),
    ("systemerror", ("bad interpreter: No such file or directory", "system error", "Unable to")),
    (
        "networkerror",
        (
            "Sorry, I wasn't able to establish an SMTP connection",
            "Sorry. Although I'm listed as a best-preference MX or A for that host",
        ),
    ),
    # notqmail's words for a null MX
    ("notaccept", ("Sorry, I couldn't find a mail exchanger or IP address",)),
    ("userunknown", ("no mailbox here by that name",)),
)
_LDAP: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("suspend", ("Mailaddress is administrativley disabled", "Mailaddress is administratively disabled")),
    ("userunknown", ("Sorry, no mailbox here by that name",)),
    ("exceedlimit", ("The message exeeded the maximum size the user accepts",)),
    (
        "systemerror",
        (
            "Automatic homedir creator crashed",
            "Illegal value in LDAP attribute",
            "LDAP attribute is not given but mandatory",
            "Timeout while performing search on LDAP server",
            "Too many results returned but needs to be unique",
            "Permanent error while executing qmail-forward",
            "Temporary error in automatic homedir creation",
            "Temporary error while executing qmail-forward",
            "Temporary failure in LDAP lookup",
            "Unable to contact LDAP server",
            "Unable to login into LDAP server, bad credentials",
        ),
    ),
)


def read(mail: Mail) -> Report | None:
    if mail.has_headers:
        if mail.subject != "failure notice" and not any(_INVOKED.match(r) for r in mail.received):
            return None
    elif "This is the qmail" not in mail.body:
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries: list[Delivery] = []
    remote_said: dict[int, str] = {}
    reading = False
    for line in head.split("\n"):
        if not reading:
            reading = line.startswith("Hi. This is the qmail")
            continue
        if not line:
            continue
        if m := rx(r"^(?:To *:)?<(.+@.+)>:[ \t]*$").match(line):
            deliveries.append(Delivery(recipient=m.group(1)))
        elif deliveries:
            d = deliveries[-1]
            d.diagnosis = appended(d.diagnosis, line + " ")
            if line.startswith("Remote host said:"):
                remote_said[len(deliveries) - 1] = line
            if not d.remote_host and (m := _HOST.search(line)):
                d.remote_host = next(g for g in m.groups() if g)
    if not deliveries:
        return None
    for index, d in enumerate(deliveries):
        d.diagnosis = sweep(d.diagnosis)
        for command, pattern in _SESSION:
            if pattern.search(d.diagnosis):
                d.command = command
                break
        else:
            if m := _PROGRESS.search(d.diagnosis):
                d.command = m.group(1)
        d.reason = _reason(d, remote_said.get(index, ""))
        d.status = find_status(d.diagnosis)
    return Report(deliveries, original, "qmail")


def _reason(d: Delivery, remote_said: str) -> str:
    """qmail's own wording decides only what the reason step cannot read (a refusal at MAIL or RCPT
    is left to it, as Sisimai 5 does)."""
    if d.command in ("HELO", "EHLO"):
        return "blocked"
    if _ON_HOLD.match(d.diagnosis):
        return "onhold"
    # The remote host's reply first, then the whole notice.
    for text in (remote_said, d.diagnosis):
        if not text:
            continue
        for table in (_MESSAGES, _LDAP):
            for reason, phrases in table:
                if any(p in text for p in phrases):
                    return reason
        if _EXPIRED in text:
            return "expired"
    return ""
