"""What a bounce blames, read from its text: the sending IP, and the IP addresses and domains it names
as listed on a blocklist."""

from __future__ import annotations

import ipaddress
import re

from alimail_mcp.diagnosis.classify import Analysis, Classified
from alimail_mcp.diagnosis.fact import NOT_FAILURES

_BRACKETED = re.compile(r"\[([0-9a-fA-F:.]{3,45})\]")
_NAMED_IP = re.compile(
    r"(?:sending ip|ip address|client[- ]ip|source ip|from ip|connecting ip|sender ip|remote ip|mail server"
    r"|messages from|mail from ip|client host|ip)"
    r"\s*[:=]?\s*\[?([0-9a-fA-F:.]{3,45})\]?",
    re.IGNORECASE,
)
_HOST_THEN_IP = re.compile(
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*\s*\[([0-9a-fA-F:.]{3,45})\]"
)
"""A host name (ending in a name, not a number) with its address: the remote host, not the sender."""
_LISTED_DOMAIN = re.compile(
    r"(?:domain|mailfrom domain|sender domain|the domain)\s+\[?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\]?\s+"
    r"(?:is\s+)?(?:listed|blacklisted|blocklisted|present in)",
    re.IGNORECASE,
)
MAX_TARGETS = 4
"""IP addresses and domains taken from one bounce for the blocklist look-up."""


def failed(analysis: Analysis) -> list[Classified]:
    return [item for item in analysis.items if item.fact.reason not in NOT_FAILURES]


def sending_ip(items: list[Classified]) -> str | None:
    """The sending server's IP when an error text names it (not the remote host's own address)."""
    for item in items:
        text = item.fact.diagnosis[:8000]
        remote = {m.group(1) for m in _HOST_THEN_IP.finditer(text)}
        for match in (*_NAMED_IP.finditer(text), *_BRACKETED.finditer(text)):
            found = _ip(match.group(1))
            if found and found not in remote:
                return found
    return None


def listed_domains(items: list[Classified]) -> list[str]:
    """Domains a refusal says are listed (`MailFrom domain example.com is listed in Spamhaus`)."""
    found: list[str] = []
    for item in items:
        for match in _LISTED_DOMAIN.finditer(item.fact.diagnosis[:8000]):
            name = match.group(1).lower().rstrip(".")
            if name not in found:
                found.append(name)
    return found[:MAX_TARGETS]


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip(".")))
    except ValueError:
        return None
