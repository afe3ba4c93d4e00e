"""check_webmail against loopback HTTP and HTTPS servers (200, 503, redirects, a wrong certificate
name, an untrusted chain, a closed port), with mail.<domain> served by the in-process test
nameserver. The ports dialled and the trusted authority are replaced through webmail_policy()."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.errors import InputError
from alimail_mcp.webmail.check import check_webmail
from alimail_mcp.webmail.fetch import WebmailPolicy, webmail_policy
from alimail_mcp.webmail.models import WebmailResult
from tests.support.dns_server import DnsTestServer
from tests.support.local_servers import LOOPBACK, CertAuthority, HttpServer

DOMAIN = "example.test"
NAME = f"mail.{DOMAIN}"


@pytest.fixture
def authority(tmp_path: Path) -> CertAuthority:
    return CertAuthority(tmp_path)


@pytest.fixture
def zone(dns_server: DnsTestServer) -> DnsTestServer:
    """mail.example.test CNAME qiye.aliyun.com, which resolves to loopback."""
    dns_server.add_origin("aliyun.com.")
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add("qiye.aliyun.com.", "A", LOOPBACK)
    dns_server.add(f"{NAME}.", "CNAME", "qiye.aliyun.com.")
    return dns_server


async def run(
    dns: ResolverClient, http: HttpServer | None, https: HttpServer | None, **policy: Any
) -> WebmailResult:
    ports = {80: http.port if http else 9, 443: https.port if https else 9}
    with webmail_policy(WebmailPolicy(port_map=ports, **policy)):
        return await check_webmail(DOMAIN, dns=dns)


def codes(result: WebmailResult) -> list[str]:
    return [f.code for f in result.findings]


async def test_both_schemes_answer_200(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with HttpServer(200) as http, HttpServer(200, tls=authority.server_context(NAME)) as https:
        result = await run(dns_client, http, https, ca_pem=authority.pem, timeout=2.0)
    assert codes(result) == ["webmail.cname-ok", "webmail.http-ok", "webmail.http-ok"]
    assert result.cname_chain == ["qiye.aliyun.com"] and result.addresses == [LOOPBACK]
    assert [f.status_code for f in result.fetches] == [200, 200]
    # the connection went to our address, with the name as Host header and TLS server name
    assert http.hosts == [NAME] and https.hosts == [NAME] and https.sni == [NAME]
    assert (result.intent, result.path) == ("resolve-failure", "webmail-service")
    assert result.summary.startswith("Webmail at mail.example.test works")


async def test_503_means_service_or_account_state_with_admin_steps(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with HttpServer(503) as http, HttpServer(503, tls=authority.server_context(NAME)) as https:
        result = await run(dns_client, http, https, ca_pem=authority.pem)
    assert codes(result) == ["webmail.cname-ok", "webmail.http-5xx", "webmail.http-5xx"]
    finding = result.findings[1]
    assert finding.needs_admin and finding.evidence["status_code"] == 503
    assert result.admin_steps and any("Employee Accounts" in s for s in result.admin_steps)
    assert result.admin_steps[-1] in result.next_steps


async def test_redirects_on_the_name_are_followed_and_the_site_is_named(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    official = "https://qiye.aliyun.com/alimail/auth/login"
    async with (
        HttpServer(301, location="/login") as http,
        HttpServer(302, location=official, tls=authority.server_context(NAME)) as https,
    ):
        result = await run(dns_client, http, https, ca_pem=authority.pem)
    plain, secure = result.fetches
    # on the same scheme, name and port: followed (the server answers 301 again, three times)
    assert plain.redirects == [f"http://{NAME}/login"] * 3
    assert http.paths == ["/", "/login", "/login", "/login"]
    assert secure.redirects == [] and secure.location == official
    assert codes(result)[1:] == ["webmail.redirect-not-followed", "webmail.redirect-site"]
    assert "China" in result.findings[2].title
    assert len(https.hosts) == 1


async def test_http_to_https_on_the_name_is_not_followed_but_named(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    # https:// is fetched on its own: the plain fetch never changes scheme (or port) on a redirect
    async with (
        HttpServer(301, location=f"https://{NAME}/") as http,
        HttpServer(200, tls=authority.server_context(NAME)) as https,
    ):
        result = await run(dns_client, http, https, ca_pem=authority.pem)
    plain = result.fetches[0]
    assert plain.outcome == "redirect" and plain.redirects == [] and plain.location == f"https://{NAME}/"
    assert codes(result) == ["webmail.cname-ok", "webmail.redirect-https", "webmail.http-ok"]
    assert result.findings[1].severity.value == "ok"
    assert len(https.hosts) == 1


async def test_redirect_to_another_host_is_reported_not_followed(
    zone: DnsTestServer, dns_client: ResolverClient
) -> None:
    async with HttpServer(302, location="http://parking.example.net/landing") as http:
        result = await run(dns_client, http, None, timeout=1.0)
    assert result.fetches[0].location == "http://parking.example.net/landing"
    assert "webmail.redirect-foreign" in codes(result)
    finding = next(f for f in result.findings if f.code == "webmail.redirect-foreign")
    assert "parking" not in finding.title + finding.detail


async def test_wrong_certificate_name_says_which_official_address_to_use(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    # What Alibaba Mail serves at a customer's name: its own certificate, for its own names.
    async with (
        HttpServer(200) as http,
        HttpServer(200, tls=authority.server_context("qiye.aliyun.com")) as https,
    ):
        result = await run(dns_client, http, https, ca_pem=authority.pem)
    assert codes(result) == ["webmail.cname-ok", "webmail.http-ok", "webmail.tls-name-mismatch"]
    secure = result.fetches[1]
    assert secure.outcome == "tls-error" and secure.certificate_names == ["qiye.aliyun.com"]
    finding = result.findings[2]
    assert "https://qiye.aliyun.com" in finding.detail and finding.fix == [
        "Log in at https://qiye.aliyun.com."
    ]
    assert result.official_address == "https://qiye.aliyun.com"


async def test_untrusted_certificate(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with HttpServer(200, tls=authority.server_context(NAME)) as https:
        result = await run(dns_client, None, https, timeout=1.0)  # system trust store: test CA unknown
    assert "webmail.tls-untrusted" in codes(result)
    assert result.fetches[1].certificate_names == []


async def test_closed_port_is_unreachable(zone: DnsTestServer, dns_client: ResolverClient) -> None:
    async with HttpServer(200) as gone:
        port = gone.port
    with webmail_policy(WebmailPolicy(port_map={80: port, 443: port}, timeout=1.0)):
        result = await check_webmail(DOMAIN, dns=dns_client)
    assert [f.outcome for f in result.fetches] == ["unreachable", "unreachable"]
    assert codes(result).count("webmail.unreachable") == 2
    assert result.summary.startswith("Webmail at mail.example.test has a problem")


async def test_missing_record_skips_the_fetch_and_plans_the_cname(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    result = await check_webmail(DOMAIN, dns=dns_client)
    assert codes(result) == ["webmail.cname-missing"]
    assert [f.outcome for f in result.fetches] == ["skipped", "skipped"]
    change = result.findings[0].dns_change
    assert change and (change.action, change.type, change.host, change.value) == (
        "add",
        "CNAME",
        "mail",
        "qiye.aliyun.com",
    )


async def test_wrong_target(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add_origin("example.org.")
    dns_server.add("web.example.org.", "A", LOOPBACK)
    dns_server.add(f"{NAME}.", "CNAME", "web.example.org.")
    async with HttpServer(200) as http:
        result = await run(dns_client, http, None, timeout=1.0)
    assert codes(result)[0] == "webmail.cname-wrong-target"
    change = result.findings[0].dns_change
    assert change and (change.action, change.old_value) == ("replace", "web.example.org")


async def test_address_record_instead_of_cname(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", LOOPBACK)
    async with HttpServer(200) as http:
        result = await run(dns_client, http, None, timeout=1.0)
    assert codes(result)[:2] == ["webmail.address-record", "webmail.http-ok"]


async def test_international_site_target_names_that_site(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add_origin("aliyun.com.")
    dns_server.add("mail.sg.aliyun.com.", "A", LOOPBACK)
    dns_server.add(f"{NAME}.", "CNAME", "mail.sg.aliyun.com.")
    async with HttpServer(200) as http:
        result = await run(dns_client, http, None, timeout=1.0)
    assert codes(result)[0] == "webmail.cname-site"
    assert result.official_address == "https://mail.sg.aliyun.com"


async def test_dns_failure_claims_nothing(
    zone: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    zone.set_fault(f"{NAME}.", drop=True)
    result = await check_webmail(DOMAIN, dns=make_dns_client(timeout=0.2, budget=1.0))
    assert codes(result) == ["webmail.dns-unreachable"]


@pytest.mark.parametrize("domain", ["", "not a domain", "a" * 300, "http://example.test/"])
async def test_bad_domain(domain: str) -> None:
    with pytest.raises(InputError) as err:
        await check_webmail(domain)
    assert err.value.field == "domain"


async def test_http_redirect_to_a_failing_https_is_reported_once(
    zone: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with (
        HttpServer(301, location=f"https://{NAME}/") as http,
        HttpServer(200, tls=authority.server_context("qiye.aliyun.com")) as https,
    ):
        result = await run(dns_client, http, https, ca_pem=authority.pem)
    assert codes(result) == ["webmail.cname-ok", "webmail.redirect-https", "webmail.tls-name-mismatch"]
    assert [f.outcome for f in result.fetches] == ["redirect", "tls-error"]


def test_cli(dns_server: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from alimail_mcp.cli import main

    dns_server.add_origin(f"{DOMAIN}.")
    resolvers = ["--resolvers", dns_server.address]
    assert main(["check-webmail", DOMAIN, *resolvers]) == 1
    out = capsys.readouterr().out
    assert "webmail.cname-missing" in out and "https://qiye.aliyun.com" in out
    assert main(["check-webmail", DOMAIN, *resolvers, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["name"] == NAME
    assert main(["check-webmail", "no such domain"]) == 2


@pytest.mark.parametrize(
    "location",
    ["http://[broken/", "https://mail.example.test:port/", "ftp://mail.example.test/", "/relative"],
)
async def test_odd_locations_never_crash(
    zone: DnsTestServer, dns_client: ResolverClient, location: str
) -> None:
    async with HttpServer(302, location=location) as http:
        result = await run(dns_client, http, None, timeout=1.0)
    plain = result.fetches[0]
    assert plain.outcome in ("redirect", "ok", "unreachable", "http-error")
    if location == "/relative":  # on the name itself: followed (the same server answers 302 again)
        assert plain.redirects == [f"http://{NAME}/relative"] * 3
