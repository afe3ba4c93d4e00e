"""Mimecast: "[Postmaster] Email Delivery Failure" with "-- address" and "Additional information follows"."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report, appended
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep
from alimail_mcp.mail.addresses import is_address

# Mimecast's summary of the problem, used when the remote reply says nothing more specific.
_PROBLEMS = (("userunknown", "Recipient email address is possibly incorrect"),)


def read(mail: Mail) -> Report | None:
    if "Email Delivery Failure" not in mail.subject and "mimecast" not in mail.body[:20000].lower():
        return None
    head, original = fillet(mail.body)
    if "The problem appears to be" not in head:
        return None
    head = rx(r"=\n").sub("", head)  # quoted-printable soft breaks left in an undeclared part
    deliveries: list[Delivery] = []
    section = ""
    problem = ""
    for line in head.split("\n"):
        stripped = line.strip()
        if stripped.startswith("Content-Type: message/delivery-status"):
            break
        if rx(r"(?:following address|email address :|addressed to)").search(stripped):
            section = "address"
        elif stripped.startswith("The problem appears to be") or "The problem appears to be" in stripped:
            section = "problem"
        elif stripped.startswith("Additional information follows"):
            section = "detail"
        elif stripped.startswith("-- "):
            value = stripped[3:].strip()
            if section == "address" and is_address(value):
                deliveries.append(Delivery(recipient=value))
            elif section == "problem":
                problem = value
            elif section == "detail" and deliveries:
                deliveries[-1].diagnosis = value
        elif section == "detail" and deliveries and stripped and deliveries[-1].diagnosis:
            deliveries[-1].diagnosis = appended(deliveries[-1].diagnosis, " " + stripped)
            section = "" if stripped.endswith("]") else section
        elif not stripped:
            section = "" if section == "detail" else section
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis or problem)
        d.status = find_status(d.diagnosis)
        d.reply_code = find_reply(d.diagnosis)
        d.alterrors = problem
        d.reason = next((reason for reason, phrase in _PROBLEMS if phrase == problem), "")
        d.alterrors = ""
        if m := rx(r"Reporting-MTA ?: ?dns; ?([^\s]+)").search(mail.body):
            d.lhost = m.group(1)
    return Report(deliveries, original, "mimecast") if deliveries else None
