"""The outbound guard at work (outbound.py): a hostile domain whose DNS points the webmail fetch, the
client probe or the authoritative comparison at loopback, private or link-local addresses gets a
finding saying so, while the listeners behind those addresses see no connection and no DNS packet
(in-process, and through the real server over stdio and streamable HTTP). Redirects never move the
fetch to another port, and a server dripping its answer is cut at the fetch's total deadline.

Every test here runs without the operator's opt-in (ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS), which the rest
of the suite sets, except the controls that show the same setup is reached with it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from mcp.client import Client

from alimail_mcp.clients.check import check_client_settings
from alimail_mcp.clients.probe import ProbePolicy, probe_policy
from alimail_mcp.config import ENV_ALLOW_PRIVATE_TARGETS, Settings
from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.models import Finding
from alimail_mcp.webmail.check import check_webmail
from alimail_mcp.webmail.fetch import WebmailPolicy, webmail_policy
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant
from tests.support.local_servers import LOOPBACK, DripServer, HttpServer, MailServer
from tests.support.mcp_harness import http_server, stdio_params

DOMAIN = "evil.test"
NAME = f"mail.{DOMAIN}"
IMAP = "imap.qiye.aliyun.com"
HOSTILE_WEB = f"127.0.80.{os.getpid() % 200 + 20}"
"""Where mail.evil.test points for the real server: a loopback address of its own, so that a listener
can sit on ports 80, 443 and 993 there when this process may bind them."""
NAMESERVERS = f"""
@ NS ns2.{DOMAIN}.
@ NS ns3.{DOMAIN}.
ns2 AAAA ::ffff:127.0.0.1
ns3 A 169.254.169.254
"""
"""With good.test's ns1 A 127.0.0.1: loopback, loopback written IPv4-mapped, the metadata address."""
CALL_SECONDS = 5.0
SERVER_CALL_SECONDS = 20.0
"""A call to the real server: the first one in a fresh process also imports (and, on a clean checkout,
compiles) the engines. Well under the 30 s tool timeout a hostile target would run into."""


def hostile_zone(web: str = LOOPBACK) -> str:
    return variant(DOMAIN, without=["mail CNAME"], extra=f"{NAMESERVERS}\nmail A {web}\n")


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


@pytest.fixture
def no_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_ALLOW_PRIVATE_TARGETS, raising=False)


@pytest.fixture
def guarded(dns_server: DnsTestServer, no_opt_in: None) -> Settings:
    """The operator's resolver is the test nameserver (operator-chosen: not guarded); no opt-in."""
    return replace(settings_for(dns_server), allow_private_targets=False)


# --- webmail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
    ],
)
async def test_webmail_at_a_non_public_address_is_reported_and_never_fetched(
    dns_server: DnsTestServer, guarded: Settings, address: str, kind: str
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", address)
    async with HttpServer(200) as web:
        with webmail_policy(WebmailPolicy(port_map={80: web.port, 443: web.port}, timeout=1.0)):
            started = time.monotonic()
            result = await check_webmail(DOMAIN, settings=guarded)
    assert time.monotonic() - started < 1.0
    assert web.connections == 0
    assert [f.outcome for f in result.fetches] == ["refused", "refused"]
    refused = next(f for f in result.findings if f.code == "webmail.target-refused")
    assert refused.severity.value == "error" and f"({kind})" in refused.title
    assert result.summary.startswith(f"Webmail at {NAME} has a problem: {NAME} resolves to a non-public")
    assert refused.evidence["refused"] == [{"address": address, "kind": kind}]
    assert "webmail.unreachable" not in codes(result.findings)


@pytest.mark.parametrize(
    ("address", "kind"), [("::ffff:127.0.0.1", "loopback"), ("::1", "loopback"), ("fd00::1", "private")]
)
async def test_webmail_ipv6_addresses_are_judged_too(
    dns_server: DnsTestServer, guarded: Settings, address: str, kind: str
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "AAAA", address)
    async with HttpServer(200) as web:
        with webmail_policy(WebmailPolicy(port_map={80: web.port, 443: web.port}, timeout=1.0)):
            result = await check_webmail(DOMAIN, settings=guarded)
    assert web.connections == 0 and [f.outcome for f in result.fetches] == ["refused", "refused"]
    refused = next(f for f in result.findings if f.code == "webmail.target-refused")
    assert refused.evidence["refused"][0]["kind"] == kind
    if address.startswith("::ffff:"):
        assert refused.evidence["refused"][0]["embedded"] == LOOPBACK


async def test_webmail_control_the_opt_in_reaches_the_loopback_server(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", LOOPBACK)
    async with HttpServer(200) as web:
        with webmail_policy(WebmailPolicy(port_map={80: web.port, 443: web.port}, timeout=1.0)):
            result = await check_webmail(DOMAIN, dns=dns_client)
    assert web.connections >= 1 and result.fetches[0].status_code == 200


async def test_webmail_fetches_a_public_address_listed_after_a_private_one(
    dns_server: DnsTestServer, guarded: Settings
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", "127.0.0.1", "192.0.2.1", "198.51.100.1")  # documentation: refused too
    with webmail_policy(WebmailPolicy(timeout=0.5)):
        result = await check_webmail(DOMAIN, settings=guarded)
    refused = next(f for f in result.findings if f.code == "webmail.target-refused")
    assert [r["kind"] for r in refused.evidence["refused"]] == ["loopback", "documentation", "documentation"]


async def test_redirect_to_another_port_is_not_followed(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", LOOPBACK)
    async with DripServer() as other:
        elsewhere = f"http://{NAME}:{other.port}/admin"
        async with HttpServer(302, location=elsewhere) as web:
            with webmail_policy(WebmailPolicy(port_map={80: web.port, 443: 9}, timeout=1.0)):
                result = await check_webmail(DOMAIN, dns=dns_client)
    assert other.connections == 0 and web.connections == 1
    plain = result.fetches[0]
    assert plain.redirects == [] and plain.location == elsewhere
    assert "webmail.redirect-not-followed" in codes(result.findings)


async def test_a_dripping_server_is_cut_at_the_total_deadline(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    # a byte every 3 s: each read would come within a per-read timeout, forever
    dns_server.add_origin(f"{DOMAIN}.")
    dns_server.add(f"{NAME}.", "A", LOOPBACK)
    async with DripServer(b"HTTP/1.1 200 OK\r\nServer: slow\r\n\r\n", interval=3.0) as drip:
        with webmail_policy(WebmailPolicy(port_map={80: drip.port, 443: drip.port})):  # default deadline
            started = time.monotonic()
            result = await check_webmail(DOMAIN, dns=dns_client)
            elapsed = time.monotonic() - started
    assert elapsed < CALL_SECONDS, elapsed
    plain = result.fetches[0]
    assert plain.outcome == "unreachable" and plain.error and "within 4 s" in plain.error
    assert drip.connections == 2  # one fetch per scheme, no second attempt


# --- client probe ----------------------------------------------------------------------------------


async def test_probe_never_dials_a_non_public_address(dns_server: DnsTestServer, guarded: Settings) -> None:
    dns_server.add_origin("aliyun.com.")
    dns_server.add(f"{IMAP}.", "A", LOOPBACK)
    async with MailServer("imap") as imap:
        with probe_policy(ProbePolicy(port_map={993: imap.port}, timeout=1.0)):
            result = await check_client_settings(
                email="bob@example.test",
                protocol="imap",
                incoming_server=IMAP,
                incoming_port=993,
                incoming_security="ssl",
                probe=True,
                settings=guarded,
            )
    assert imap.connections == 0
    probe = result.probes[0]
    assert (probe.status, probe.address, probe.address_kind) == ("refused", LOOPBACK, "loopback")
    finding = next(f for f in result.findings if f.code == "client.target-refused")
    assert "(loopback)" in finding.title and finding.evidence["address"] == LOOPBACK
    assert finding.fix == [f"Set the incoming server to {IMAP}."]


async def test_probe_conversation_has_one_deadline(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin("aliyun.com.")
    dns_server.add(f"{IMAP}.", "A", LOOPBACK)
    async with DripServer(b"* OK test IMAP4rev1 ready\r\n", interval=0.3) as drip:
        with probe_policy(ProbePolicy(port_map={143: drip.port}, timeout=1.0)):
            started = time.monotonic()
            result = await check_client_settings(
                email="bob@example.test",
                protocol="imap",
                incoming_server=IMAP,
                incoming_port=143,
                incoming_security="starttls",
                probe=True,
                dns=dns_client,
            )
    assert time.monotonic() - started < 1.5
    assert result.probes[0].status == "timeout"


# --- authoritative comparison ----------------------------------------------------------------------


async def test_nameserver_addresses_off_the_internet_get_no_packet(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer], guarded: Settings
) -> None:
    serve_world(dns_server, hostile_zone())
    listener = start_dns_server(hostile_zone(), unknown="refused")  # where 127.0.0.1 would be asked
    started = time.monotonic()
    result = await audit_domain(
        DOMAIN, settings=guarded, compare_authoritative=True, authoritative_port=listener.port
    )
    assert time.monotonic() - started < CALL_SECONDS
    assert listener.count() == 0
    propagation = result.propagation
    assert propagation is not None and propagation.servers_asked == []
    assert propagation.nameservers == [f"ns1.{DOMAIN}", f"ns2.{DOMAIN}", f"ns3.{DOMAIN}"]
    refused = next(f for f in propagation.findings if f.code == "dns.target-refused")
    assert refused.severity.value == "info"
    assert {(s["host"], s["kind"]) for s in refused.evidence["servers"]} == {
        (f"ns1.{DOMAIN}", "loopback"),
        (f"ns2.{DOMAIN}", "loopback"),
        (f"ns3.{DOMAIN}", "link-local"),
    }
    mapped = next(s for s in refused.evidence["servers"] if s["host"] == f"ns2.{DOMAIN}")
    assert mapped["embedded"] == LOOPBACK
    assert "dns.authoritative-unreachable" not in codes(propagation.findings)
    # information, not a problem of the domain's mail (its A record for mail. is one, reported apart)
    assert not [f for f in result.findings if f.code.startswith("dns.") and f.severity.value != "info"]


async def test_nameserver_control_the_opt_in_asks_the_loopback_server(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    serve_world(dns_server, hostile_zone())
    listener = start_dns_server(hostile_zone(), unknown="refused")
    await audit_domain(
        DOMAIN,
        settings=settings_for(dns_server),
        compare_authoritative=True,
        authoritative_port=listener.port,
    )
    assert listener.count() > 0


async def test_at_most_four_addresses_over_at_most_eight_hosts(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    hosts = "\n".join(f"@ NS ns{i}.many.test.\nns{i} A 127.0.0.1\nns{i} A 127.0.0.2" for i in range(2, 21))
    zone = variant("many.test", extra=hosts)
    serve_world(dns_server, zone)
    listener = start_dns_server(zone, unknown="refused")
    result = await audit_domain(
        "many.test",
        settings=settings_for(dns_server),
        compare_authoritative=True,
        authoritative_port=listener.port,
    )
    assert result.propagation is not None
    assert len(result.propagation.nameservers) == 20
    assert sum(dns_server.count(f"ns{i}.many.test", "A") for i in range(1, 21)) == 8
    assert len(result.propagation.servers_asked) == 4


# --- through the real server ---------------------------------------------------------------------


def server_env(dns: DnsTestServer, authoritative: DnsTestServer) -> dict[str, str]:
    return {
        "ALIMAIL_MCP_RESOLVERS": dns.address,
        "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(authoritative.port),
    }


HOSTILE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("check_dns", {"domain": DOMAIN, "compare_authoritative": True}),
    ("plan_secure_setup", {"domain": DOMAIN}),
    ("diagnose_missing_mail", {"domain": DOMAIN}),
    ("check_webmail", {"domain": DOMAIN}),
    (
        "check_client_settings",
        {
            "email": f"bob@{DOMAIN}",
            "protocol": "imap",
            "incoming_server": IMAP,
            "incoming_port": 993,
            "incoming_security": "ssl",
            "probe": True,
        },
    ),
]


async def listeners() -> list[DripServer]:
    """Listeners on mail.evil.test's and imap's address at the ports the real server would dial (when
    this process may bind them; otherwise the findings alone are checked)."""
    found = [await DripServer(host=HOSTILE_WEB, port=port).bind() for port in (80, 443, 993)]
    return [listener for listener in found if listener is not None]


async def exercise(client: Client, authoritative: DnsTestServer, web: list[DripServer]) -> None:
    for tool, arguments in HOSTILE_CALLS:
        started = time.monotonic()
        result = await client.call_tool(tool, arguments)
        elapsed = time.monotonic() - started
        assert not result.is_error, (tool, result.content)
        assert elapsed < SERVER_CALL_SECONDS, (tool, elapsed)
        data = str(result.structured_content)
        expected = {
            "check_webmail": "webmail.target-refused",
            "check_client_settings": "client.target-refused",
        }.get(tool, "dns.target-refused")
        assert expected in data, (tool, data[:500])
    assert authoritative.count() == 0
    assert [w.connections for w in web] == [0] * len(web)


def hostile_world(dns: DnsTestServer) -> None:
    serve_world(dns, hostile_zone(HOSTILE_WEB))
    dns.add(f"{IMAP}.", "A", HOSTILE_WEB)


async def test_real_server_over_stdio_contacts_nothing(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    hostile_world(dns_server)
    authoritative = start_dns_server(hostile_zone(), unknown="refused")
    web = await listeners()
    try:
        env = server_env(dns_server, authoritative)
        async with Client(stdio_params(env, private_targets=False)) as client:
            await exercise(client, authoritative, web)
        # control: the same server with the operator's opt-in does ask the loopback nameserver
        async with Client(stdio_params(env)) as client:
            await client.call_tool("check_dns", {"domain": DOMAIN, "compare_authoritative": True})
        assert authoritative.count() > 0
    finally:
        for listener in web:
            await listener.__aexit__()


async def test_real_server_over_streamable_http_contacts_nothing(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    hostile_world(dns_server)
    authoritative = start_dns_server(hostile_zone(), unknown="refused")
    web = await listeners()
    try:
        with http_server("http", env=server_env(dns_server, authoritative), private_targets=False) as (
            _,
            port,
        ):
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                await exercise(client, authoritative, web)
    finally:
        for listener in web:
            await listener.__aexit__()
