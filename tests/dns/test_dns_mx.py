"""MX check on the in-process nameserver: provider recognition, conflicts, priorities, resolution, faults."""

from __future__ import annotations

from alimail_mcp.dns.mx import check_mx
from alimail_mcp.dns.resolver import ResolverClient
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

NO_MX = ["@ MX"]


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


async def test_recommended_set_is_ok(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await check_mx(dns_client, "good.test")
    assert result.status == "ok"
    assert result.provider_set == "qiye" and result.recommended
    assert codes(result) == set()
    assert [h.host for h in result.hosts] == [
        "mx1.qiye.aliyun.com",
        "mx2.qiye.aliyun.com",
        "mx3.qiye.aliyun.com",
    ]
    assert all(h.resolves for h in result.hosts)


async def test_missing_mx(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("nomx.test", without=NO_MX))
    result = await check_mx(dns_client, "nomx.test")
    assert result.status == "error"
    assert codes(result) == {"mx.missing"}
    assert result.findings[0].dns_change is not None
    assert result.findings[0].dns_change.value == "mx1.qiye.aliyun.com"


async def test_nonexistent_domain_is_missing_not_a_fault(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server)
    dns_server.recursion_available = True  # a resolver's NXDOMAIN, not an authoritative-only server's
    result = await check_mx(dns_client, "nowhere.test")
    assert codes(result) == {"mx.missing"}
    assert "NXDOMAIN" in result.findings[0].detail


async def test_null_mx_is_missing(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("null.test", without=NO_MX, extra="@ MX 0 ."))
    result = await check_mx(dns_client, "null.test")
    assert codes(result) == {"mx.missing"}
    assert "null MX" in result.findings[0].detail


async def test_other_provider_mixed_in_is_a_conflict(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("mixed.test", extra="@ MX 1 mx1.otherprovider.test."))
    result = await check_mx(dns_client, "mixed.test")
    assert codes(result) == {"mx.conflict"}
    finding = result.findings[0]
    assert finding.evidence["foreign_hosts"] == ["1 mx1.otherprovider.test"]
    assert finding.evidence["ahead_of_alibaba"] == ["mx1.otherprovider.test"]
    assert result.foreign_hosts == ["mx1.otherprovider.test"]
    assert finding.dns_change is not None and finding.dns_change.action == "delete"


async def test_wrong_provider(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 10 mx1.otherprovider.test.\n@ MX 20 mx2.otherprovider.test."
    serve_world(dns_server, variant("moved.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "moved.test")
    assert codes(result) == {"mx.wrong-provider"}
    assert result.provider_set is None
    assert sorted(result.foreign_hosts) == ["mx1.otherprovider.test", "mx2.otherprovider.test"]


async def test_zone_appended_value_is_named(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 5 mx1.qiye.aliyun.com.app.test.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 15 mx3.qiye.aliyun.com."
    serve_world(dns_server, variant("app.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "app.test")
    assert codes(result) == {"mx.host-unresolvable"}  # the value it meant is not "missing" too
    appended = next(f for f in result.findings if f.code == "mx.host-unresolvable")
    assert "domain appended" in appended.title
    assert appended.evidence["intended"] == "mx1.qiye.aliyun.com"
    assert appended.dns_change is not None
    assert (appended.dns_change.action, appended.dns_change.value) == ("replace", "mx1.qiye.aliyun.com")
    assert appended.dns_change.old_value == "mx1.qiye.aliyun.com.app.test"


async def test_own_subdomain_hosts_are_not_called_appended(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = "@ MX 10 mx1.eu.own.test.\nmx1.eu A 192.0.2.99"
    serve_world(dns_server, variant("own.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "own.test")
    assert codes(result) == {"mx.wrong-provider"}
    assert not result.hosts[0].zone_appended


async def test_unresolvable_host(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("dangling.test", extra="@ MX 20 mx9.otherprovider.test."))
    result = await check_mx(dns_client, "dangling.test")
    # A host that does not exist receives nothing: a dead entry to delete, not another provider's mail.
    assert codes(result) == {"mx.host-unresolvable"}
    bad = next(f for f in result.findings if f.code == "mx.host-unresolvable")
    assert bad.evidence["host"] == "mx9.otherprovider.test"
    assert bad.severity.value == "error" and bad.dns_change is not None and bad.dns_change.action == "delete"
    assert [h.resolves for h in result.hosts if h.host == "mx9.otherprovider.test"] == [False]
    assert result.foreign_hosts == [] and result.dead_hosts == ["mx9.otherprovider.test"]


async def test_inverted_priorities(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 15 mx1.qiye.aliyun.com.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 5 mx3.qiye.aliyun.com."
    serve_world(dns_server, variant("inverted.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "inverted.test")
    assert codes(result) == {"mx.priority-odd"}
    assert result.findings[0].severity.value == "warning"
    assert result.status == "warning"


async def test_equal_priorities_are_only_info(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 10 mx1.qiye.aliyun.com.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 10 mx3.qiye.aliyun.com."
    serve_world(dns_server, variant("tied.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "tied.test")
    assert codes(result) == {"mx.priority-odd"}
    assert result.findings[0].severity.value == "info"
    assert result.status == "ok"


async def test_same_order_other_numbers_is_fine(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = "@ MX 10 mx1.qiye.aliyun.com.\n@ MX 20 mx2.qiye.aliyun.com.\n@ MX 30 mx3.qiye.aliyun.com."
    serve_world(dns_server, variant("renumbered.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "renumbered.test")
    assert codes(result) == set()


async def test_legacy_set_is_recognised(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 5 mxn.mxhichina.com.\n@ MX 10 mxw.mxhichina.com."
    serve_world(dns_server, variant("legacy.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "legacy.test")
    assert result.provider_set == "mxhichina" and not result.recommended
    assert codes(result) == {"mx.legacy-set"}
    assert result.status == "ok"


async def test_seed_set_is_recognised(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 10 mx1.imm.aliyun.com.\n@ MX 20 mx2.imm.aliyun.com."
    serve_world(dns_server, variant("seed.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "seed.test")
    assert result.provider_set == "seed-imm"
    assert codes(result) == {"mx.legacy-set"}


async def test_mixed_alibaba_sets(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("twosets.test", extra="@ MX 20 mxn.mxhichina.com."))
    result = await check_mx(dns_client, "twosets.test")
    assert codes(result) == {"mx.mixed-sets"}
    assert result.provider_set == "qiye"


async def test_incomplete_set(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("partial.test", without=NO_MX, extra="@ MX 5 mx1.qiye.aliyun.com."))
    result = await check_mx(dns_client, "partial.test")
    assert codes(result) == {"mx.incomplete"}
    assert result.findings[0].evidence["missing"] == ["10 mx2.qiye.aliyun.com", "15 mx3.qiye.aliyun.com"]


async def test_cname_as_mx_host(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 10 alias.cnamed.test.\nalias CNAME mx1.otherprovider.test."
    serve_world(dns_server, variant("cnamed.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "cnamed.test")
    assert codes(result) == {"mx.wrong-provider", "mx.host-cname"}


async def test_timeout_is_not_missing(dns_server: DnsTestServer, make_dns_client: object) -> None:
    serve_world(dns_server, zone_file("good.test"))
    dns_server.set_fault("good.test", "MX", drop=True)
    client = make_dns_client(timeout=0.2, budget=1.0)  # type: ignore[operator]
    result = await check_mx(client, "good.test")
    assert result.status == "unreachable"
    assert codes(result) == {"dns.timeout"}


async def test_servfail_is_not_missing(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    dns_server.set_fault("good.test", "MX", rcode="SERVFAIL")
    result = await check_mx(dns_client, "good.test")
    assert result.status == "unreachable"
    assert codes(result) == {"dns.servfail"}


async def test_host_lookup_failure_is_not_unresolvable(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("good.test"))
    dns_server.set_fault("mx2.qiye.aliyun.com", rcode="SERVFAIL")
    result = await check_mx(dns_client, "good.test")
    assert codes(result) == {"dns.servfail"}
    assert [h.resolves for h in result.hosts] == [True, None, True]


async def test_alias_of_an_alibaba_host_counts_as_it(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = (
        "@ MX 5 mx1.alias.test.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 15 mx3.qiye.aliyun.com.\n"
        "mx1 CNAME mx1.qiye.aliyun.com."
    )
    serve_world(dns_server, variant("alias.test", without=NO_MX, extra=extra))
    result = await check_mx(dns_client, "alias.test")
    # Not another provider, not an incomplete set: one RFC 2181 mistake to correct.
    assert codes(result) == {"mx.host-cname"}
    finding = result.findings[0]
    assert finding.severity.value == "warning" and finding.evidence["alias_of"] == "mx1.qiye.aliyun.com"
    assert finding.dns_change is not None
    assert (finding.dns_change.action, finding.dns_change.value, finding.dns_change.old_value) == (
        "replace",
        "mx1.qiye.aliyun.com",
        "mx1.alias.test",
    )
    assert result.provider_set == "qiye" and result.foreign_hosts == []
    assert result.hosts[0].alias_of == "mx1.qiye.aliyun.com"


async def test_ip_address_as_mx_value(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("literal.test", without=NO_MX, extra="@ MX 10 203.0.113.1."))
    result = await check_mx(dns_client, "literal.test")
    assert codes(result) == {"mx.host-unresolvable"}
    assert "IP address" in result.findings[0].title
    assert result.hosts[0].resolves is False and result.foreign_hosts == []
    assert dns_server.count("203.0.113.1") == 0  # known without asking


async def test_undocumented_host_in_alibaba_space_is_not_another_provider(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("mx4.test", extra="@ MX 20 mx4.qiye.aliyun.com."))
    dns_server.add("mx4.qiye.aliyun.com.", "A", "203.0.113.4")
    result = await check_mx(dns_client, "mx4.test")
    assert codes(result) == {"mx.undocumented-host"} and result.status == "ok"
    dns_server.remove("mx4.qiye.aliyun.com.")
    gone = await check_mx(ResolverClient.from_settings(settings_for(dns_server)), "mx4.test")
    assert codes(gone) == {"mx.host-unresolvable"}
