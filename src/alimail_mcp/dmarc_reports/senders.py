"""Who each source is, checked live: Alibaba Mail (the address passes SPF against Alibaba Mail's
include), authorised (it passes the domain's own SPF record, or its mail carries an aligned DKIM
signature), or unknown. The SPF verdicts come from the project's own evaluator (spf_groups.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alimail_mcp.dmarc_reports.merge import Tally
from alimail_mcp.dmarc_reports.models import SenderClass
from alimail_mcp.dmarc_reports.spf_groups import check_many
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain

if TYPE_CHECKING:
    from alimail_mcp.dns.client import DnsClient
    from alimail_mcp.dns.spf.models import SpfResultCode


@dataclass
class Verdicts:
    """Live SPF results: per address against Alibaba Mail's includes, per (domain, address) against
    the domain's record. An address missing from them was not checked."""

    alibaba: dict[str, SpfResultCode] = field(default_factory=dict)
    domain: dict[tuple[str, str], SpfResultCode] = field(default_factory=dict)


async def check_senders(tallies: list[Tally], client: DnsClient, includes: tuple[str, ...]) -> Verdicts:
    """SPF for every source against each include (an address passing one is Alibaba Mail's) and
    against its domain; `tallies` most-sending first."""
    addresses = list(dict.fromkeys(t.source_ip for t in tallies))
    by_domain: dict[str, list[str]] = {}
    for tally in tallies:
        by_domain.setdefault(tally.domain, []).append(tally.source_ip)
    verdicts = Verdicts()

    async def alibaba() -> None:
        verdicts.alibaba = await _alibaba(client, includes, addresses)

    async def own(name: str, ips: list[str]) -> None:
        verdicts.domain.update(await _domain(client, name, ips))

    await asyncio.gather(alibaba(), *(own(name, ips) for name, ips in by_domain.items()))
    return verdicts


async def _alibaba(
    client: DnsClient, includes: tuple[str, ...], addresses: list[str]
) -> dict[str, SpfResultCode]:
    """The recommended include's result, or pass when an address passes an older accepted include."""
    found: dict[str, SpfResultCode] = {}
    left = addresses
    for include in includes:
        results = await check_many(client, include, left)
        for address, result in results.items():
            if result == "pass" or address not in found:
                found[address] = result
        left = [a for a in left if found.get(a) != "pass"]
        if not left:
            break
    return found


async def _domain(
    client: DnsClient, domain: str, addresses: list[str]
) -> dict[tuple[str, str], SpfResultCode]:
    try:
        name = normalize_domain(domain, "domain")
    except InputError:
        return {}  # a report about a name that cannot be a public mail domain: nothing to ask
    results = await check_many(client, name, addresses)
    return {(domain, address): result for address, result in results.items()}


def sender_class(tally: Tally, verdicts: Verdicts | None) -> SenderClass:
    if verdicts is not None and verdicts.alibaba.get(tally.source_ip) == "pass":
        return "alibaba-mail"
    if tally.dkim_aligned > 0:
        return "authorized"
    if verdicts is not None and verdicts.domain.get((tally.domain, tally.source_ip)) == "pass":
        return "authorized"
    return "unknown"


def checked(tally: Tally, verdicts: Verdicts | None) -> bool:
    """Both live checks gave a definite answer for the source (no temperror, not left out)."""
    if verdicts is None:
        return False
    alibaba = verdicts.alibaba.get(tally.source_ip)
    own = verdicts.domain.get((tally.domain, tally.source_ip))
    return alibaba not in (None, "temperror") and own not in (None, "temperror")


def forwarded(tally: Tally, sender: SenderClass, verdicts: Verdicts | None) -> bool:
    """The source forwards the domain's mail: the pattern in its records, from an address that is not
    Alibaba Mail's and not in the domain's SPF record."""
    if tally.forwarding == 0 or sender == "alibaba-mail":
        return False
    own = verdicts.domain.get((tally.domain, tally.source_ip)) if verdicts is not None else None
    return own != "pass"
