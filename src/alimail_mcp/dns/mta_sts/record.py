"""The `_mta-sts` TXT record (RFC 8461 3.1): `v=STSv1; id=<1-32 letters and digits>;` announcing that a
policy is published, and which version of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alimail_mcp.dns.finding import problem

VERSION = "v=STSv1"
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")


@dataclass
class StsRecord:
    id: str | None = None
    problems: list[str] = field(default_factory=list)
    """Syntax problems in our words (skills/dns.yaml `problems`)."""


def announcing(texts: tuple[str, ...]) -> list[str]:
    """The records senders consider: those starting with `v=STSv1` (others are discarded, 3.1)."""
    return [t for t in texts if t.startswith(VERSION)]


def near_misses(texts: tuple[str, ...]) -> list[str]:
    """Records meant as MTA-STS records that senders discard (version misspelt or not first)."""
    return [t for t in texts if "stsv1" in t.lower() and not t.startswith(VERSION)]


def read_record(text: str) -> StsRecord:
    out = StsRecord()
    fields = [f.strip(" \t") for f in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()  # a trailing delimiter is allowed
    if not fields or fields[0] != VERSION:
        out.problems.append(problem("mta_sts.version"))
    for item in fields[1:]:
        name, eq, value = item.partition("=")
        if name == "id" and eq:
            if out.id is not None:
                out.problems.append(problem("mta_sts.id-repeated"))
            elif not _ID.match(value):
                out.problems.append(problem("mta_sts.id"))
            out.id = out.id or value
        elif not (eq and _EXT_NAME.match(name) and _EXT_VALUE.match(value)):
            out.problems.append(problem("mta_sts.field", length=len(item)))
    if out.id is None and not any(p == problem("mta_sts.id") for p in out.problems):
        out.problems.append(problem("mta_sts.no-id"))
    return out
