"""check_host() on the test nameserver: results, the trace and the deciding term, limits, DNS errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.spf import check_host, check_mail_from
from alimail_mcp.errors import InputError
from tests.support.dns_server import DnsTestServer

ZONE = """
$ORIGIN example.test.
@          TXT  "v=spf1 ip4:192.0.2.10 include:_spf.partner.test mx -all exp=why.example.test"
@          MX   10 mx.example.test.
mx         A    192.0.2.25
mx         AAAA 2001:db8::25
why        TXT  "%{i} is not allowed to send for %{d} (helo %{h})"
soft       TXT  "v=spf1 ip4:192.0.2.10 ~all"
neutral    TXT  "v=spf1 ip4:192.0.2.10"
redir      TXT  "v=spf1 redirect=example.test"
redir-none TXT  "v=spf1 redirect=nothing.example.test"
slow       TXT  "v=spf1 include:_spf.slow.test -all"
voids      TXT  "v=spf1 a:nx1.example.test a:nx2.example.test mx:nx3.example.test ip4:192.0.2.99 -all"
ip6        TXT  "v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all"
1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf A 127.0.0.2
minus-inc  TXT  "v=spf1 -include:_spf.partner.test +all"
broken     TXT  "v=spf1 ip4:192.0.2.10 a:foo.123 -all"
"""
PARTNER = """
$ORIGIN partner.test.
_spf       TXT  "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 -all"
"""
SLOW = """
$ORIGIN slow.test.
_spf       TXT  "v=spf1 ip4:203.0.113.0/24 -all"
"""
HOSTS = "\n".join(f"h{n} A 192.0.2.{100 + n}" for n in range(1, 12))
ELEVEN_A_TERMS = " ".join(f"a:h{n}.example.test" for n in range(1, 12))
MANY = f'many TXT "v=spf1 {ELEVEN_A_TERMS} ip4:192.0.2.99 -all"\n'


@pytest.fixture
def server(dns_server: DnsTestServer) -> DnsTestServer:
    dns_server.add_zone(ZONE + MANY + HOSTS)
    dns_server.add_zone(PARTNER)
    dns_server.add_zone(SLOW)
    return dns_server


@pytest.mark.parametrize(
    ("ip", "domain", "result", "term"),
    [
        ("192.0.2.10", "example.test", "pass", "ip4:192.0.2.10"),
        ("198.51.100.7", "example.test", "pass", "include:_spf.partner.test"),
        ("2001:db8:100::1", "example.test", "pass", "include:_spf.partner.test"),
        ("192.0.2.25", "example.test", "pass", "mx"),
        ("2001:db8::25", "example.test", "pass", "mx"),
        ("::ffff:192.0.2.25", "example.test", "pass", "mx"),
        ("203.0.113.9", "example.test", "fail", "-all"),
        ("203.0.113.9", "soft.example.test", "softfail", "~all"),
        ("203.0.113.9", "neutral.example.test", "neutral", "(default)"),
        ("192.0.2.10", "redir.example.test", "pass", "ip4:192.0.2.10"),
        ("2001:db8::cb01", "ip6.example.test", "pass", "exists:%{ir}.%{v}._spf.%{d2}"),
        ("198.51.100.7", "minus-inc.example.test", "fail", "-include:_spf.partner.test"),
        ("192.0.2.1", "minus-inc.example.test", "pass", "+all"),
    ],
)
async def test_results_and_the_deciding_term(
    server: DnsTestServer, dns_client: ResolverClient, ip: str, domain: str, result: str, term: str
) -> None:
    outcome = await check_host(dns_client, ip, domain, f"alice@{domain}", helo="mail.example.test")
    assert outcome.result == result, outcome.reason
    assert outcome.decided_by is not None and outcome.decided_by.term == term
    assert outcome.decided_by.depth == 0


async def test_trace_shows_every_term_in_order_with_include_depth(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    outcome = await check_host(dns_client, "192.0.2.25", "example.test", "alice@example.test")
    steps = [(s.domain, s.term, s.outcome, s.depth) for s in outcome.trace]
    assert steps == [
        ("example.test", "ip4:192.0.2.10", "no-match", 0),
        ("_spf.partner.test", "ip4:198.51.100.0/24", "no-match", 1),
        ("_spf.partner.test", "ip6:2001:db8:100::/48", "no-match", 1),
        ("_spf.partner.test", "-all", "match", 1),
        ("example.test", "include:_spf.partner.test", "no-match", 0),
        ("example.test", "mx", "match", 0),
    ]
    assert outcome.lookups == 2 and outcome.void_lookups == 0


async def test_fail_carries_the_expanded_explanation(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    outcome = await check_host(
        dns_client, "203.0.113.9", "example.test", "bob@example.test", helo="relay.test"
    )
    assert outcome.result == "fail"
    assert outcome.explanation == "203.0.113.9 is not allowed to send for example.test (helo relay.test)"
    soft = await check_host(dns_client, "203.0.113.9", "soft.example.test")
    assert soft.explanation is None


async def test_redirect_to_a_domain_without_spf_is_permerror(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    outcome = await check_host(dns_client, "192.0.2.1", "redir-none.example.test")
    assert outcome.result == "permerror"
    assert "nothing.example.test" in outcome.reason


async def test_none_when_there_is_no_record_or_no_valid_domain(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    assert (await check_host(dns_client, "192.0.2.1", "mx.example.test")).result == "none"
    assert (await check_host(dns_client, "192.0.2.1", "nowhere.example.test")).result == "none"
    assert (await check_host(dns_client, "192.0.2.1", "localhost")).result == "none"
    assert dns_client.queries == 2  # an invalid domain is never asked about


async def test_syntax_error_is_permerror_before_anything_is_evaluated(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    outcome = await check_host(dns_client, "192.0.2.10", "broken.example.test")
    assert outcome.result == "permerror" and "foo.123" in outcome.reason
    assert outcome.trace == []


async def test_more_than_ten_lookups_is_permerror_at_the_eleventh(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    outcome = await check_host(dns_client, "192.0.2.99", "many.example.test")
    assert outcome.result == "permerror"
    assert outcome.lookups == 11
    assert outcome.decided_by is not None and outcome.decided_by.term == "a:h11.example.test"
    assert server.count("h11.example.test") == 0  # the limit stops it before the query


async def test_third_void_lookup_is_permerror(server: DnsTestServer, dns_client: ResolverClient) -> None:
    outcome = await check_host(dns_client, "192.0.2.99", "voids.example.test")
    assert outcome.result == "permerror" and outcome.void_lookups == 3
    assert outcome.decided_by is not None and outcome.decided_by.term == "mx:nx3.example.test"


async def test_unanswered_include_is_temperror(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("_spf.slow.test", drop=True)
    client = make_dns_client(timeout=0.2)
    outcome = await check_host(client, "203.0.113.9", "slow.example.test")
    assert outcome.result == "temperror"
    assert outcome.decided_by is not None and outcome.decided_by.outcome == "error"
    server.set_fault("_spf.slow.test", rcode="SERVFAIL")
    assert (await check_host(make_dns_client(), "203.0.113.9", "slow.example.test")).result == "temperror"


async def test_budget_exhausted_evaluation_is_temperror(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("example.test", "TXT", drop=True)
    outcome = await check_host(make_dns_client(timeout=5, budget=0.3), "192.0.2.10", "example.test")
    assert outcome.result == "temperror"


async def test_mail_from_identity_and_null_sender(server: DnsTestServer, dns_client: ResolverClient) -> None:
    outcome = await check_mail_from(dns_client, "192.0.2.10", "", "soft.example.test")
    assert outcome.domain == "soft.example.test" and outcome.sender == "postmaster@soft.example.test"
    assert outcome.result == "pass"
    named = await check_mail_from(dns_client, "203.0.113.9", "carol@example.test", "x.test")
    assert named.domain == "example.test" and named.result == "fail"


async def test_bad_ip_is_an_input_error(dns_client: ResolverClient) -> None:
    with pytest.raises(InputError) as error:
        await check_host(dns_client, "not-an-ip", "example.test")
    assert error.value.field == "ip"
