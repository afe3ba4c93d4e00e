"""Where the message went: who runs each hop, which organisation received it last, the hop it entered
that organisation by (and so the address SPF is checked for), and whether it went to another
provider listed in the domain's MX records."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache

from alimail_mcp.headers.knowledge import HeaderKnowledge
from alimail_mcp.headers.models import Hop

ALIBABA = "alibaba"
"""The receiving side's key when Alibaba Mail took the message in."""


@dataclass(frozen=True, slots=True)
class Route:
    receiver: str | None
    """ALIBABA, or the organisational domain of the last server that received the message; None if unknown."""
    entry: Hop | None
    """The hop by which the message entered the receiving side."""


def route_of(hops: list[Hop], kb: HeaderKnowledge, ours: set[str]) -> Route:
    """The receiving side (who took the message in last) and the oldest hop into it (hops oldest first).
    Local hand-overs without a host name (`by mailstore with LMTP`) do not count."""
    named = [h for h in hops if is_alibaba(h.by_host, kb, ours) or named_host(h.by_host)]
    if not named:
        return Route(None, None)
    if is_alibaba(named[-1].by_host, kb, ours):
        return Route(ALIBABA, next(h for h in named if is_alibaba(h.by_host, kb, ours)))
    receiver = organisation(named[-1].by_host or "")
    return Route(receiver, next(h for h in named if organisation(h.by_host or "") == receiver))


def sending_ip(route: Route) -> str | None:
    """The public address that handed the message to the receiving side; None when that hop shows none
    (an address from another hop would be a sender's own machine or an internal server, not the one
    SPF speaks about)."""
    ip = route.entry.from_ip if route.entry is not None else None
    return ip if is_public(ip) else None


def via_foreign(hops: list[Hop], route: Route, foreign: set[str]) -> list[Hop]:
    """Hops received by another provider's MX of the domain: by exact host name, or (for the last
    receiver, whose hop names are often not the MX names) by the MX host's organisation."""
    exact = [h for h in hops if h.by_host and h.by_host in foreign]
    if exact:
        return exact
    if route.receiver in (None, ALIBABA) or route.entry is None:
        return []
    if route.receiver in {organisation(f) for f in foreign}:
        return [route.entry]
    return []


def named_host(host: str | None) -> bool:
    """A host name with a dot (not an address, not a bare local name such as `mailstore`)."""
    if not host or "." not in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def organisation(host: str) -> str:
    from alimail_mcp.dns.names import organizational_domain

    try:
        return organizational_domain(host.lower().rstrip("."))
    except (ValueError, UnicodeError):
        return host.lower()


def is_alibaba(host: str | None, kb: HeaderKnowledge, ours: set[str]) -> bool:
    if not host:
        return False
    if host in ours or any(p.search(host) for p in kb.alibaba):
        return True
    pattern = _receivers().get(ALIBABA)
    return bool(pattern and pattern.search(host))


def provider_of(host: str | None, kb: HeaderKnowledge, ours: set[str]) -> str | None:
    """Who runs `host` when it is a known mail provider (names from the receivers of skills/errors.yaml)."""
    if not host:
        return None
    labels = _labels()
    if host in ours or any(p.search(host) for p in kb.alibaba):
        return next((name for _, name in labels if "alibaba" in name.lower()), _provider_name())
    return next((name for pattern, name in labels if pattern.search(host)), None)


@cache
def _receivers() -> dict[str, re.Pattern[str]]:
    try:
        from alimail_mcp.diagnosis.catalog import catalog

        return {key: patterns[0] for key, patterns in catalog().receivers.items() if patterns}
    except Exception:  # the error catalog is another part's data: without it, hops just go unlabelled
        return {}


@cache
def _labels() -> tuple[tuple[re.Pattern[str], str], ...]:
    try:
        from alimail_mcp.diagnosis.catalog import catalog

        cat = catalog()
        return tuple((cat.receivers[key][0], r.name) for key, r in cat.data.receivers.items())
    except Exception:  # see _receivers
        return ()


def _provider_name() -> str:
    from alimail_mcp.knowledge.loader import load_provider

    return load_provider().name


_INTERNAL = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "::/128",
    )
)


def is_public(ip: str | None) -> bool:
    """Not a private, shared, loopback or link-local address (documentation ranges count: tests use them)."""
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not any(address.version == n.version and address in n for n in _INTERNAL)
