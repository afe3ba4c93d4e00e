"""The Received chain (RFC 5321 4.4): each field parsed into a hop, oldest first, with the delay at each.

A Received field reads `from <helo> (<rdns> [<ip>]) by <host> (<software>) with <protocol> id <id>
for <addr>; <date>`, but every server writes it its own way (Microsoft, Alibaba Mail, Postfix, Exim
all differ), so each clause is looked for on its own and any of them may be missing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_COMMENT = re.compile(r"\([^()]*\)")
_FROM = re.compile(r"(?:^|\s)from\s+([^\s;()]+)", re.IGNORECASE)
_BY = re.compile(r"(?:^|\s|\))\s*by\s+([^\s;()]+)", re.IGNORECASE)
_WITH = re.compile(r"(?:^|\s|\))\s*with\s+([A-Za-z0-9_/.-]+)", re.IGNORECASE)
_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{3,45})\]")
_BARE_IP = re.compile(
    r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
_DAY_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
    r"(?:\s+(?:[+-]\d{4}|[A-Za-z]{1,5}))?"
)


@dataclass(slots=True)
class ParsedHop:
    from_host: str | None
    from_ip: str | None
    by_host: str | None
    protocol: str | None
    when: datetime | None


def parse_received(value: str) -> ParsedHop:
    head, date = _split_date(value)
    outer = head
    for _ in range(3):  # nested comments, innermost first
        outer = _COMMENT.sub(" ", outer)
    from_match = _FROM.search(outer)
    by_match = _BY.search(outer)
    with_match = _WITH.search(outer)
    from_part = head
    if by_match is not None:
        # The from-clause (with its comment holding the address) is everything before " by ".
        cut = re.search(r"(?:^|\s|\))\s*by\s+", head, re.IGNORECASE)
        from_part = head[: cut.start()] if cut else head
    return ParsedHop(
        from_host=_host(from_match.group(1)) if from_match else None,
        from_ip=_address(from_part) if from_match else None,
        by_host=_host(by_match.group(1)) if by_match else None,
        protocol=with_match.group(1).upper()[:20] if with_match else None,
        when=parse_date(date) if date else None,
    )


def _split_date(value: str) -> tuple[str, str | None]:
    """The clauses and the date: after the last ';' as RFC 5321 says, else any date-like text at the end."""
    head, semicolon, tail = value.rpartition(";")
    if semicolon and _DAY_DATE.search(tail):
        return head, tail.strip()
    dates = list(_DAY_DATE.finditer(value))
    if dates:
        match = dates[-1]
        return value[: match.start()], match.group(0)
    return value, None


def parse_date(text: str) -> datetime | None:
    """An RFC 5322 date as an aware datetime (no offset or -0000: UTC); None when unreadable."""
    cleaned = text
    for _ in range(2):
        cleaned = _COMMENT.sub(" ", cleaned)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return None
    try:
        when = parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if not 1990 <= when.year <= 2200:
        return None
    return when


def _host(token: str) -> str | None:
    name = token.strip("<>[]\"'").rstrip(".").lower()
    return name[:255] if name and not name.startswith("=") else None


def _address(text: str) -> str | None:
    for pattern in (_BRACKET_IP, _BARE_IP):
        for match in pattern.finditer(text):
            try:
                address = ipaddress.ip_address(match.group(1))
            except ValueError:
                continue
            return str(address)
    return None
