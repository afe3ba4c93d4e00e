"""Live checks of what a bounce blames (issue #14): the sending IP's reverse DNS for `requireptr` (on
the loopback nameserver), and the blocklist slot, with its no-op default and an injected look-up."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.engine import diagnose
from alimail_mcp.diagnosis.live.blocklist import not_checked
from alimail_mcp.diagnosis.models import BlocklistListing, BlocklistResult
from alimail_mcp.dns.client import DnsClient
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer

NO_PTR = "host mx.partner.test[192.0.2.10] said: 550 5.7.25 Reverse DNS validation failed for [198.51.100.23]"
BLOCKED = (
    "host mx.partner.test[192.0.2.10] said: 554 5.7.1 Service unavailable; "
    "Client host [198.51.100.23] blocked using zen.spamhaus.org"
)


async def test_requireptr_looks_up_the_sending_ips_reverse_dns(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    dns_server.add_origin("100.51.198.in-addr.arpa")
    result = await diagnose(NO_PTR, settings=dns_settings, client=dns_client)
    assert result.recipients[0].reason == "requireptr"
    live = result.live
    assert live is not None and live.ptr is not None
    assert live.ptr.ip == "198.51.100.23" and live.ptr.status == "missing"
    assert live.still_present is True and live.status == "problem"
    assert "did not go out through them" in result.summary


async def test_a_ptr_that_points_back_clears_the_problem(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    dns_server.add_origin("100.51.198.in-addr.arpa")
    dns_server.add_origin("sender.test")
    dns_server.add("23.100.51.198.in-addr.arpa.", "PTR", "mail.sender.test.")
    dns_server.add("mail.sender.test.", "A", "198.51.100.23")
    result = await diagnose(NO_PTR, settings=dns_settings, client=dns_client)
    assert result.live is not None and result.live.ptr is not None
    assert result.live.ptr.status == "ok" and result.live.ptr.names == ["mail.sender.test"]
    assert result.live.still_present is False


async def test_the_default_lookup_asks_check_dns_blocklist_engine(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    """The IP the bounce names is asked of the lists: a listing code is `listed`, still present now."""
    dns_server.add_origin("zen.spamhaus.org")
    dns_server.add("23.100.51.198.zen.spamhaus.org.", "A", "127.0.0.2")
    result = await diagnose(BLOCKED, settings=dns_settings, client=dns_client)
    live = result.live
    assert live is not None and live.blocklist is not None and live.blocklist.checked
    assert [(i.target, i.status) for i in live.blocklist.listings] == [("198.51.100.23", "listed")]
    assert live.still_present is True and "Spamhaus" in live.blocklist.note


async def test_a_refusal_code_is_never_a_listing(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    """Spamhaus answers 127.255.255.254 to a query through a public resolver: not verifiable."""
    dns_server.add_origin("zen.spamhaus.org")
    dns_server.add("23.100.51.198.zen.spamhaus.org.", "A", "127.255.255.254")
    result = await diagnose(BLOCKED, settings=dns_settings, client=dns_client)
    live = result.live
    assert live is not None and live.blocklist is not None
    assert [i.status for i in live.blocklist.listings] == ["unverified"]
    assert live.still_present is not True


def test_not_checked_says_so() -> None:
    found = asyncio.run(not_checked(["198.51.100.23"], [], settings=None, client=None))
    assert found.checked is False and [i.status for i in found.listings] == ["unverified"]


async def test_blocklist_slot_takes_an_injected_lookup(
    dns_settings: Settings, dns_client: ResolverClient
) -> None:
    asked: list[tuple[list[str], list[str]]] = []

    async def lookup(
        ips: Sequence[str], domains: Sequence[str], *, settings: Settings | None, client: DnsClient | None
    ) -> BlocklistResult:
        asked.append((list(ips), list(domains)))
        listing = BlocklistListing(target=ips[0], status="listed", lists=["zen.spamhaus.org"])
        return BlocklistResult(checked=True, targets=list(ips), listings=[listing])

    result = await diagnose(BLOCKED, settings=dns_settings, client=dns_client, blocklist=lookup)
    assert asked == [(["198.51.100.23"], [])]
    assert result.live is not None and result.live.still_present is True
    assert "on a blocklist now" in result.summary
