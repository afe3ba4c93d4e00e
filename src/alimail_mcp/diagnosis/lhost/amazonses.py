"""Amazon SES: bounce notices by email, or SNS notifications carrying the bounce as JSON."""

from __future__ import annotations

import json
from typing import Any

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields, reason_by_phrase, refine_status
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import find_reply, find_status, sweep
from alimail_mcp.mail.addresses import is_address

_STARTS = ("The following message to <", "An error occurred while trying to deliver the mail ")
# SES bounce sub-types that name the reason by themselves.
_SUBTYPES = {
    ("Transient", "MailboxFull"): "mailboxfull",
    ("Transient", "MessageTooLarge"): "mesgtoobig",
}


def read(mail: Mail) -> Report | None:
    if mail.body.startswith("{"):
        return _read_json(mail) if mail.header("x-amz-sns-message-id") else None
    if "Amazon WorkMail" in mail.header("x-mailer"):
        return None
    if not (mail.header("x-aws-outgoing") or mail.header("x-ses-outgoing")):
        return None
    head, original = fillet(mail.body)
    deliveries, _ = read_fields(head, lambda line: line.startswith(_STARTS))
    for d in deliveries:
        d.diagnosis = sweep(d.diagnosis)
        refine_status(d)
        d.reason = reason_by_phrase(d.diagnosis, (("expired", ("Delivery expired",)),))
    return Report(deliveries, original, "amazonses") if deliveries else None


def _read_json(mail: Mail) -> Report | None:
    pieces: list[str] = []
    folded = False
    for line in mail.body.split("\n"):
        if not line:
            continue
        if line == "--":
            break
        if folded:
            line = line[1:]
        folded = line.endswith("!")
        pieces.append(line[:-1] if folded else line)
    try:
        outer = json.loads("".join(pieces))
        payload = json.loads(outer["Message"]) if isinstance(outer.get("Message"), str) else outer
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(payload, dict):
        return None
    kind = payload.get("notificationType")
    deliveries: list[Delivery] = []
    if kind in ("Bounce", "Complaint"):
        section: dict[str, Any] = payload.get(kind.lower()) or {}
        label = "bouncedRecipients" if kind == "Bounce" else "complainedRecipients"
        for item in section.get(label) or []:
            address = str(item.get("emailAddress", ""))
            if not is_address(address):
                continue
            d = Delivery(recipient=address, date=_date(section, payload))
            if kind == "Bounce":
                d.action = str(item.get("action", ""))
                d.status = str(item.get("status", ""))
                code = str(item.get("diagnosticCode", ""))
                if m := rx(r"^(.+?);[ ]*(.+)$").match(code):
                    d.spec, d.diagnosis = m.group(1).upper(), m.group(2)
                else:
                    d.diagnosis = code
                if m := rx(r"^dsn; (.+)$").match(str(section.get("reportingMTA", ""))):
                    d.lhost = m.group(1)
                kind_of = (str(section.get("bounceType", "")), str(section.get("bounceSubType", "")))
                d.reason = _SUBTYPES.get(kind_of, "")
            else:
                d.reason = "feedback"
                d.feedback_type = str(section.get("complaintFeedbackType", ""))
            deliveries.append(d)
    elif kind == "Delivery":
        section = payload.get("delivery") or {}
        for address in section.get("recipients") or []:
            if not is_address(str(address)):
                continue
            response = str(section.get("smtpResponse", ""))
            deliveries.append(
                Delivery(
                    recipient=str(address),
                    lhost=str(section.get("reportingMTA", "")),
                    diagnosis=response,
                    status=find_status(response),
                    reply_code=find_reply(response),
                    reason="delivered",
                    action="delivered",
                    date=_date(section, payload),
                )
            )
    if not deliveries:
        return None
    headers = {
        h.get("name", ""): h.get("value", "") for h in (payload.get("mail") or {}).get("headers") or []
    }
    original = "".join(
        f"{k}: {v}\n" for k, v in headers.items() if k in ("From", "To", "Subject", "Message-ID", "Date")
    )
    return Report(deliveries, original, "amazonses")


def _date(section: dict[str, Any], payload: dict[str, Any]) -> str:
    stamp = str(section.get("timestamp") or (payload.get("mail") or {}).get("timestamp") or "")
    return rx(r"\.\d+Z$").sub("", stamp)
