"""DNSSEC: zones signed in-process (tests/support/dnssec_zones.py) and served with their RRSIGs by the
test nameserver: the chain from DS to DNSKEY, signature windows and signatures on the records read,
records left unsigned, deprecated algorithms, and the resolver's AD flag."""

from __future__ import annotations

import time

import pytest

from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.dnssec.check import check_dnssec
from alimail_mcp.dns.dnssec.models import DnssecCheck
from alimail_mcp.dns.resolver import ResolverClient
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dnssec_zones import DAY, SignedZone, ds_of, minimal, new_key, other_ds, sign

ORIGIN = "signed.test"
RECORDS = (
    "@ 300 IN MX 5 mx1.qiye.aliyun.com.",
    '@ 300 IN TXT "v=spf1 include:spf.qiye.aliyun.com -all"',
    '_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@signed.test"',
    "sub 300 IN MX 5 mx1.qiye.aliyun.com.",
)


def zone(**options: object) -> SignedZone:
    return sign(minimal(ORIGIN, *RECORDS), ORIGIN, **options)  # type: ignore[arg-type]


def serve(server: DnsTestServer, signed: SignedZone | None, *ds: str) -> DnsTestServer:
    server.add_zone(signed.text if signed else minimal(ORIGIN, *RECORDS))
    if ds:
        server.add(f"{ORIGIN}.", "DS", *ds)
    return server


async def check(server: DnsTestServer, domain: str = ORIGIN, now: float | None = None) -> DnssecCheck:
    client = ResolverClient.from_settings(settings_for(server))
    return await check_dnssec(client, domain, now=now)


def codes(result: DnssecCheck) -> list[tuple[str, str]]:
    return sorted((f.code, f.severity.value) for f in result.findings)


async def test_unsigned_is_info(dns_server: DnsTestServer) -> None:
    result = await check(serve(dns_server, None))
    assert codes(result) == [("dnssec.unsigned", "info")]
    assert (result.chain, result.status, result.validated) == ("unsigned", "ok", None)


async def test_a_secure_chain_validated_by_the_resolver_has_no_findings(
    start_dns_server: object,
) -> None:
    signed = zone()
    server = serve(start_dns_server(authenticated_data=True), signed, signed.ds)  # type: ignore[operator]
    result = await check(server)
    assert result.findings == [] and result.status == "ok"
    assert (result.chain, result.zone, result.signed, result.validated) == ("secure", ORIGIN, True, True)
    assert [d.matches for d in result.delegation] == [True]
    assert result.keys[0].secure_entry_point and result.keys[0].algorithm == 13
    assert {s.covers for s in result.signatures} == {"DNSKEY", "MX", "TXT"}
    assert {s.state for s in result.signatures} == {"valid"}


async def test_without_the_ad_flag_the_chain_is_only_checked_here(dns_server: DnsTestServer) -> None:
    signed = zone()
    result = await check(serve(dns_server, signed, signed.ds))
    assert codes(result) == [("dnssec.not-validated", "info")]
    assert (result.chain, result.validated) == ("secure", False)


async def test_a_ds_matching_no_key_is_an_error(dns_server: DnsTestServer) -> None:
    result = await check(serve(dns_server, zone(), other_ds(ORIGIN)))
    assert codes(result) == [("dnssec.ds-mismatch", "error")]
    assert result.chain == "broken" and [d.matches for d in result.delegation] == [False]
    assert result.findings[0].evidence["dnskey_tags"] == [result.keys[0].key_tag]


async def test_a_validating_resolver_fails_the_zone_and_the_check_still_says_why(
    dns_server: DnsTestServer,
) -> None:
    """The zone's MX and TXT questions get SERVFAIL (bogus); DS and DNSKEY are asked with CD."""
    serve(dns_server, zone(), other_ds(ORIGIN))
    dns_server.set_bogus(ORIGIN)
    result = await check(dns_server)
    assert codes(result) == [("dnssec.ds-mismatch", "error")]
    audit = await audit_domain(ORIGIN, settings=settings_for(dns_server))
    assert audit.overall == "problem" and "dns.servfail" in {f.code for f in audit.findings}
    assert ("dnssec.ds-mismatch", "error") in {(f.code, f.severity.value) for f in audit.findings}
    assert (audit.intent, audit.path) == ("resolve-failure", "dns-authorization")


async def test_a_ds_without_any_key_is_an_error(dns_server: DnsTestServer) -> None:
    result = await check(serve(dns_server, None, other_ds(ORIGIN)))
    assert codes(result) == [("dnssec.ds-mismatch", "error")]
    assert result.findings[0].title.startswith(
        "The parent zone has a DS record, but the zone publishes no DNSKEY"
    )


async def test_signed_without_ds_is_an_island(dns_server: DnsTestServer) -> None:
    result = await check(serve(dns_server, zone()))
    assert codes(result) == [("dnssec.no-ds", "info")] and result.chain == "island"


async def test_a_stale_ds_beside_a_good_one_is_a_warning(dns_server: DnsTestServer) -> None:
    signed = zone()
    result = await check(serve(dns_server, signed, signed.ds, other_ds(ORIGIN)))
    assert ("dnssec.ds-stale", "warning") in codes(result) and result.chain == "secure"
    assert not [c for c in codes(result) if c[1] == "error"]


async def test_expired_signatures_are_an_error(dns_server: DnsTestServer) -> None:
    now = time.time()
    signed = zone(inception=now - 40 * DAY, expiration=now - DAY)
    result = await check(serve(dns_server, signed, signed.ds))
    assert codes(result) == [("dnssec.signature-expired", "error")]
    assert result.chain == "broken"
    sets = {item["records"] for item in result.findings[0].evidence["record_sets"]}
    assert sets == {"signed.test DNSKEY", "signed.test MX", "signed.test TXT", "_dmarc.signed.test TXT"}


async def test_signatures_not_valid_yet_are_an_error(dns_server: DnsTestServer) -> None:
    now = time.time()
    signed = zone(inception=now + DAY, expiration=now + 30 * DAY)
    result = await check(serve(dns_server, signed, signed.ds))
    assert codes(result) == [("dnssec.signature-not-yet-valid", "error")]


async def test_signatures_about_to_expire_are_a_warning(dns_server: DnsTestServer) -> None:
    now = time.time()
    signed = zone(inception=now - 29 * DAY, expiration=now + DAY)
    result = await check(serve(dns_server, signed, signed.ds))
    assert codes(result) == [("dnssec.not-validated", "info"), ("dnssec.signature-expiring", "warning")]
    assert result.chain == "secure"


async def test_expired_signatures_without_ds_are_a_warning(dns_server: DnsTestServer) -> None:
    now = time.time()
    result = await check(serve(dns_server, zone(inception=now - 40 * DAY, expiration=now - DAY)))
    assert codes(result) == [("dnssec.no-ds", "info"), ("dnssec.signature-expired", "warning")]


async def test_a_record_changed_after_signing_does_not_verify(dns_server: DnsTestServer) -> None:
    signed = zone()
    text = signed.text.replace("MX 5 mx1.qiye.aliyun.com.", "MX 10 mx1.qiye.aliyun.com.", 1)
    dns_server.add_zone(text)
    dns_server.add(f"{ORIGIN}.", "DS", signed.ds)
    result = await check(dns_server)
    assert ("dnssec.signature-invalid", "error") in codes(result)
    invalid = next(f for f in result.findings if f.code == "dnssec.signature-invalid")
    assert [i["records"] for i in invalid.evidence["record_sets"]] == ["signed.test MX"]


async def test_records_signed_by_an_unpublished_key(dns_server: DnsTestServer) -> None:
    signed = zone(record_key=new_key(flags=256), publish_record_key=False)
    result = await check(serve(dns_server, signed, signed.ds))
    assert ("dnssec.signature-unknown-key", "error") in codes(result)
    assert result.chain == "secure"  # the keys themselves are signed by the key the DS names


async def test_a_key_set_not_signed_by_the_key_the_ds_names(dns_server: DnsTestServer) -> None:
    """A key-signing key signs the DNSKEY set, a zone-signing key the records, and the DS names the
    zone-signing key: validators find no signature over the keys by the key they trust."""
    ksk, zsk = new_key(), new_key(flags=256)
    signed = sign(minimal(ORIGIN, *RECORDS), ORIGIN, key=ksk, record_key=zsk)
    result = await check(serve(dns_server, signed, ds_of(ORIGIN, zsk)))
    assert ("dnssec.chain-broken", "error") in codes(result) and result.chain == "broken"


async def test_records_left_unsigned_in_a_signed_zone(dns_server: DnsTestServer) -> None:
    signed = zone()
    serve(dns_server, signed, signed.ds)
    dns_server.remove(f"{ORIGIN}.", "TXT")
    dns_server.add(f"{ORIGIN}.", "TXT", '"v=spf1 include:spf.qiye.aliyun.com -all"')
    result = await check(dns_server)
    assert ("dnssec.records-unsigned", "error") in codes(result)
    unsigned = next(f for f in result.findings if f.code == "dnssec.records-unsigned")
    assert unsigned.evidence["record_sets"] == ["signed.test TXT"]


async def test_a_deprecated_algorithm_is_a_warning(dns_server: DnsTestServer) -> None:
    signed = zone(key=new_key("RSASHA1"))
    result = await check(serve(dns_server, signed, signed.ds))
    assert ("dnssec.algorithm-deprecated", "warning") in codes(result)
    assert "RSASHA1" in next(f.title for f in result.findings if f.code == "dnssec.algorithm-deprecated")
    assert result.chain == "secure"


async def test_a_subdomain_is_judged_by_the_zone_that_signs_it(dns_server: DnsTestServer) -> None:
    signed = zone()
    result = await check(serve(dns_server, signed, signed.ds), domain=f"sub.{ORIGIN}")
    assert result.zone == ORIGIN and result.chain == "secure"
    assert not [c for c in codes(result) if c[1] in ("error", "warning")]


@pytest.mark.parametrize("fault", [{"drop": True}, {"rcode": "SERVFAIL"}])
async def test_unanswered_keys_leave_the_check_unreachable(
    dns_server: DnsTestServer, fault: dict[str, object]
) -> None:
    serve(dns_server, zone())
    dns_server.set_fault(f"{ORIGIN}.", "DNSKEY", **fault)  # type: ignore[arg-type]
    client = ResolverClient.from_settings(settings_for(dns_server, timeout=0.3, budget=2.0))
    result = await check_dnssec(client, ORIGIN)
    assert result.status == "unreachable" and not [c for c in codes(result) if c[0].startswith("dnssec.")]


async def test_a_correctly_signed_domain_audits_clean(start_dns_server: object) -> None:
    from tests.support.dns_zones import serve_world, zone_file

    server = start_dns_server(authenticated_data=True)  # type: ignore[operator]
    signed = sign(zone_file("good.test"), "good.test")
    serve_world(server, signed.text)
    server.add("good.test.", "DS", signed.ds)
    audit = await audit_domain("good.test", settings=settings_for(server))
    assert audit.overall == "ok", audit.findings
    assert audit.checks.dnssec.chain == "secure" and audit.checks.dnssec.validated
    assert not [f for f in audit.findings if f.severity.value in ("error", "warning")]


async def test_unsigned_records_count_only_from_the_zones_own_servers(dns_server: DnsTestServer) -> None:
    """A resolver that does not validate may hand out records it cached without their signatures: only an
    authoritative answer without them is a defect."""
    import dataclasses

    from alimail_mcp.dns.dnssec.judge import judge

    signed = zone()
    serve(dns_server, signed, signed.ds)
    client = ResolverClient.from_settings(settings_for(dns_server))
    ds, keys, mx, txt = [await client.query(ORIGIN, t) for t in ("DS", "DNSKEY", "MX", "TXT")]
    bare = dataclasses.replace(txt, signed=None)
    cached = dataclasses.replace(bare, authoritative=False)
    for record, expected in ((bare, True), (cached, False)):
        result = judge(ORIGIN, ds, keys, [mx, record], apex_records=[mx, record], now=time.time())
        assert ("dnssec.records-unsigned" in {f.code for f in result.findings}) is expected
