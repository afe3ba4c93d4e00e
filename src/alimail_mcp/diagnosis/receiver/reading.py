"""Receivers whose replies need their own table: find the receiver by the remote host (then by the
recipient's domain) and read its codes and phrases (tables in skills/reasons.yaml, `receivers`; who
is who in skills/receivers.yaml)."""

from __future__ import annotations

import re
from functools import cache

from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.reason import Evidence
from alimail_mcp.diagnosis.reason.tables import ReceiverTable, tables
from alimail_mcp.diagnosis.receiver import docomo
from alimail_mcp.diagnosis.receiver.registry import receivers

_SPECIAL = {"docomo": docomo.reason}


def find(host: str) -> tuple[str, ReceiverTable] | None:
    """The receiver whose table reads replies from `host` (a host name or a domain), and the table."""
    if not host:
        return None
    own = tables().data.receivers
    receiver = receivers().by_reply_host(host.lower(), own)
    return (receiver, own[receiver]) if receiver else None


def reason(ev: Evidence, remote_host: str, destination: str) -> str:
    """The receiver's reading of this error, or '' when no receiver table applies or decides."""
    found = find(remote_host) or find(destination)
    if not found:
        return ""
    return _read(ev, *found)


def reason_of(receiver: str, ev: Evidence) -> str:
    """The named receiver's reading (for a text whose receiver was recognised by its wording)."""
    table = tables().data.receivers.get(receiver)
    return _read(ev, receiver, table) if table is not None else ""


def _read(ev: Evidence, receiver: str, table: ReceiverTable) -> str:
    if table.keep_reason and ev.reason:
        return ev.reason
    special = _SPECIAL.get(receiver)
    if special:
        return special(ev)
    return _codes(ev, table) or _rows(ev, receiver, table) or _phrases(ev, table)


def _codes(ev: Evidence, table: ReceiverTable) -> str:
    if not table.code_pattern:
        return ""
    match = re.search(table.code_pattern, ev.diagnosis)
    if not match:
        return ""
    code = match.group(1)
    if code in table.codes:
        return table.codes[code]
    if code.isdigit():
        number = int(code)
        if str(number) in table.codes:
            return table.codes[str(number)]
        for low, high, name in table.code_ranges:
            if low <= number <= high:
                return name
    return table.code_default or ""


def _rows(ev: Evidence, receiver: str, table: ReceiverTable) -> str:
    if not table.rows or not ev.diagnosis:
        return ""
    text = _plain(ev.text)
    status, reply = ev.status, ev.reply_code
    if receiver != "mimecast" and not rx(r"[245]\.\d\.\d+").fullmatch(status):
        return ""
    for row in table.rows:
        if _plain(row.text) not in text:
            continue
        if receiver == "google":
            if not reply or row.reply[1:] != reply[1:] or row.status[2:] != status[2:]:
                continue
        elif row.status_range:
            last = int(status.rsplit(".", 1)[-1])
            if not status.startswith(row.status) or not row.status_range[0] <= last <= row.status_range[1]:
                continue
        elif row.status and status != row.status:
            continue
        if row.reply and not row.status and reply != row.reply:
            continue
        return row.reason
    return ""


_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


@cache
def _plain(text: str) -> str:
    """The text with its dashes and word-joining hyphens evened out: receivers' documentation writes
    "header-based" and "Envelope blocked \u2013 User Entry" where their replies say "header based" and
    "Envelope blocked - User Entry"."""
    return rx(r"(?<=\w)-(?=\w)").sub(" ", text.translate(_DASHES))


def _phrases(ev: Evidence, table: ReceiverTable) -> str:
    text = ev.text
    for name, phrases in table.phrases.items():
        if any(phrase.lower() in text for phrase in phrases):
            return name
    return ""
