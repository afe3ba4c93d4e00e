"""The include walk does a bounded amount of work whatever the records: every name is read once, a
layered graph costs one question per name (not one per path), and past its limits the walk stops and
says so (spf.walk-truncated) instead of running into the audit's budget."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.spf import SpfCheck, SpfInclude, check_spf
from alimail_mcp.dns.spf.walk import MAX_DEPTH, MAX_ENTRIES, MAX_NAMES, MAX_VOID_CHECKS
from alimail_mcp.knowledge.loader import load_provider
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world
from tests.support.hostile_zones import LAYERS, WIDTH, layered

ALI = load_provider().spf.recommended_include


def chain(origin: str, length: int) -> str:
    lines = [f"$ORIGIN {origin}.", f'@ TXT "v=spf1 include:c0.{origin} include:{ALI} -all"']
    lines += [f'c{i} TXT "v=spf1 include:c{i + 1}.{origin} -all"' for i in range(length)]
    return "\n".join(lines) + f'\nc{length} TXT "v=spf1 ip4:192.0.2.1 -all"\n'


def txt(terms: str) -> str:
    """An SPF record of `terms` as the quoted strings of one TXT record (255 characters each at most)."""
    record = f"v=spf1 {terms}"
    return " ".join(f'"{record[i : i + 250]}"' for i in range(0, len(record), 250))


def entries(includes: list[SpfInclude]) -> list[SpfInclude]:
    return [e for i in includes for e in (i, *entries(i.includes))]


def codes(check: SpfCheck) -> list[str]:
    return [f.code for f in check.findings]


async def test_a_layered_graph_reads_each_name_once(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, layered())
    check = await check_spf(dns_client, "graph.test")
    listed = entries(check.includes)
    read = [e for e in listed if e.status == "ok"]
    assert len(read) == LAYERS * WIDTH + 1  # every name of the graph and Alibaba Mail's record
    assert all(
        dns_server.count(f"l{i}n{j}.graph.test", "TXT") == 1 for i in range(LAYERS) for j in range(WIDTH)
    )
    assert {e.status for e in listed} == {"ok", "repeated"}
    assert len(listed) == WIDTH + 1 + (LAYERS - 1) * WIDTH * WIDTH
    # a receiver evaluating every term counts each path: 4 + 16 + ... + 4^11 includes, and Alibaba Mail's
    assert check.lookups == sum(WIDTH**k for k in range(1, LAYERS + 1)) + 1
    assert codes(check) == ["spf.too-many-lookups"] and check.authorizes_alimail


async def test_the_layered_graph_audit_ends_well_within_its_budget(dns_server: DnsTestServer) -> None:
    """It took the whole budget and more (11-15 s against 8 s, 280 MB) when every path was walked."""
    serve_world(dns_server, layered())
    settings = settings_for(dns_server, timeout=2.0, budget=8.0)
    started = time.monotonic()
    results = await asyncio.gather(*(audit_domain("graph.test", settings=settings) for _ in range(4)))
    elapsed = time.monotonic() - started
    assert elapsed < settings.dns_budget / 2, elapsed  # four at once; one alone takes a fraction of a second
    for result in results:
        assert result.overall == "problem" and result.queries < 100
        assert "spf.too-many-lookups" in {f.code for f in result.findings}
        assert not {f.code for f in result.findings} & {"dns.timeout", "spf.walk-truncated"}


async def test_the_layered_graph_audit_needs_little_memory(dns_server: DnsTestServer) -> None:
    serve_world(dns_server, layered())
    tracemalloc.start()
    try:
        await audit_domain("graph.test", settings=settings_for(dns_server, timeout=2.0, budget=8.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


async def test_a_cycle_between_two_branches_is_a_loop(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_zone(
        f"""
        $ORIGIN cycle.test.
        @ TXT "v=spf1 include:b.cycle.test include:c.cycle.test include:{ALI} -all"
        b TXT "v=spf1 include:c.cycle.test -all"
        c TXT "v=spf1 include:b.cycle.test -all"
        """
    )
    check = await check_spf(dns_client, "cycle.test")
    assert "spf.loop" in codes(check)
    loop = next(f for f in check.findings if f.code == "spf.loop")
    assert loop.evidence["chains"] == ["cycle.test -> b.cycle.test -> c.cycle.test -> b.cycle.test"]
    assert dns_server.count("b.cycle.test", "TXT") == dns_server.count("c.cycle.test", "TXT") == 1


async def test_a_cycle_closed_by_the_entry_a_name_was_read_through_is_a_loop(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    """z, f and y include each other in a ring that no single path of the walk shows (y and z are read
    from the domain's record, f from z's); the graph meets f first through w and v, so the ring closes
    on the entry f was read through."""
    dns_server.add_zone(
        f"""
        $ORIGIN ring.test.
        @ TXT "v=spf1 include:w.ring.test include:z.ring.test include:y.ring.test include:{ALI} -all"
        w TXT "v=spf1 include:v.ring.test -all"
        v TXT "v=spf1 include:f.ring.test -all"
        z TXT "v=spf1 include:f.ring.test -all"
        f TXT "v=spf1 include:y.ring.test -all"
        y TXT "v=spf1 include:z.ring.test -all"
        """
    )
    check = await check_spf(dns_client, "ring.test")
    loop = next(f for f in check.findings if f.code == "spf.loop")
    names = ["ring.test", "w", "v", "f", "y", "z", "f"]
    assert loop.evidence["chains"] == [
        " -> ".join(n if n == "ring.test" else f"{n}.ring.test" for n in names)
    ]
    assert check.includes[1].includes[0].status == "ok"  # z's entry for f keeps f's record listed


async def test_past_the_name_limit_the_walk_stops_and_says_so(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    groups = " ".join(f"include:g{g}.wide.test" for g in range(15))
    lines = ["$ORIGIN wide.test.", f"@ TXT {txt(f'{groups} include:{ALI} -all')}"]
    lines += [
        f"g{g} TXT {txt(' '.join(f'include:n{g}x{k}.wide.test' for k in range(10)))}" for g in range(15)
    ]
    lines += [f'n{g}x{k} TXT "v=spf1 ip4:192.0.2.{k} -all"' for g in range(15) for k in range(10)]
    serve_world(dns_server, "\n".join(lines))
    check = await check_spf(dns_client, "wide.test")
    listed = entries(check.includes)
    assert len(listed) == 15 + 1 + 15 * 10
    assert sum(1 for e in listed if e.status == "ok") == MAX_NAMES
    assert dns_server.count(rdtype="TXT") == MAX_NAMES + 1
    truncated = next(f for f in check.findings if f.code == "spf.walk-truncated")
    assert truncated.severity.value == "warning" and truncated.evidence["limits_reached"] == ["names"]
    assert "spf.too-many-lookups" in codes(check)


async def test_a_record_of_a_thousand_includes_lists_a_bounded_tree(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    strings = txt(" ".join(f"include:x{k % 7}.many.test" for k in range(1000)))
    dns_server.add_zone(
        f"$ORIGIN many.test.\n@ TXT {strings}\n" + "".join(f'x{k} TXT "v=spf1 -all"\n' for k in range(7))
    )
    check = await check_spf(dns_client, "many.test")
    assert len(entries(check.includes)) == MAX_ENTRIES
    assert all(dns_server.count(f"x{k}.many.test", "TXT") == 1 for k in range(7))
    assert check.lookups == 1000
    assert next(f for f in check.findings if f.code == "spf.walk-truncated").evidence["limits_reached"] == [
        "entries"
    ]


async def test_a_chain_deeper_than_the_limit_is_not_followed(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, chain("deep.test", MAX_DEPTH + 5))
    check = await check_spf(dns_client, "deep.test")
    assert [e.status for e in entries(check.includes)].count("not-followed") == 1
    assert {"spf.too-many-lookups", "spf.walk-truncated"} <= set(codes(check))
    assert "spf.loop" not in codes(check)


async def test_void_checks_are_bounded(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    strings = txt(" ".join(f"a:nx{k}.void.test" for k in range(3 * MAX_VOID_CHECKS)))
    dns_server.add_zone(f"$ORIGIN void.test.\n@ TXT {strings}\nok A 192.0.2.1\n")
    check = await check_spf(dns_client, "void.test")
    assert dns_server.count(rdtype="A") == MAX_VOID_CHECKS
    assert check.void_lookups == MAX_VOID_CHECKS
    assert {"spf.void-lookups", "spf.walk-truncated"} <= set(codes(check))


def test_the_limits_stay_above_what_a_receiver_evaluates() -> None:
    """Ten lookups are all a receiver spends: each limit leaves room for a record that works."""
    assert min(MAX_NAMES, MAX_ENTRIES, MAX_VOID_CHECKS, MAX_DEPTH) > 10
