"""Which Alibaba Mail server a host name is: protocol, site and whether it is current, legacy or
outdated; and the server each site expects. Derived from skills/provider.yaml only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache
from typing import Literal

from alimail_mcp.knowledge.provider import Provider, Site

ServerProtocol = Literal["smtp", "imap", "pop3"]
Kind = Literal["current", "legacy", "outdated"]


@dataclass(frozen=True)
class KnownHost:
    name: str
    protocol: ServerProtocol
    site: str
    kind: Kind


@dataclass(frozen=True)
class HostVerdict:
    """`known` for Alibaba Mail's own names; `custom` for names under the mailbox's domain;
    `address` for an IP literal; `foreign` for anything else."""

    category: Literal["known", "custom", "address", "foreign"]
    known: KnownHost | None = None
    label: str | None = None
    """For `custom`: the name relative to the domain (`imap` for imap.example.com)."""


def site_domain(site: Site) -> str:
    """The domain a site's servers live under: its webmail name without a leading `mail.`."""
    return site.webmail.removeprefix("mail.")


@cache
def catalogue(provider: Provider) -> dict[str, KnownHost]:
    """Every server name of every site, with the provider's legacy and outdated names (home site)."""
    known: dict[str, KnownHost] = {}
    for server in provider.servers:
        home = next(
            (s for s in provider.sites if server.host.endswith("." + site_domain(s))), provider.sites[0]
        )
        prefix = server.host.removesuffix("." + site_domain(home))
        for site in provider.sites:
            name = f"{prefix}.{site_domain(site)}"
            known[name] = KnownHost(name, server.protocol, site.id, "current")
        for name in server.legacy_hosts:
            known.setdefault(name, KnownHost(name, server.protocol, home.id, "legacy"))
        for name in server.outdated_hosts:
            known.setdefault(name, KnownHost(name, server.protocol, home.id, "outdated"))
    return known


def expected_host(provider: Provider, protocol: ServerProtocol, site_id: str) -> str:
    return next(
        k.name
        for k in catalogue(provider).values()
        if k.protocol == protocol and k.site == site_id and k.kind == "current"
    )


def classify(provider: Provider, host: str, domain: str | None) -> HostVerdict:
    name = host.lower().rstrip(".")
    if known := catalogue(provider).get(name):
        return HostVerdict("known", known)
    if _is_address(name):
        return HostVerdict("address")
    if domain and (name == domain or name.endswith("." + domain)):
        return HostVerdict("custom", label=name.removesuffix(domain).rstrip(".") or "@")
    return HostVerdict("foreign")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
