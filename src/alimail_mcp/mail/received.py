"""Received trace fields (RFC 5321 section 4.4): who handed the message to whom, and when.

A Received field reads `from <helo> (<rdns> [<ip>]) by <host> (<software>) with <protocol> id <id>
for <addr>; <date>`, but every server writes it its own way (Microsoft, Alibaba Mail, Postfix, Exim
all differ), so each clause is looked for on its own and any of them may be missing.

There are two readings. `parse_received` reads every clause for the header analysis (the route,
the delay at each hop). `received_hosts` is the bounce readers' reading of just the two hosts, the
way Sisimai takes them (as written, the from-host a dotted name anywhere in the from-clause, the
by-host after the last " by "); the bounce results are measured against Sisimai's, so it stays.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from alimail_mcp.mail.dates import parse_date
from alimail_mcp.mail.header_block import without_comments

_FROM = re.compile(r"(?:^|\s)from\s+([^\s;()]+)", re.IGNORECASE)
_BY = re.compile(r"(?:^|(?<=[\s)]))by\s+([^\s;()]+)", re.IGNORECASE)
_BY_CLAUSE = re.compile(r"(?:^|(?<=[\s)]))by\s+", re.IGNORECASE)
_WITH = re.compile(r"(?:^|(?<=[\s)]))with\s+([A-Za-z0-9_/.-]+)", re.IGNORECASE)
r"""A clause keyword at the start, or right after white space or a comment's `)`. Written as a look
behind: `(?:^|\s|\))\s*by` tried every space of a long run again up to the run's end."""
_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{3,45})\]")
_BARE_IP = re.compile(
    r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
_DAY_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
    r"(?:\s+(?:[+-]\d{4}|[A-Za-z]{1,5}))?"
)

RECEIVED_CHARS = 2000
"""A Received field is read by `received_hosts` up to this length (real ones have a few hundred)."""
_QMAIL_INVOKED = re.compile(r"qmail[ \t]+.+invoked[ \t]+")
_FROM_BY = re.compile(r"from[ \t]+(.+)(?<![ \t])([ \t]+)by[ \t]+([^ ]+)")
"""`from[ \t]+(.+)[ \t]+by[ \t]+([^ ]+)` with the from-part ending before the spaces, so that each run
of spaces is tried once (the sender is the from-part and all but one of those spaces, as before)."""
_BY_ONLY = re.compile(r"\bby[ \t]+([^ ]+)(.*)")
_IPV4_TOKEN = re.compile(r"^[(\[]\d+\.\d+\.\d+\.\d+[)\]]$")
_PRIVATE_172 = re.compile(r"172\.(?:1[6-9]|2\d|3[01])\.")
_HOST_PUNCTUATION = re.compile(r"[()\[\];?]")


@dataclass(slots=True)
class ReceivedHop:
    """What one Received field says about its hop."""

    from_host: str | None
    """The name the sending client gave (HELO), lower case."""
    from_ip: str | None
    """The client address the receiving server recorded."""
    by_host: str | None
    """The receiving server, lower case."""
    protocol: str | None
    """The `with` clause, upper case: ESMTP, ESMTPS, SMTP, LMTP ..."""
    when: datetime | None


def parse_received(value: str) -> ReceivedHop:
    """Read each clause of one Received field value (unfolded)."""
    head, date = _split_date(value)
    outer = without_comments(head, 3)
    from_match = _FROM.search(outer)
    by_match = _BY.search(outer)
    with_match = _WITH.search(outer)
    from_part = head
    if by_match is not None:
        # The from-clause (with its comment holding the address) is everything before " by ".
        cut = _BY_CLAUSE.search(head)
        from_part = head[: cut.start()] if cut else head
    return ReceivedHop(
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


def received_hosts(value: str) -> tuple[str, str]:
    """(from-host, by-host) of one Received field value as Sisimai reads them, '' when absent: the
    from-host prefers a dotted name, else a public IPv4 address; both keep their case."""
    value = value[:RECEIVED_CHARS]
    if _QMAIL_INVOKED.search(value):
        return "", ""
    match = _FROM_BY.match(value)
    if match:
        sender, by = match.group(1) + match.group(2)[:-1], match.group(3)
    else:
        match = _BY_ONLY.search(value)
        if not match:
            return "", ""
        sender, by = match.group(1) + match.group(2), match.group(1)
    if " " in sender:
        names: list[str] = []
        addresses: list[str] = []
        for token in sender.split():
            if _IPV4_TOKEN.match(token):
                addresses.append(token.strip("[]()"))
            else:
                names.append(token.replace("(", "").replace(")", ""))
        host = next((n for n in names if "." in n), "")
        if not host:
            host = next((a for a in addresses if not _private(a)), addresses[-1] if addresses else "")
        sender = host
    return _HOST_PUNCTUATION.sub("", sender), _HOST_PUNCTUATION.sub("", by)


def _private(ip: str) -> bool:
    return ip.startswith(("10.", "127.", "192.168.")) or bool(_PRIVATE_172.match(ip))
