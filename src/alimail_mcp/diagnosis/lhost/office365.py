"""Microsoft 365 / Exchange Online non-delivery reports ("Delivery has failed to these recipients")."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.rfc3464 import TARGET, field_kind, parse_field
from alimail_mcp.diagnosis.smtp import find_status, sweep

_OUTLOOK = re.compile(r".+\.(?:outbound\.protection|prod)\.outlook\.com\b")
_HEADERS = (
    "x-ms-exchange-message-is-ndr",
    "x-microsoft-antispam-prvs",
    "x-exchange-antispam-report-test",
    "x-exchange-antispam-report-cfa-test",
    "x-ms-exchange-crosstenant-originalarrivaltime",
    "x-ms-exchange-crosstenant-fromentityheader",
    "x-ms-exchange-transport-crosstenantheadersstamped",
)
_START = re.compile(
    r"^(?:Delivery has failed to these recipients or groups:|Original Message Details"
    r"|.+ rejected your message to the following e-?mail addresses:)"
)
_ERROR = re.compile(r"^(?:Diagnostic information for administrators:|Error Details)")
_END = re.compile(r"^(?:Original [Mm]essage [Hh]eaders:?|Message Hops)")
# Microsoft's enhanced status codes whose meaning is its own (reader-level reasons).
STATUS_REASONS = (
    (re.compile(r"^4\.4\.7$"), "expired"),
    (re.compile(r"^4\.4\.312$"), "networkerror"),
    (re.compile(r"^4\.4\.316$"), "expired"),
    (re.compile(r"^4\.7\.26$"), "securityerror"),
    (re.compile(r"^4\.7\.[56]\d\d$"), "blocked"),
    (re.compile(r"^4\.7\.8[5-9]\d$"), "blocked"),
    (re.compile(r"^5\.0\.350$"), "contenterror"),
    (re.compile(r"^5\.1\.10$"), "userunknown"),
    (re.compile(r"^5\.4\.1$"), "norelaying"),
    (re.compile(r"^5\.4\.6$"), "networkerror"),
    (re.compile(r"^5\.4\.312$"), "networkerror"),
    (re.compile(r"^5\.4\.316$"), "expired"),
    (re.compile(r"^5\.6\.11$"), "contenterror"),
    (re.compile(r"^5\.7\.1$"), "rejected"),
    (re.compile(r"^5\.7\.1[23]$"), "rejected"),
    (re.compile(r"^5\.7\.124$"), "rejected"),
    (re.compile(r"^5\.7\.13[3-6]$"), "rejected"),
    (re.compile(r"^5\.7\.23$"), "blocked"),
    (re.compile(r"^5\.7\.25$"), "networkerror"),
    (re.compile(r"^5\.7\.50[1-3]$"), "spamdetected"),
    (re.compile(r"^5\.7\.50[4-5]$"), "filtered"),
    (re.compile(r"^5\.7\.50[6-7]$"), "blocked"),
    (re.compile(r"^5\.7\.508$"), "toomanyconn"),
    (re.compile(r"^5\.7\.509$"), "securityerror"),
    (re.compile(r"^5\.7\.510$"), "notaccept"),
    (re.compile(r"^5\.7\.511$"), "rejected"),
    (re.compile(r"^5\.7\.512$"), "securityerror"),
    (re.compile(r"^5\.7\.57$"), "securityerror"),
    (re.compile(r"^5\.7\.60[6-9]$"), "blocked"),
    (re.compile(r"^5\.7\.6[1-4]\d$"), "blocked"),
    (re.compile(r"^5\.7\.7[0-4]\d$"), "toomanyconn"),
)


def is_office365(mail: Mail) -> bool:
    score = int("Undeliverable:" in mail.subject)
    score += sum(1 for h in _HEADERS if mail.header(h))
    score += any(_OUTLOOK.search(r) for r in mail.received)
    score += bool(_OUTLOOK.search(mail.header("message-id")))
    return score >= 2


def read(mail: Mail) -> Report | None:
    if not mail.has_headers or not is_office365(mail):
        return None
    head, original = fillet(mail.body)
    deliveries = [Delivery()]
    per_message: dict[str, str] = {}
    reading = end_of_error = False
    recipients = 0
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
            continue
        if not line:
            continue
        d = deliveries[-1]
        if m := (
            rx(r"^.+@.+<mailto:(.+@.+)>$").match(line) or rx(r"^Recipient Address:[ ]+(.+)$").match(line)
        ):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
            recipients += 1
        elif m := rx(r"^Generating server: (.+)$").match(line):
            per_message["lhost"] = m.group(1).lower()
        elif end_of_error:
            kind = field_kind(line)
            f = parse_field(line) if kind else None
            if not f or f.name in ("diagnostic-code", "final-recipient") or f.name not in TARGET:
                continue
            setattr(d, TARGET[f.name], f.value)
            if kind == 1:
                per_message[TARGET[f.name]] = f.value
        elif _ERROR.match(line):
            d.diagnosis = line
        elif d.diagnosis:
            if _END.match(line):
                end_of_error = True
                continue
            d.diagnosis = appended(d.diagnosis, " " + line)
    if not recipients:
        return None
    for d in deliveries:
        for key, value in per_message.items():
            if not getattr(d, key):
                setattr(d, key, value)
        d.diagnosis = sweep(d.diagnosis)
        if not d.status or d.status.endswith(".0.0"):
            d.status = find_status(d.diagnosis) or d.status
        if rx(r"unknown recipient or mailbox unavailable ->.+<?.+@.+\.[a-zA-Z]+>?").search(d.diagnosis):
            d.command = "RCPT"
        if d.status:
            d.reason = next((reason for pattern, reason in STATUS_REASONS if pattern.match(d.status)), "")
    return Report(deliveries, original, "office365")
