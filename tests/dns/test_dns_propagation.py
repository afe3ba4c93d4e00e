"""Propagation: the resolver's answers against the domain's own nameservers (other test servers)."""

from __future__ import annotations

from collections.abc import Callable

from alimail_mcp.dns.audit import audit_domain
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant

NS2 = "@ NS ns2.{o}.\nns2 A 127.0.0.2"


def codes(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.code for f in findings}


async def test_change_not_yet_at_the_resolver(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    # The resolver still has the zone without DMARC; the authoritative server already serves it.
    serve_world(dns_server, variant("prop.test", without=["_dmarc TXT"]))
    dns_server.add("prop.test._report._dmarc.reports.test.", "TXT", '"v=DMARC1"')
    authoritative = start_dns_server(variant("prop.test"), unknown="refused")
    result = await audit_domain(
        "prop.test",
        settings=settings_for(dns_server),
        compare_authoritative=True,
        authoritative_port=authoritative.port,
    )
    propagation = result.propagation
    assert propagation is not None
    assert propagation.zone == "prop.test" and propagation.nameservers == ["ns1.prop.test"]
    assert [(d.name, d.type) for d in propagation.differences] == [("_dmarc.prop.test", "TXT")]
    diff = propagation.differences[0]
    assert diff.resolver.records == [] and diff.resolver.outcome == "nxdomain"
    assert diff.authoritative[0].records and diff.authoritative[0].records[0].startswith("v=DMARC1")
    assert diff.wait_s is not None and diff.wait_s > 0
    assert propagation.max_wait_s == diff.wait_s
    assert "dns.propagation-pending" in codes(result.findings)
    assert "dmarc.missing" in codes(result.findings)  # what the resolver still shows
    assert any("propagating" in step for step in result.next_steps)
    pending = next(f for f in result.findings if f.code == "dns.propagation-pending")
    assert "48 hours" in pending.detail


async def test_nameservers_that_disagree(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    zone = variant("split.test", extra=NS2.format(o="split.test"))
    serve_world(dns_server, zone)
    first = start_dns_server(zone, unknown="refused")
    lagging = variant("split.test", without=["@ MX"], extra="@ MX 10 mx1.otherprovider.test.")
    start_dns_server(lagging, host="127.0.0.2", port=first.port, unknown="refused")
    result = await audit_domain(
        "split.test",
        settings=settings_for(dns_server),
        compare_authoritative=True,
        authoritative_port=first.port,
    )
    assert result.propagation is not None
    assert sorted(result.propagation.servers_asked) == [f"127.0.0.1:{first.port}", f"127.0.0.2:{first.port}"]
    assert [(d.name, d.type) for d in result.propagation.differences] == [("split.test", "MX")]
    assert codes(result.propagation.findings) == {"dns.nameservers-disagree"}


async def test_silent_authoritative_server_does_not_change_the_verdict(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    zone = variant("half.test", extra="@ NS ns2.half.test.\nns2 A 127.0.0.2")
    serve_world(dns_server, zone)
    up = start_dns_server(zone, unknown="refused")
    silent = start_dns_server(zone, host="127.0.0.2", port=up.port)
    silent.set_fault("half.test", rcode="REFUSED")
    silent.set_fault("_dmarc.half.test", rcode="REFUSED")
    result = await audit_domain(
        "half.test", settings=settings_for(dns_server), compare_authoritative=True, authoritative_port=up.port
    )
    assert result.overall == "ok"
    assert result.propagation is not None and result.propagation.differences == []
    assert codes(result.propagation.findings) == {"dns.authoritative-unreachable"}


async def test_off_by_default(dns_server: DnsTestServer) -> None:
    serve_world(dns_server, variant("quiet.test"))
    result = await audit_domain("quiet.test", settings=settings_for(dns_server))
    assert result.propagation is None
    assert dns_server.count("quiet.test", "NS") == 0
