"""Authentication-Results (RFC 8601), ARC-Authentication-Results (RFC 8617) and Received-SPF (RFC 7208 9.1).

`authserv-id; method=result (comment) reason="..." ptype.property=value; method=result ...`.
Microsoft 365 omits the authserv-id; Gmail writes DMARC's policy in a comment `(p=NONE sp=NONE dis=NONE)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

METHODS = ("spf", "dkim", "dmarc", "arc", "compauth")
_RESULT = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*([A-Za-z]+)")
_PROP = re.compile(r"\b([A-Za-z]+)\.([A-Za-z0-9_.-]{1,64})\s*=\s*(\"[^\"]*\"|[^\s;]+)")
"""`ptype.property=value`; the property name bounded, or every dot of a long dotted word started a
scan to the word's end."""
_KEYWORD = re.compile(
    r"\b(reason|action|p|sp|dis|pct|client-ip|envelope-from|helo|identity)\s*=\s*(\"[^\"]*\"|[^\s;()]+)", re.I
)
_COMMENT = re.compile(r"\(([^()]*)\)")
_INSTANCE = re.compile(r"^\s*i\s*=\s*(\d{1,3})\s*$")
VALUE_CHARS = 200


@dataclass(slots=True)
class RawVerdict:
    method: str
    result: str
    authserv_id: str | None
    instance: int | None
    properties: dict[str, str] = field(default_factory=dict)


def split_unquoted(value: str, sep: str = ";") -> list[str]:
    """`value` split at `sep` outside double quotes and parentheses."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"' and depth == 0:
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")" and depth:
            depth -= 1
        elif ch == sep and not quoted and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_authentication_results(value: str, *, arc: bool = False) -> list[RawVerdict]:
    parts = split_unquoted(value)
    instance: int | None = None
    if arc and parts and (m := _INSTANCE.match(parts[0])):
        instance = int(m.group(1))
        parts = parts[1:]
    authserv: str | None = None
    if parts and not _RESULT.match(parts[0]):
        authserv = parts[0].split()[0][:VALUE_CHARS] if parts[0].split() else None
        parts = parts[1:]
    verdicts: list[RawVerdict] = []
    for part in parts:
        match = _RESULT.match(part)
        if match is None:
            continue
        method = match.group(1).lower()
        if method not in METHODS:
            continue
        props = _properties(part[match.end() :])
        verdicts.append(RawVerdict(method, match.group(2).lower(), authserv, instance, props))
    return verdicts


def parse_received_spf(value: str) -> RawVerdict | None:
    """`Pass (comment) client-ip=...; envelope-from=...; helo=...` (RFC 7208 9.1)."""
    match = re.match(r"^\s*([A-Za-z]+)\b", value)
    if match is None:
        return None
    props = _properties(value[match.end() :])
    return RawVerdict("spf", match.group(1).lower(), None, None, props)


def _properties(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for m in _PROP.finditer(_COMMENT.sub(" ", text)):
        key = f"{m.group(1).lower()}.{m.group(2).lower()}"
        props.setdefault(key, _clean(m.group(3)))
    for m in _KEYWORD.finditer(text):
        props.setdefault(m.group(1).lower(), _clean(m.group(2)))
    return props


def _clean(value: str) -> str:
    return value.strip().strip('"').rstrip(";,")[:VALUE_CHARS]
