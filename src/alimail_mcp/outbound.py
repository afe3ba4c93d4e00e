"""The outbound policy: every connection or DNS question whose destination a tool's caller can steer
passes through here first, and then goes to the very address that was checked (no second lookup).

A caller steers a destination by naming it (the servers in check_client_settings) or by owning the DNS
that leads to it (mail.<domain>'s address for check_webmail, the addresses of a domain's NS hosts for
the authoritative comparison). Such an address is refused unless it is on the public internet:
loopback, private, shared (carrier-grade NAT), link-local, site-local, multicast, unspecified,
broadcast, documentation, benchmarking and reserved addresses, also when an IPv6 form carries one of
them (IPv4-mapped, 6to4, NAT64). A refusal is reported by the caller as a finding, never raised.

The operator's own resolvers (ALIMAIL_MCP_RESOLVERS) are not caller-steered and do not pass through
here. `ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS=1` (the operator's environment, never a tool argument) lets
test harnesses reach their servers on 127.0.0.1; unspecified, multicast and broadcast addresses stay
refused even then, since no server answers there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from alimail_mcp.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

UNSPECIFIED = "unspecified"
LOOPBACK = "loopback"
PRIVATE = "private"
SHARED = "shared (carrier-grade NAT)"
LINK_LOCAL = "link-local"
SITE_LOCAL = "site-local"
MULTICAST = "multicast"
BROADCAST = "broadcast"
DOCUMENTATION = "documentation"
BENCHMARKING = "benchmarking"
RESERVED = "reserved"
INVALID = "not an IP address"

NEVER_A_SERVER = frozenset({UNSPECIFIED, MULTICAST, BROADCAST, INVALID})
"""Refused even with the operator's opt-in."""


def _table(*rows: tuple[str, str]) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...]:
    return tuple((ipaddress.ip_network(net), kind) for net, kind in rows)


# First match wins. Python's `is_global` is the last check, not the first: depending on the patch
# release it calls multicast, site-local (fec0::/10), NAT64 and 6to4 forms of 127.0.0.1, IPv4-compatible
# (::a.b.c.d) and unallocated IPv6 space global.
_V4 = _table(
    ("0.0.0.0/8", UNSPECIFIED),  # "this network": connecting to 0.0.0.0 reaches the local host
    ("10.0.0.0/8", PRIVATE),
    ("100.64.0.0/10", SHARED),
    ("127.0.0.0/8", LOOPBACK),
    ("169.254.0.0/16", LINK_LOCAL),  # cloud metadata services live at 169.254.169.254
    ("172.16.0.0/12", PRIVATE),
    ("192.0.0.0/24", RESERVED),  # IETF protocol assignments
    ("192.0.2.0/24", DOCUMENTATION),
    ("192.88.99.0/24", RESERVED),  # the retired 6to4 relay anycast
    ("192.168.0.0/16", PRIVATE),
    ("198.18.0.0/15", BENCHMARKING),
    ("198.51.100.0/24", DOCUMENTATION),
    ("203.0.113.0/24", DOCUMENTATION),
    ("224.0.0.0/4", MULTICAST),
    ("255.255.255.255/32", BROADCAST),
    ("240.0.0.0/4", RESERVED),
)
_V6 = _table(
    ("::/128", UNSPECIFIED),
    ("::1/128", LOOPBACK),
    ("64:ff9b:1::/48", PRIVATE),  # local-use NAT64 (RFC 8215): whatever the site maps it to
    ("2001::/32", RESERVED),  # Teredo: the client's IPv4 address is hidden in it
    ("2001:2::/48", BENCHMARKING),
    ("2001:db8::/32", DOCUMENTATION),
    ("2001::/23", RESERVED),  # IETF protocol assignments
    ("3fff::/20", DOCUMENTATION),
    ("5f00::/16", RESERVED),  # SRv6 segment identifiers
    ("fc00::/7", PRIVATE),  # unique local
    ("fe80::/10", LINK_LOCAL),
    ("fec0::/10", SITE_LOCAL),
    ("ff00::/8", MULTICAST),
)
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """An address a caller steered us to, checked by `OutboundPolicy.check`."""

    address: str
    """The address checked, in its canonical text form, and the one connected to."""
    refused: str | None = None
    """Why it is not contacted: the kind of address ("loopback", "private" ...); None when it may be."""
    embedded: str | None = None
    """The IPv4 address inside an IPv6 form (mapped, 6to4, NAT64) that decided, when there is one."""

    @property
    def allowed(self) -> bool:
        return self.refused is None

    def require(self) -> str:
        """The address to connect to; RefusedTarget for a refused one (a caller that forgot to check)."""
        if self.refused is not None:
            raise RefusedTarget(self)
        return self.address

    def evidence(self) -> dict[str, str]:
        out = {"address": self.address, "kind": self.refused or "public"}
        return out | ({"embedded": self.embedded} if self.embedded else {})


class RefusedTarget(Exception):
    """A connection to a refused address was attempted: a bug in the caller, which reports refusals."""

    def __init__(self, target: Target) -> None:
        super().__init__(f"{target.address} is a {target.refused} address and is not contacted")
        self.target = target


@dataclass(frozen=True)
class OutboundPolicy:
    allow_private: bool = False
    """The operator's opt-in (ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS=1) for test harnesses on loopback."""

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> OutboundPolicy:
        """The policy of `settings` (default: the environment's)."""
        if settings is None:
            from alimail_mcp.config import load_settings

            settings = load_settings()
        return cls(allow_private=settings.allow_private_targets)

    def check(self, address: str) -> Target:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return Target(address[:64], INVALID)
        kind, embedded = classify(ip)
        if kind is not None and self.allow_private and kind not in NEVER_A_SERVER:
            kind = None
        return Target(str(ip), kind, str(embedded) if embedded is not None else None)

    def choose(self, addresses: Iterable[str]) -> tuple[Target | None, list[Target]]:
        """The first of `addresses` that may be contacted (None if none may), and the refused ones."""
        chosen: Target | None = None
        refused: list[Target] = []
        for address in addresses:
            target = self.check(address)
            if not target.allowed:
                refused.append(target)
            elif chosen is None:
                chosen = target
        return chosen, refused


def classify(ip: IPAddress) -> tuple[str | None, ipaddress.IPv4Address | None]:
    """(the kind of a non-public address, None for a public one; the IPv4 address that decided when an
    IPv6 form carries one). Pure: no settings, no network."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _v4_kind(ip), None
    embedded = _embedded_v4(ip)
    if embedded is not None:
        return _v4_kind(embedded), embedded
    kind = next((k for net, k in _V6 if ip in net), None)
    if kind is None and (ip not in _GLOBAL_UNICAST or ip.scope_id or not ip.is_global):
        kind = RESERVED
    return kind, None


def _v4_kind(ip: ipaddress.IPv4Address) -> str | None:
    kind = next((k for net, k in _V4 if ip in net), None)
    return kind if kind is not None or ip.is_global else RESERVED


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form reaches: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return ip.sixtofour


async def open_connection(
    target: Target,
    port: int,
    *,
    tls: ssl.SSLContext | None = None,
    server_name: str | None = None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the checked address itself: numeric only, so nothing is looked up again. `server_name`
    is the TLS server name (SNI and the certificate check), the name the caller gave."""
    return await asyncio.open_connection(
        target.require(),
        port,
        ssl=tls,
        server_hostname=server_name if tls is not None else None,
        flags=socket.AI_NUMERICHOST,
    )


DEFAULT_PORTS = {"http": 80, "https": 443}


def same_origin(url: str, other: str) -> bool:
    """Whether `other` is on the scheme, host and port of `url`: the only redirects a fetch follows
    (it stays on the checked address, and a redirect cannot move it to another port or service)."""
    try:
        first, second = urlsplit(url), urlsplit(other)
        ports = (
            first.port or DEFAULT_PORTS.get(first.scheme),
            second.port or DEFAULT_PORTS.get(second.scheme),
        )
    except ValueError:  # a malformed port
        return False
    return (
        second.scheme in DEFAULT_PORTS
        and (first.scheme, first.hostname) == (second.scheme, second.hostname)
        and ports[0] == ports[1]
    )
