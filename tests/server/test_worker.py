"""The network loop: work runs on another thread, results and errors come back, cancelling the wait
cancels the work, and the resolver uses it only when asked."""

from __future__ import annotations

import asyncio
import threading

import pytest

from alimail_mcp.dns.client import Outcome
from alimail_mcp.dns.network_loop import on_network_loop
from alimail_mcp.dns.resolver import ResolverClient
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer


async def test_runs_on_another_thread_and_returns_the_result() -> None:
    async def where() -> str:
        return threading.current_thread().name

    assert await on_network_loop(where()) == "alimail-mcp-network"
    assert threading.current_thread().name != "alimail-mcp-network"


async def test_errors_come_back_as_raised() -> None:
    async def fail() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await on_network_loop(fail())


async def test_cancelling_the_wait_cancels_the_work() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    waiter = asyncio.ensure_future(on_network_loop(slow()))
    await asyncio.to_thread(started.wait, 5)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert await asyncio.to_thread(cancelled.wait, 5)


async def test_resolver_offloads_only_when_asked(dns_server: DnsTestServer) -> None:
    dns_server.add_zone('$ORIGIN off.test.\n@ TXT "v=spf1 -all"\n')
    settings = settings_for(dns_server)
    plain = ResolverClient.from_settings(settings)
    offloaded = ResolverClient.from_settings(settings.with_overrides(network_thread=True))
    assert (plain.offload, offloaded.offload) == (False, True)
    for client in (plain, offloaded):
        answer = await client.query("off.test", "TXT")
        assert (answer.outcome, answer.records) == (Outcome.OK, ("v=spf1 -all",))
    shared = await asyncio.gather(*(offloaded.query("off.test", "MX") for _ in range(5)))
    assert {a.outcome for a in shared} == {Outcome.NODATA}
