"""ResolverClient against the test nameserver: outcomes, record formats, TCP fallback, sharing, budget."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from alimail_mcp.config import Nameserver, load_settings
from alimail_mcp.dns.client import DnsClient, Outcome
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer

ZONE = """
$ORIGIN example.test.
@        SOA   ns1 hostmaster 1 3600 600 86400 90
@        NS    ns1
ns1      A     127.0.0.1
@        MX    10 MX2.Example.TEST.
@        MX    5 mx1.example.test.
@        TXT   "v=spf1 include:spf.qiye.aliyun.com" " -all"
@        TXT   "google-site-verification=abc"
@        AAAA  2001:DB8:0:0:0:0:0:1
nullmx   MX    0 .
www      CNAME web
web      A     192.0.2.10
web      A     192.0.2.11
loop     CNAME loop
"""
IDN_ZONE = """
$ORIGIN xn--fsqu00a.test.
@        TXT   "v=spf1 -all"
"""


@pytest.fixture
def server(dns_server: DnsTestServer) -> DnsTestServer:
    dns_server.add_zone(ZONE)
    dns_server.add_zone(IDN_ZONE)
    return dns_server


def test_is_a_dns_client(dns_client: ResolverClient) -> None:
    client: DnsClient = dns_client
    assert client.queries == 0


async def test_ok_answers_in_the_documented_formats(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    txt = await dns_client.query("example.test", "TXT")
    assert txt.outcome is Outcome.OK
    assert sorted(txt.records) == ["google-site-verification=abc", "v=spf1 include:spf.qiye.aliyun.com -all"]
    assert txt.ttl == 300
    assert txt.server == server.address
    mx = await dns_client.query("Example.Test.", "mx")
    assert sorted(mx.records) == ["10 mx2.example.test", "5 mx1.example.test"]
    assert mx.name == "example.test" and mx.rdtype == "MX"
    assert (await dns_client.query("nullmx.example.test", "MX")).records == ("0 .",)
    assert (await dns_client.query("example.test", "AAAA")).records == ("2001:db8::1",)
    assert (await dns_client.query("example.test", "NS")).records == ("ns1.example.test",)


async def test_cname_chain_is_reported(server: DnsTestServer, dns_client: ResolverClient) -> None:
    answer = await dns_client.query("www.example.test", "A")
    assert answer.outcome is Outcome.OK
    assert sorted(answer.records) == ["192.0.2.10", "192.0.2.11"]
    assert answer.cname_chain == ("web.example.test",)
    assert answer.name == "www.example.test"
    direct = await dns_client.query("www.example.test", "CNAME")
    assert direct.records == ("web.example.test",) and direct.cname_chain == ()


async def test_nodata_and_nxdomain_carry_the_negative_ttl(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    nodata = await dns_client.query("web.example.test", "TXT")
    assert nodata.outcome is Outcome.NODATA and nodata.records == ()
    assert nodata.ttl == 90
    nx = await dns_client.query("nope.example.test", "TXT")
    assert nx.outcome is Outcome.NXDOMAIN
    assert nx.ttl == 90
    assert nx.outcome.conclusive and nodata.outcome.conclusive


async def test_servfail_and_cname_loops_are_servfail_refused_is_refused(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    server.set_fault("web.example.test", rcode="SERVFAIL")
    server.set_fault("example.test", "TXT", rcode="REFUSED")
    assert (await dns_client.query("web.example.test", "A")).outcome is Outcome.SERVFAIL
    refused = await dns_client.query("example.test", "TXT")
    assert refused.outcome is Outcome.REFUSED and not refused.outcome.conclusive
    assert (await dns_client.query("loop.example.test", "A")).outcome is Outcome.SERVFAIL
    assert (await dns_client.query("example.test", "MX")).outcome is Outcome.OK


async def test_timeout_when_the_server_never_answers(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("web.example.test", drop=True)
    client = make_dns_client(timeout=0.2, budget=5)
    answer = await client.query("web.example.test", "A")
    assert answer.outcome is Outcome.TIMEOUT
    assert not answer.outcome.conclusive
    assert (await client.query("example.test", "MX")).outcome is Outcome.OK


async def test_truncated_udp_answer_is_retried_over_tcp(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    server.set_fault("example.test", "TXT", truncate=True)
    answer = await dns_client.query("example.test", "TXT")
    assert answer.outcome is Outcome.OK and len(answer.records) == 2
    assert server.count("example.test", "TXT", "udp") == 1
    assert server.count("example.test", "TXT", "tcp") == 1
    assert dns_client.queries == 1


async def test_identical_questions_in_flight_are_sent_once(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    server.set_fault("example.test", "MX", delay_ms=100)  # keep the first question in flight
    answers = await asyncio.gather(*(dns_client.query("EXAMPLE.test.", "MX") for _ in range(5)))
    assert {a.records for a in answers} == {answers[0].records} and answers[0].outcome is Outcome.OK
    assert server.count("example.test", "MX") == 1
    assert dns_client.queries == 1
    await dns_client.query("example.test", "MX")  # answered from this client's memory
    assert server.count("example.test", "MX") == 1
    await dns_client.query("example.test", "TXT")
    assert dns_client.queries == 2


async def test_every_client_is_one_audit(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    await make_dns_client().query("example.test", "MX")
    await make_dns_client().query("example.test", "MX")
    assert server.count("example.test", "MX") == 2


async def test_budget_exhausted_questions_time_out_without_being_sent(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("example.test", drop=True)
    client = make_dns_client(timeout=0.25, budget=0.6)
    answers = [
        await client.query("example.test", rdtype) for rdtype in ("TXT", "MX", "A", "AAAA", "NS", "SOA")
    ]
    assert [a.outcome for a in answers] == [Outcome.TIMEOUT] * 6
    assert client.time_left() == 0
    assert client.queries < 6  # the later ones were never sent: the deadline had passed
    assert server.count() == client.queries


async def test_a_question_never_outlives_the_budget(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("web.example.test", drop=True)
    client = make_dns_client(timeout=30, budget=0.3)
    assert (await client.query("web.example.test", "A")).outcome is Outcome.TIMEOUT
    assert client.time_left() == 0
    after = await client.query("example.test", "MX")  # the server would answer, but the audit is over
    assert after.outcome is Outcome.TIMEOUT and server.count("example.test", "MX") == 0


async def test_idn_names_are_asked_in_punycode(server: DnsTestServer, dns_client: ResolverClient) -> None:
    answer = await dns_client.query("例子.test", "TXT")
    assert answer.outcome is Outcome.OK and answer.records == ("v=spf1 -all",)
    assert answer.name == "xn--fsqu00a.test"
    assert server.count("xn--fsqu00a.test", "TXT") == 1


async def test_names_dns_cannot_carry_do_not_exist(server: DnsTestServer, dns_client: ResolverClient) -> None:
    for bad in ("a" * 64 + ".example.test", "a..example.test"):
        assert (await dns_client.query(bad, "A")).outcome is Outcome.NXDOMAIN
    assert dns_client.queries == 0


async def test_query_at_asks_one_server_directly(
    server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer], dns_client: ResolverClient
) -> None:
    other = start_dns_server("$ORIGIN example.test.\n@ MX 5 new.example.test.", unknown="refused")
    at_other = await dns_client.query_at(other.host, other.port, "example.test", "MX")
    assert at_other.records == ("5 new.example.test",)
    assert at_other.server == other.address
    assert len((await dns_client.query("example.test", "MX")).records) == 2
    assert dns_client.queries == 2
    assert other.count("example.test", "MX") == 1
    direct = dns_client.with_nameservers([Nameserver(other.host, other.port)])
    assert direct.deadline == dns_client.deadline
    await direct.query("example.test", "TXT")
    assert dns_client.queries == 3


async def test_settings_from_the_environment(server: DnsTestServer) -> None:
    settings = load_settings({"ALIMAIL_MCP_RESOLVERS": server.address, "ALIMAIL_MCP_DNS_TIMEOUT": "0.5"})
    client = ResolverClient.from_settings(settings)
    assert client.nameservers == (server.address,)
    assert client.timeout == 0.5
    assert (await client.query("example.test", "MX")).outcome is Outcome.OK


async def test_without_resolvers_the_systems_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("alimail_mcp.dns.resolver._system_nameservers", lambda: ("192.0.2.53",))
    assert ResolverClient().nameservers == ("192.0.2.53:53",)
    monkeypatch.setattr("alimail_mcp.dns.resolver._system_nameservers", lambda: ())
    nobody = ResolverClient()
    assert nobody.nameservers == ()
    assert (await nobody.query("example.test", "A")).outcome is Outcome.SERVFAIL
