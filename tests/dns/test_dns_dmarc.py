"""DMARC check: RFC 7489 + RFC 9989 tags, organisational-domain fallback, report authorisation, faults."""

from __future__ import annotations

import pytest

from alimail_mcp.dns.dmarc import check_dmarc
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.knowledge.loader import load_provider
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

NO_DMARC = ["_dmarc TXT"]


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


def dmarc_zone(origin: str, *records: str) -> str:
    return variant(origin, without=NO_DMARC, extra="\n".join(f"_dmarc TXT {r}" for r in records))


async def test_good_record(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await check_dmarc(dns_client, "good.test")
    assert result.status == "ok" and codes(result) == set()
    assert (result.policy, result.record_domain, result.inherited) == ("quarantine", "good.test", False)
    external = [d for d in result.report_destinations if d.external]
    assert [(d.domain, d.authorized) for d in external] == [("reports.test", True)]


async def test_missing_offers_the_starter_record(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("nodmarc.test", without=NO_DMARC))
    result = await check_dmarc(dns_client, "nodmarc.test")
    assert codes(result) == {"dmarc.missing"}
    change = result.findings[0].dns_change
    assert change is not None
    starter = load_provider().dmarc.starter_record.format(domain="nodmarc.test")
    assert (change.action, change.type, change.host, change.value) == ("add", "TXT", "_dmarc", starter)
    assert "p=none" in change.value


async def test_subdomain_inherits_from_organisational_domain(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    zone = dmarc_zone("org.test", '"v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@org.test"')
    serve_world(dns_server, zone)
    result = await check_dmarc(dns_client, "shop.org.test")
    assert result.organizational_domain == "org.test"
    assert (result.inherited, result.record_domain, result.policy) == (True, "org.test", "quarantine")
    assert codes(result) == set()


async def test_policy_none_with_reports_is_info(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, dmarc_zone("none.test", '"v=DMARC1; p=none; rua=mailto:d@none.test"'))
    result = await check_dmarc(dns_client, "none.test")
    assert codes(result) == {"dmarc.policy-none"}
    finding = result.findings[0]
    assert finding.severity.value == "info"
    assert finding.dns_change is not None and "p=quarantine" in finding.dns_change.value
    assert "rua=mailto:d@none.test" in finding.dns_change.value


async def test_policy_none_without_reports_is_warning(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, dmarc_zone("bare.test", '"v=DMARC1; p=none"'))
    result = await check_dmarc(dns_client, "bare.test")
    assert codes(result) == {"dmarc.policy-none"}
    assert result.findings[0].severity.value == "warning"


@pytest.mark.parametrize(
    "record",
    [
        '"v=DMARC1; p=block"',
        '"v=DMARC1; p=reject; adkim=x"',
        '"v=DMARC1; p=reject; rua=https://example.test/report"',
        '"v=DMARC1; p=reject; p=none"',
        '"v=dmarc1; p=reject"',
    ],
)
async def test_invalid(dns_server: DnsTestServer, dns_client: ResolverClient, record: str) -> None:
    serve_world(dns_server, dmarc_zone("invalid.test", record))
    result = await check_dmarc(dns_client, "invalid.test")
    assert "dmarc.invalid" in codes(result)
    assert "dmarc.missing" not in codes(result)


async def test_two_records_are_invalid(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, dmarc_zone("two.test", '"v=DMARC1; p=reject"', '"v=DMARC1; p=none"'))
    result = await check_dmarc(dns_client, "two.test")
    assert codes(result) == {"dmarc.invalid"}
    assert "several" in result.findings[0].detail


async def test_no_p_tag_reads_as_none(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, dmarc_zone("nop.test", '"v=DMARC1; rua=mailto:d@nop.test"'))
    result = await check_dmarc(dns_client, "nop.test")
    assert result.policy == "none"
    # One finding says how the record reads; no "step up" change is offered for a record without p=.
    assert codes(result) == {"dmarc.invalid"}
    assert all(f.dns_change is None for f in result.findings)


async def test_dmarcbis_tags_are_accepted(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    record = '"v=DMARC1; p=reject; np=reject; psd=n; t=n; rua=mailto:d@bis.test"'
    serve_world(dns_server, dmarc_zone("bis.test", record))
    result = await check_dmarc(dns_client, "bis.test")
    assert codes(result) == set()
    assert result.tags["np"] == "reject"


async def test_testing_mode(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, dmarc_zone("t.test", '"v=DMARC1; p=reject; t=y"'))
    result = await check_dmarc(dns_client, "t.test")
    assert codes(result) == {"dmarc.testing"}


async def test_removed_tags(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, dmarc_zone("old.test", '"v=DMARC1; p=reject; pct=100; ri=86400"'))
    harmless = await check_dmarc(dns_client, "old.test")
    assert codes(harmless) == {"dmarc.removed-tag"}
    assert harmless.findings[0].severity.value == "info"
    dns_server.add_zone(dmarc_zone("half.test", '"v=DMARC1; p=reject; pct=50; rf=afrf"'))
    half = await check_dmarc(dns_client, "half.test")
    assert codes(half) == {"dmarc.removed-tag"}
    assert half.findings[0].severity.value == "warning"
    assert half.findings[0].evidence["removed"] == ["pct", "rf"]


async def test_unknown_tag_is_info(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, dmarc_zone("typo.test", '"v=DMARC1; p=reject; ruaa=mailto:x@typo.test"'))
    result = await check_dmarc(dns_client, "typo.test")
    assert codes(result) == {"dmarc.unknown-tag"}


async def test_unauthorized_external_destination(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    record = (
        '"v=DMARC1; p=reject; rua=mailto:a@reports.test,mailto:b@elsewhere.test!10m; ruf=mailto:f@ext.test"'
    )
    serve_world(dns_server, dmarc_zone("ext.test", record))
    dns_server.add_origin("elsewhere.test")  # exists, publishes no authorisation
    result = await check_dmarc(dns_client, "ext.test")
    assert codes(result) == {"dmarc.rua-unauthorized"}
    assert result.findings[0].evidence["authorization_name"] == "ext.test._report._dmarc.elsewhere.test"
    by_domain = {d.domain: (d.external, d.authorized) for d in result.report_destinations}
    assert by_domain == {
        "reports.test": (True, True),
        "elsewhere.test": (True, False),
        "ext.test": (False, None),
    }


async def test_timeout_is_not_missing(dns_server: DnsTestServer, make_dns_client: object) -> None:
    serve_world(dns_server, zone_file("good.test"))
    dns_server.set_fault("_dmarc.good.test", drop=True)
    client = make_dns_client(timeout=0.2, budget=1.0)  # type: ignore[operator]
    result = await check_dmarc(client, "good.test")
    assert codes(result) == {"dns.timeout"} and result.status == "unreachable"


async def test_servfail_at_org_domain_is_not_missing(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("sf.test", without=NO_DMARC))
    dns_server.set_fault("_dmarc.sf.test", rcode="SERVFAIL")
    result = await check_dmarc(dns_client, "www.sf.test")
    assert codes(result) == {"dns.servfail"} and result.status == "unreachable"


@pytest.mark.parametrize(
    ("record", "why"),
    [
        ('"p=reject; v=DMARC1; rua=mailto:d@vfirst.test"', "must be the first tag"),
        ('"v=DMARC1 p=reject; rua=mailto:d@vfirst.test"', "must start exactly with v=DMARC1"),
        ('"v=dmarc1; p=reject"', "must start exactly with v=DMARC1"),
    ],
)
async def test_record_meant_as_dmarc_is_invalid_not_missing(
    dns_server: DnsTestServer, dns_client: ResolverClient, record: str, why: str
) -> None:
    serve_world(dns_server, dmarc_zone("vfirst.test", record))
    result = await check_dmarc(dns_client, "vfirst.test")
    assert codes(result) == {"dmarc.invalid"}
    assert why in result.findings[0].detail
