"""The test nameserver answers like an authoritative server and injects the faults it is asked to."""

from __future__ import annotations

from collections.abc import Callable

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from tests.support.dns_server import DnsTestServer

ZONE = """
$ORIGIN example.test.
@        SOA  ns1 hostmaster 7 3600 600 86400 120
@        NS   ns1
ns1      A    127.0.0.1
@        MX   5 mx1.qiye.aliyun.com.
@        TXT  "v=spf1 include:spf.qiye.aliyun.com -all"
www      CNAME web
web      A    192.0.2.10
outside  CNAME target.elsewhere.test.
dangling CNAME nowhere
a.b.deep A    192.0.2.20
loop     CNAME loop
"""


@pytest.fixture
def server(dns_server: DnsTestServer) -> DnsTestServer:
    dns_server.add_zone(ZONE)
    return dns_server


async def ask(
    server: DnsTestServer,
    name: str,
    rdtype: str = "A",
    *,
    tcp: bool = False,
    timeout: float = 1.0,
    edns: bool = True,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
    if tcp:
        return await dns.asyncquery.tcp(query, server.host, port=server.port, timeout=timeout)
    return await dns.asyncquery.udp(query, server.host, port=server.port, timeout=timeout)


def answer_texts(response: dns.message.Message) -> list[str]:
    return [rdata.to_text() for rrset in response.answer for rdata in rrset]


async def test_answers_authoritatively_over_udp_and_tcp(server: DnsTestServer) -> None:
    for tcp in (False, True):
        response = await ask(server, "example.test", "MX", tcp=tcp)
        assert response.rcode() == dns.rcode.NOERROR
        assert response.flags & dns.flags.AA
        assert answer_texts(response) == ["5 mx1.qiye.aliyun.com."]
    assert server.count("example.test", "MX", "udp") == 1
    assert server.count("example.test", "MX", "tcp") == 1


async def test_nxdomain_and_nodata_carry_the_zone_soa(server: DnsTestServer) -> None:
    missing = await ask(server, "missing.example.test")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert [rrset.rdtype for rrset in missing.authority] == [dns.rdatatype.SOA]
    nodata = await ask(server, "web.example.test", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].name.to_text() == "example.test."
    assert nodata.authority[0][0].minimum == 120


async def test_empty_non_terminal_is_nodata_not_nxdomain(server: DnsTestServer) -> None:
    response = await ask(server, "b.deep.example.test")
    assert response.rcode() == dns.rcode.NOERROR and not response.answer


async def test_cname_chased_inside_the_served_data(server: DnsTestServer) -> None:
    response = await ask(server, "www.example.test")
    assert [rrset.rdtype for rrset in response.answer] == [dns.rdatatype.CNAME, dns.rdatatype.A]
    assert answer_texts(response)[-1] == "192.0.2.10"
    dangling = await ask(server, "dangling.example.test")
    assert dangling.rcode() == dns.rcode.NXDOMAIN and answer_texts(dangling) == ["nowhere.example.test."]
    outside = await ask(server, "outside.example.test")
    assert outside.rcode() == dns.rcode.NOERROR and answer_texts(outside) == ["target.elsewhere.test."]
    loop = await ask(server, "loop.example.test")
    assert answer_texts(loop) == ["loop.example.test."]


async def test_names_outside_the_zones(
    dns_server: DnsTestServer, start_dns_server: Callable[..., DnsTestServer]
) -> None:
    dns_server.add_zone(ZONE)
    assert (await ask(dns_server, "other.test")).rcode() == dns.rcode.NXDOMAIN
    strict = start_dns_server(ZONE, unknown="refused")
    assert (await ask(strict, "other.test")).rcode() == dns.rcode.REFUSED
    assert (await ask(strict, "web.example.test")).rcode() == dns.rcode.NOERROR


async def test_servfail_and_refused_faults(server: DnsTestServer) -> None:
    server.set_fault("web.example.test", rcode="SERVFAIL")
    server.set_fault("example.test", "TXT", rcode="REFUSED")
    assert (await ask(server, "web.example.test")).rcode() == dns.rcode.SERVFAIL
    assert (await ask(server, "example.test", "TXT")).rcode() == dns.rcode.REFUSED
    assert (await ask(server, "example.test", "MX")).rcode() == dns.rcode.NOERROR  # only TXT is refused
    server.clear_faults()
    assert (await ask(server, "web.example.test")).rcode() == dns.rcode.NOERROR


async def test_drop_never_answers_but_counts(server: DnsTestServer) -> None:
    server.set_fault("web.example.test", drop=True)
    with pytest.raises(dns.exception.Timeout):
        await ask(server, "web.example.test", timeout=0.3)
    assert server.count("web.example.test") == 1


async def test_delay_holds_the_answer_back(server: DnsTestServer) -> None:
    server.set_fault("web.example.test", delay_ms=400)
    with pytest.raises(dns.exception.Timeout):
        await ask(server, "web.example.test", timeout=0.1)
    response = await ask(server, "web.example.test", timeout=3)
    assert answer_texts(response) == ["192.0.2.10"]


async def test_server_wide_delay(start_dns_server: Callable[..., DnsTestServer]) -> None:
    slow = start_dns_server(ZONE, delay_ms=300)
    with pytest.raises(dns.exception.Timeout):
        await ask(slow, "web.example.test", timeout=0.1)
    slow.delay_ms = 0
    assert answer_texts(await ask(slow, "web.example.test", timeout=1)) == ["192.0.2.10"]


async def test_truncate_sets_tc_over_udp_only(server: DnsTestServer) -> None:
    server.set_fault("example.test", "TXT", truncate=True)
    udp = await ask(server, "example.test", "TXT")
    assert udp.flags & dns.flags.TC and not udp.answer
    tcp = await ask(server, "example.test", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert answer_texts(tcp) == ['"v=spf1 include:spf.qiye.aliyun.com -all"']


async def test_large_answers_truncate_by_size(server: DnsTestServer) -> None:
    server.add("big.example.test", "TXT", *(f'"{i:02d}{"x" * 250}"' for i in range(4)))
    udp = await ask(server, "big.example.test", "TXT", edns=False)
    assert udp.flags & dns.flags.TC
    tcp = await ask(server, "big.example.test", "TXT", tcp=True)
    assert len(answer_texts(tcp)) == 4


async def test_ns_records_lead_back_to_the_server(server: DnsTestServer) -> None:
    """What the propagation check does: NS of the domain, the NS host's address, then ask it directly."""
    ns = answer_texts(await ask(server, "example.test", "NS"))
    assert ns == ["ns1.example.test."]
    address = answer_texts(await ask(server, ns[0]))[0]
    query = dns.message.make_query("example.test", "MX")
    query.flags &= ~dns.flags.RD
    direct = await dns.asyncquery.udp(query, address, port=server.port, timeout=1)
    assert direct.flags & dns.flags.AA and answer_texts(direct) == ["5 mx1.qiye.aliyun.com."]


async def test_records_added_one_by_one_and_removed(dns_server: DnsTestServer) -> None:
    with pytest.raises(ValueError, match="outside every served zone"):
        dns_server.add("x.example.test", "A", "192.0.2.1")
    dns_server.add_origin(".")
    dns_server.add("odd name.example.test", "A", "192.0.2.1")
    assert answer_texts(await ask(dns_server, "odd name.example.test")) == ["192.0.2.1"]
    dns_server.remove("odd name.example.test")
    assert (await ask(dns_server, "odd name.example.test")).rcode() == dns.rcode.NXDOMAIN


async def test_counts_questions_and_resets(server: DnsTestServer) -> None:
    for _ in range(3):
        await ask(server, "web.example.test")
    await ask(server, "web.example.test", "AAAA")
    assert server.count("WEB.example.test.") == 4
    assert server.count("web.example.test", "A") == 3
    assert server.count() == 4
    server.reset_counts()
    assert server.count() == 0


async def test_one_text_may_hold_several_zones(dns_server: DnsTestServer) -> None:
    dns_server.add_zone(
        """
        $ORIGIN one.test.
        @       TXT  "first"
        other.test.  A  192.0.2.9
        $ORIGIN two.test.
        @       SOA  ns hostmaster 1 3600 600 86400 60
        www     A    192.0.2.2
        """
    )
    dns_server.add_zone('www TXT "relative to the origin argument"', origin="three.test")
    assert answer_texts(await ask(dns_server, "one.test", "TXT")) == ['"first"']
    assert answer_texts(await ask(dns_server, "other.test")) == ["192.0.2.9"]
    nx = await ask(dns_server, "nope.two.test")
    assert nx.rcode() == dns.rcode.NXDOMAIN and nx.authority[0][0].minimum == 60
    assert answer_texts(await ask(dns_server, "www.three.test", "TXT")) == [
        '"relative to the origin argument"'
    ]
    with pytest.raises(ValueError, match="no origin"):
        dns_server.add_zone('www TXT "where?"')


def test_usable_as_a_context_manager_and_restartable() -> None:
    with DnsTestServer(ZONE) as server:
        assert server.port > 0
        assert server.address == f"127.0.0.1:{server.port}"
    server.start()
    server.stop()
