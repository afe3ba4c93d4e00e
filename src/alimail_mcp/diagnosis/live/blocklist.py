"""The blocklist look-up slot: the one place where the live check of an IP or domain named in a bounce
plugs in.

The blocklist engine (issue #13, `alimail_mcp.dns`) is built separately. Until it is wired here, the
slot holds `not_checked`, which checks nothing and says so; `diagnose()` also takes a `blocklist`
argument, so tests and callers can pass any function with this signature.

To wire the engine: make `default_lookup()` return an adapter that calls it and maps each answer to a
`BlocklistListing` (status `listed` only for a real listing code; a refusal code or a timeout is
`unverified`, never `listed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.models import BlocklistListing, BlocklistResult
from alimail_mcp.dns.client import DnsClient


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


def default_lookup() -> BlocklistLookup:
    """The look-up `diagnose()` uses when it is given none. Wire issue #13's engine here."""
    return not_checked
