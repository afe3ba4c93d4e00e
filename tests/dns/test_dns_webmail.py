"""Webmail CNAME check: mail.<domain> target, A record instead of CNAME, zone-appended value, aliases."""

from __future__ import annotations

from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.webmail_cname import check_webmail_cname
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

NO_MAIL = ["mail CNAME"]


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


async def test_good(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await check_webmail_cname(dns_client, "good.test")
    assert result.status == "ok" and codes(result) == set()
    assert result.webmail is not None
    assert (result.webmail.state, result.webmail.target) == ("ok", "qiye.aliyun.com")
    states = {r.host: r.state for r in result.optional}
    assert states == {"smtp": "ok", "imap": "missing", "pop3": "missing"}


async def test_missing(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("nomail.test", without=NO_MAIL))
    result = await check_webmail_cname(dns_client, "nomail.test")
    assert codes(result) == {"webmail_cname.missing"}
    change = result.findings[0].dns_change
    assert change is not None
    assert (change.action, change.type, change.host, change.value) == (
        "add",
        "CNAME",
        "mail",
        "qiye.aliyun.com",
    )


async def test_wrong_target(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(
        dns_server, variant("elsewhere.test", without=NO_MAIL, extra="mail CNAME webmail.otherprovider.test.")
    )
    result = await check_webmail_cname(dns_client, "elsewhere.test")
    assert codes(result) == {"webmail_cname.wrong-target"}
    change = result.findings[0].dns_change
    assert change is not None and (change.action, change.old_value) == (
        "replace",
        "webmail.otherprovider.test",
    )


async def test_a_record_instead_of_cname(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("pinned.test", without=NO_MAIL, extra="mail A 203.0.113.10"))
    result = await check_webmail_cname(dns_client, "pinned.test")
    assert codes(result) == {"webmail_cname.wrong-target"}
    assert result.webmail is not None and result.webmail.state == "address-record"
    assert result.webmail.addresses == ["203.0.113.10"]
    assert "A) record instead of a CNAME" in result.findings[0].title


async def test_zone_appended_target(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "mail CNAME qiye.aliyun.com.glued.test."
    serve_world(dns_server, variant("glued.test", without=NO_MAIL, extra=extra))
    result = await check_webmail_cname(dns_client, "glued.test")
    assert codes(result) == {"webmail_cname.wrong-target"}
    assert result.webmail is not None and result.webmail.state == "zone-appended"
    assert "domain appended" in result.findings[0].title


async def test_legacy_target_is_accepted(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(
        dns_server, variant("legacymail.test", without=NO_MAIL, extra="mail CNAME mail.mxhichina.com.")
    )
    result = await check_webmail_cname(dns_client, "legacymail.test")
    assert codes(result) == {"webmail_cname.legacy-target"}
    assert result.status == "ok"


async def test_client_alias_elsewhere_is_info(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("imap.test", extra="imap CNAME mx1.otherprovider.test."))
    result = await check_webmail_cname(dns_client, "imap.test")
    assert codes(result) == {"webmail_cname.client-alias"}
    assert result.findings[0].severity.value == "info" and result.status == "ok"


async def test_servfail_is_not_missing(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    dns_server.set_fault("mail.good.test", rcode="SERVFAIL")
    result = await check_webmail_cname(dns_client, "good.test")
    assert codes(result) == {"dns.servfail"} and result.status == "unreachable"


async def test_international_site_webmail_is_an_accepted_target(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    """A Singapore-site customer pointing mail.<domain> at mail.sg.aliyun.com is not misconfigured."""
    serve_world(dns_server, variant("sg.test", without=NO_MAIL, extra="mail CNAME mail.sg.aliyun.com."))
    result = await check_webmail_cname(dns_client, "sg.test")
    assert result.webmail is not None
    assert (result.webmail.state, result.webmail.target) == ("accepted", "mail.sg.aliyun.com")
    assert "webmail_cname.wrong-target" not in codes(result)
    site = [f for f in result.findings if f.code == "webmail_cname.site"]
    assert len(site) == 1 and site[0].severity.value == "info" and "Singapore" in site[0].title
    assert "webmail_cname.legacy-target" not in codes(result)  # the Singapore site is not "older"
