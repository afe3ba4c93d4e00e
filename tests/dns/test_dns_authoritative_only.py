"""An authoritative-only server as the resolver (what a harness serving only its own zones is): names
outside its zones are refused or answered NXDOMAIN without authority. The audit never turns that into a
false "missing" or "does not resolve"; what it could not verify is reported as such (info dns.refused),
and a correct domain still comes out ok."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.client import Outcome
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.dns.resolver import ResolverClient
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file

ZONE = """
$ORIGIN own.test.
@        NS    ns1
ns1      A     127.0.0.1
@        MX    5 mx1.qiye.aliyun.com.
inside   CNAME web
web      A     192.0.2.10
outside  CNAME target.far.test.
hop      CNAME hop.far.test.
"""
FAR = """
$ORIGIN far.test.
target   A     192.0.2.20
hop      CNAME hop.own.test.
"""


def actionable(result: DnsAuditResult) -> set[str]:
    return {f.code for f in result.findings if f.severity.value in ("error", "warning")}


@pytest.mark.parametrize("unknown", ["nxdomain", "refused"])
async def test_names_outside_the_zones_are_not_answers(
    start_dns_server: Callable[..., DnsTestServer], unknown: str
) -> None:
    server = start_dns_server(ZONE, unknown=unknown)
    client = ResolverClient.from_settings(settings_for(server))
    outside = await client.query("mx1.qiye.aliyun.com", "A")
    assert outside.outcome is Outcome.REFUSED and not outside.outcome.conclusive
    nx_inside = await client.query("nothing.own.test", "A")  # the zone's own NXDOMAIN (AA) is an answer
    assert nx_inside.outcome is Outcome.NXDOMAIN


async def test_a_recursive_resolver_nxdomain_is_an_answer(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(ZONE, recursion_available=True)
    client = ResolverClient.from_settings(settings_for(server))
    assert (await client.query("mx1.qiye.aliyun.com", "A")).outcome is Outcome.NXDOMAIN


async def test_an_alias_the_server_leaves_unfinished_is_followed(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(ZONE, unknown="refused")
    server.add_zone(FAR)
    server.add("target.far.test.", "A", "192.0.2.21")
    client = ResolverClient.from_settings(settings_for(server))
    inside = await client.query("inside.own.test", "A")
    assert inside.records == ("192.0.2.10",) and inside.cname_chain == ("web.own.test",)
    outside = await client.query("outside.own.test", "A")
    assert outside.outcome is Outcome.OK and sorted(outside.records) == ["192.0.2.20", "192.0.2.21"]
    assert outside.cname_chain == ("target.far.test",)
    assert outside.name == "outside.own.test"
    loop = await client.query("hop.own.test", "A")  # aliases pointing at each other across zones
    assert loop.outcome is Outcome.SERVFAIL


async def test_an_alias_to_a_zone_the_server_does_not_hold_is_refused_not_missing(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(ZONE, unknown="refused")
    client = ResolverClient.from_settings(settings_for(server))
    answer = await client.query("outside.own.test", "A")
    assert answer.outcome is Outcome.REFUSED and answer.cname_chain == ("target.far.test",)


@pytest.mark.parametrize("unknown", ["nxdomain", "refused"])
async def test_correct_domain_alone_on_an_authoritative_server_is_ok(
    start_dns_server: Callable[..., DnsTestServer], unknown: str
) -> None:
    """Only good.test is served: Alibaba Mail's hosts, its SPF include and the report receiver are not."""
    server = start_dns_server(zone_file("good.test"), unknown=unknown)
    result = await audit_domain("good.test", settings=settings_for(server))
    assert result.overall == "ok", result.findings
    assert actionable(result) == set()
    refused = [f for f in result.findings if f.code == "dns.refused"]
    assert refused and all(f.severity.value == "info" for f in refused)
    names = {f.evidence["name"] for f in refused}
    assert {"mx1.qiye.aliyun.com", "spf.qiye.aliyun.com", "good.test._report._dmarc.reports.test"} <= names
    assert [h.resolves for h in result.checks.mx.hosts] == [None, None, None]
    assert result.checks.spf.authorizes_alimail
    assert result.dns_changes == []
    assert "could not be verified" in result.summary


async def test_defects_of_the_domain_itself_are_still_found(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(zone_file("broken.test"), unknown="refused")
    result = await audit_domain("broken.test", settings=settings_for(server))
    assert result.overall == "problem"
    # Found from the domain's own records alone; whether mx1.otherprovider.test resolves is unknown.
    assert {"mx.conflict", "mx.host-unresolvable", "spf.multiple", "dmarc.missing"} <= actionable(result)
    assert "dns.refused" in {f.code for f in result.findings}


async def test_a_domain_the_server_does_not_serve_is_unreachable_not_missing(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(zone_file("good.test"), unknown="refused")
    result = await audit_domain("elsewhere.test", settings=settings_for(server))
    assert result.overall == "unreachable"
    assert not {c for c in actionable(result) if not c.startswith("dns.")}
    assert "dns.refused" in actionable(result)


async def test_on_a_resolver_the_same_correct_domain_has_no_refusals(dns_server: DnsTestServer) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await audit_domain("good.test", settings=settings_for(dns_server))
    assert result.overall == "ok"
    # Only the info findings of the optional features the zone does not publish.
    assert {f.code for f in result.findings} == {
        "mta_sts.not-published",
        "tls_rpt.not-published",
        "bimi.not-published",
        "dnssec.unsigned",
    }


async def test_a_refusal_after_a_truncated_reply_is_still_a_refusal(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    """Rate-limiting servers (NSD's RRL) answer some questions with an empty truncated reply first."""
    server = start_dns_server(ZONE, unknown="refused")
    server.set_fault("mx1.qiye.aliyun.com", "A", truncate=True)
    client = ResolverClient.from_settings(settings_for(server))
    answer = await client.query("mx1.qiye.aliyun.com", "A")
    assert answer.outcome is Outcome.REFUSED
    assert server.count("mx1.qiye.aliyun.com", "A", "tcp") == 1


@pytest.mark.parametrize("recursive", [False, True])
async def test_silence_about_another_partys_name(
    start_dns_server: Callable[..., DnsTestServer], recursive: bool
) -> None:
    """A rate-limiting authoritative-only server may drop the refusals it owes: that leaves the point
    unverified. A recursive resolver's timeout is a real failure, as receivers would meet it."""
    server = start_dns_server(zone_file("good.test"), unknown="refused", recursion_available=recursive)
    server.set_fault("spf.qiye.aliyun.com", "TXT", drop=True)
    result = await audit_domain("good.test", settings=settings_for(server, timeout=0.3, budget=3.0))
    timeouts = [f for f in result.findings if f.code == "dns.timeout"]
    assert [f.evidence["name"] for f in timeouts] == ["spf.qiye.aliyun.com"]
    assert timeouts[0].severity.value == ("warning" if recursive else "info")
    assert result.overall == ("unreachable" if recursive else "ok")
