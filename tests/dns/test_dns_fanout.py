"""A domain cannot make one audit ask thousands of questions or return megabytes: MX records, NS names,
report destinations and stray A records are examined up to a limit, and the finding that says so
names the limit. (1,500 MX and 800 NS records cost 3,000-4,600 questions and a 3-8 MB result before.)"""

from __future__ import annotations

from alimail_mcp.config import Settings
from alimail_mcp.dns.audit import MAX_NAMESERVERS, audit_domain
from alimail_mcp.dns.dmarc import MAX_DESTINATIONS
from alimail_mcp.dns.mx import MAX_ADDRESSES, MAX_MX_RECORDS
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.dns.spf.check import MAX_RECORDS as MAX_SPF_RECORDS
from alimail_mcp.dns.webmail_cname import MAX_ADDRESSES as MAX_WEBMAIL_ADDRESSES
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant
from tests.support.hostile_zones import MX_COUNT, NS_COUNT, fan_out

QUERY_CAP = 300
RESULT_CAP = 1_000_000


async def audit(server: DnsTestServer, domain: str, settings: Settings | None = None) -> DnsAuditResult:
    settings = settings or settings_for(server, timeout=2.0, budget=8.0)
    return await audit_domain(
        domain, compare_authoritative=True, settings=settings, authoritative_port=server.port
    )


def codes(result: DnsAuditResult) -> set[str]:
    return {f.code for f in result.findings}


async def test_fifteen_hundred_mx_and_eight_hundred_ns_records_cost_a_bounded_audit(
    dns_server: DnsTestServer,
) -> None:
    serve_world(dns_server, fan_out())
    dns_server.reset_counts()
    result = await audit(dns_server, "fan.test")
    asked = {(r.name, r.rdtype) for r in dns_server.received}
    assert result.queries <= QUERY_CAP and len(asked) <= QUERY_CAP, (result.queries, len(asked))
    assert len(result.model_dump_json()) < RESULT_CAP
    assert {"mx.wrong-provider", "mx.too-many-records", "dns.too-many-nameservers"} <= codes(result)
    assert "dns.timeout" not in codes(result)
    mx = result.checks.mx
    assert len(mx.hosts) == MAX_MX_RECORDS and len(mx.records) == MAX_MX_RECORDS
    assert [h.priority for h in mx.hosts] == sorted(h.priority for h in mx.hosts) and mx.hosts[
        0
    ].priority == 0
    too_many = next(f for f in result.findings if f.code == "mx.too-many-records")
    assert (
        too_many.title == f"The domain publishes {MX_COUNT} MX records; the check examined {MAX_MX_RECORDS}"
    )
    assert too_many.evidence["published"] == MX_COUNT and len(too_many.evidence["not_examined"]) == 20
    assert len([c for c in result.dns_changes if c.type == "MX" and c.action == "delete"]) == MAX_MX_RECORDS
    assert result.propagation is not None and len(result.propagation.nameservers) == MAX_NAMESERVERS
    nameservers = next(f for f in result.findings if f.code == "dns.too-many-nameservers")
    assert nameservers.evidence == {"nameservers": NS_COUNT, "considered": MAX_NAMESERVERS}


async def test_an_alibaba_mail_host_past_the_limit_is_still_examined(dns_server: DnsTestServer) -> None:
    """Recognising a provider host costs nothing, so a domain that lists many others before it is
    still seen as mixing providers (not as having moved away)."""
    lines = ["$ORIGIN late.test.", "@ MX 90 mx1.qiye.aliyun.com."]
    lines += [f"@ MX {i} mx{i}.late.test.\nmx{i} A 192.0.2.{i + 1}" for i in range(30)]
    serve_world(dns_server, "\n".join(lines))
    result = await audit_domain("late.test", settings=settings_for(dns_server))
    mx = result.checks.mx
    assert {"mx.conflict", "mx.too-many-records"} <= codes(result) and "mx.wrong-provider" not in codes(
        result
    )
    assert mx.provider_set is not None and mx.hosts[-1].host == "mx1.qiye.aliyun.com"
    assert len(mx.hosts) == MAX_MX_RECORDS + 1


async def test_ten_mx_records_are_examined_without_a_note(dns_server: DnsTestServer) -> None:
    lines = ["$ORIGIN ten.test.", "@ MX 1 mx1.qiye.aliyun.com."]
    lines += [f"@ MX {i + 2} mx{i}.ten.test.\nmx{i} A 192.0.2.{i + 1}" for i in range(MAX_MX_RECORDS - 1)]
    serve_world(dns_server, "\n".join(lines))
    result = await audit_domain("ten.test", settings=settings_for(dns_server))
    assert "mx.too-many-records" not in codes(result) and len(result.checks.mx.hosts) == MAX_MX_RECORDS


async def test_addresses_of_an_mx_host_and_of_the_webmail_name_are_capped(dns_server: DnsTestServer) -> None:
    extra = "\n".join(
        [f"big A 192.0.2.{i}" for i in range(1, 101)] + [f"mail A 198.51.100.{i}" for i in range(1, 101)]
    )
    zone = variant("wide.test", without=["@ MX", "mail CNAME"], extra=f"@ MX 5 big.wide.test.\n{extra}")
    serve_world(dns_server, zone)
    result = await audit_domain("wide.test", settings=settings_for(dns_server))
    assert len(result.checks.mx.hosts[0].addresses) == MAX_ADDRESSES
    webmail = result.checks.webmail_cname.webmail
    assert webmail is not None and webmail.state == "address-record"
    assert len(webmail.addresses) == MAX_WEBMAIL_ADDRESSES
    finding = next(f for f in result.findings if f.code == "webmail_cname.wrong-target")
    assert finding.evidence["address_count"] == 100
    deletes = [c for c in result.dns_changes if c.type == "A" and c.action == "delete"]
    assert len(deletes) == MAX_WEBMAIL_ADDRESSES


async def test_report_destinations_are_capped(dns_server: DnsTestServer) -> None:
    rua = ",".join(f"mailto:d@r{i}.reports{i}.test" for i in range(40))
    strings = " ".join(f'"{rua[i : i + 250]}"' for i in range(0, len(rua), 250))
    zone = variant(
        "many-rua.test", without=["_dmarc TXT"], extra=f'_dmarc TXT "v=DMARC1; p=reject; rua=" {strings}'
    )
    serve_world(dns_server, zone)
    dns_server.reset_counts()
    result = await audit_domain("many-rua.test", settings=settings_for(dns_server))
    dmarc = result.checks.dmarc
    assert len(dmarc.report_destinations) == MAX_DESTINATIONS
    assert dmarc.report_destinations_left_out == 40 - MAX_DESTINATIONS
    assert sum(1 for r in dns_server.received if "._report._dmarc." in r.name) == MAX_DESTINATIONS


async def test_hundreds_of_spf_records_are_listed_and_deleted_ten_at_most(dns_server: DnsTestServer) -> None:
    extra = "\n".join(
        f'@ TXT "v=spf1 ip4:192.0.2.{i % 250} ip4:198.51.100.{i // 250} -all"' for i in range(400)
    )
    serve_world(dns_server, variant("spam.test", extra=extra))
    result = await audit_domain("spam.test", settings=settings_for(dns_server))
    spf = result.checks.spf
    assert len(spf.records) == MAX_SPF_RECORDS and len(spf.changes) <= MAX_SPF_RECORDS
    multiple = next(f for f in result.findings if f.code == "spf.multiple")
    assert multiple.title.startswith("401 SPF records") and multiple.evidence["published"] == 401
    assert len([c for c in result.dns_changes if c.type == "TXT" and c.action == "delete"]) < MAX_SPF_RECORDS
    assert len(result.model_dump_json()) < 100_000
