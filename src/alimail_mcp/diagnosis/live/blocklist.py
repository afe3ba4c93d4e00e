"""The blocklist look-up of an IP or domain named in a bounce: check_dns's blocklist engine
(`dns/blocklist/`), its answers summed up per target.

A target is `listed` only when a list answered with a code it documents as a listing (a policy listing,
Spamhaus's PBL of end-user ranges, counts: receivers refuse direct mail from such ranges); a refusal
code or a question without an answer is `unverified`, never `listed`. `diagnose()` also takes a
`blocklist` argument, so tests and callers can pass any function with this signature; `not_checked`
looks nothing up and says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.models import BlocklistListing, BlocklistResult
from alimail_mcp.dns.client import DnsClient

if TYPE_CHECKING:
    from alimail_mcp.dns.blocklist.models import ListingResult


class BlocklistLookup(Protocol):
    """Look the IP addresses and domains up on public blocklists, concurrently, within the DNS budget."""

    async def __call__(
        self,
        ips: Sequence[str],
        domains: Sequence[str],
        *,
        settings: Settings | None,
        client: DnsClient | None,
    ) -> BlocklistResult: ...


async def not_checked(
    ips: Sequence[str], domains: Sequence[str], *, settings: Settings | None, client: DnsClient | None
) -> BlocklistResult:
    """The default until the blocklist engine is wired: nothing is looked up, and the result says so."""
    targets = [*ips, *domains]
    return BlocklistResult(
        checked=False,
        targets=targets,
        listings=[BlocklistListing(target=t, status="unverified") for t in targets],
        note="The blocklist look-up is not available in this build; check the address by hand.",
    )


async def engine_lookup(
    ips: Sequence[str], domains: Sequence[str], *, settings: Settings | None, client: DnsClient | None
) -> BlocklistResult:
    """Look the targets up with check_dns's blocklist engine, within the settings' DNS budget."""
    from alimail_mcp.config import load_settings
    from alimail_mcp.dns.blocklist.check import check_blocklists
    from alimail_mcp.dns.blocklist.lists import active_lists

    settings = settings or load_settings()
    if client is None:
        from alimail_mcp.dns.resolver import ResolverClient

        client = ResolverClient.from_settings(settings)
    lists = active_lists(settings.blocklist_zones)
    targets = [*ips, *domains]
    try:
        found = await asyncio.wait_for(
            check_blocklists(client, ips=list(ips), domains=list(domains), lists=lists), settings.dns_budget
        )
    except (TimeoutError, ValueError):
        return BlocklistResult(
            checked=False,
            targets=targets,
            listings=[BlocklistListing(target=t, status="unverified") for t in targets],
            note="The blocklists could not be asked in time; nothing is known about a listing.",
        )
    listings = [_summed(t, [r for r in found.results if r.target == t]) for t in targets]
    listed = [r for r in found.results if r.state in ("listed", "policy")]
    note = ""
    if listed:
        first = listed[0]
        where = f" Ask for removal at {first.delist}." if first.delist else ""
        note = f"{first.target} is listed on {first.list_name} now.{where}"
    return BlocklistResult(checked=True, targets=targets, listings=listings, note=note)


def _summed(target: str, results: Sequence[ListingResult]) -> BlocklistListing:
    listed = [
        r.list_name + (" (policy listing)" if r.state == "policy" else "")
        for r in results
        if r.state in ("listed", "policy")
    ]
    if listed:
        return BlocklistListing(target=target, status="listed", lists=listed)
    if any(r.state == "unverified" for r in results) or not results:
        return BlocklistListing(target=target, status="unverified")
    return BlocklistListing(target=target, status="not-listed")


def default_lookup() -> BlocklistLookup:
    """The look-up `diagnose()` uses when it is given none: the blocklist engine of check_dns."""
    return engine_lookup
