"""The MTA-STS policy file (RFC 8461 3.2): `key: value` lines (version, mode, max_age, one mx line per
pattern), and which MX hosts its patterns cover (a pattern is a host name, or `*.` standing for exactly
one leftmost label)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alimail_mcp.dns.finding import problem
from alimail_mcp.dns.standards import MtaStsStandard

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_HOST = re.compile(r"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{1,63}\.?$")
MAX_LINES = 1000


@dataclass
class Policy:
    version: str | None = None
    mode: str | None = None
    max_age: int | None = None
    mx: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_policy(text: str, standard: MtaStsStandard) -> Policy:
    """Fields and syntax problems of a policy body (lines end in LF or CRLF; unknown keys are ignored)."""
    out = Policy()
    seen: set[str] = set()
    for line in text.split("\n")[:MAX_LINES]:
        line = line.removesuffix("\r").rstrip(" \t")
        if not line:
            continue
        key, colon, value = line.partition(":")
        value = value.strip(" \t")
        if not colon or not _KEY.match(key):
            out.problems.append(problem("mta_sts.policy-line", length=len(line)))
            continue
        if key in seen and key != "mx" and key in ("version", "mode", "max_age"):
            out.problems.append(problem("mta_sts.policy-repeated", field=key))
            continue
        seen.add(key)
        _field(out, key, value, standard)
    _required(out)
    return out


def _field(out: Policy, key: str, value: str, standard: MtaStsStandard) -> None:
    if key == "version":
        out.version = value
        if value != "STSv1":
            out.problems.append(problem("mta_sts.policy-version"))
    elif key == "mode":
        out.mode = value
        if value not in standard.modes:
            out.problems.append(problem("mta_sts.policy-mode", allowed=", ".join(standard.modes)))
    elif key == "max_age":
        if (
            value.isascii()
            and value.isdigit()
            and len(value) <= 10
            and int(value) <= standard.max_age_limit_s
        ):
            out.max_age = int(value)
        else:
            out.problems.append(problem("mta_sts.policy-max-age", limit=standard.max_age_limit_s))
    elif key == "mx":
        if len(value) <= 253 and _HOST.match(value):
            out.mx.append(value.lower().rstrip("."))
        else:
            out.problems.append(problem("mta_sts.policy-mx", length=len(value)))


def _required(out: Policy) -> None:
    for key, value in (("version", out.version), ("mode", out.mode), ("max_age", out.max_age)):
        if value is None:
            out.problems.append(problem("mta_sts.policy-missing", field=key))
    if not out.mx and out.mode in ("enforce", "testing"):
        out.problems.append(problem("mta_sts.policy-missing", field="mx"))


def covers(pattern: str, host: str) -> bool:
    """Whether an mx pattern matches an MX host (RFC 8461 4.1)."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, dot, rest = host.partition(".")
        return bool(label) and bool(dot) and rest == pattern[2:]
    return pattern == host


def uncovered(patterns: list[str], hosts: list[str]) -> list[str]:
    return [h for h in hosts if not any(covers(p, h) for p in patterns)]
