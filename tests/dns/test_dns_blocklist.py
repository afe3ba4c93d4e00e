"""Blocklists: the domain and each sending IP against fake list zones on the test nameserver (the zones
are pointed there the way an operator does, ALIMAIL_MCP_BLOCKLIST_ZONES). Only a documented return
code is a listing; refusal codes, timeouts, failures and undocumented answers are unverified, never
listed; NXDOMAIN is not listed; the PBL is a policy listing."""

from __future__ import annotations

import pytest

from alimail_mcp.config import ENV_BLOCKLIST_ZONES, Settings, load_settings, parse_blocklist_zones
from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.blocklist.check import check_blocklists, query_name
from alimail_mcp.dns.blocklist.lists import active_lists, load_blocklists
from alimail_mcp.dns.blocklist.models import BlocklistCheck, ListingResult
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.errors import InputError
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file

FAKE = {
    "zen": "zen.bl.test",
    "spamcop": "spamcop.bl.test",
    "barracuda": "barracuda.bl.test",
    "dbl": "dbl.bl.test",
    "surbl": "surbl.bl.test",
}
OVERRIDES = tuple(FAKE.items())
IP = "203.0.113.7"
REVERSED = "7.113.0.203"


@pytest.fixture
def lists_server(dns_server: DnsTestServer) -> DnsTestServer:
    for zone in FAKE.values():
        dns_server.add_origin(zone)
    return dns_server


async def check(
    server: DnsTestServer,
    *,
    ips: tuple[str, ...] | list[str] = (),
    domains: tuple[str, ...] | list[str] = (),
    timeout: float = 1.0,
) -> BlocklistCheck:
    """The check against the test lists. A second a question: an answer that comes late on a busy machine
    must not turn into "no answer" (the tests of silence pass a shorter one)."""
    client = ResolverClient.from_settings(settings_for(server, timeout=timeout, budget=max(2.0, 2 * timeout)))
    return await check_blocklists(client, ips=ips, domains=domains, lists=active_lists(OVERRIDES))


def result(check: BlocklistCheck, list_id: str, target: str) -> ListingResult:
    return next(r for r in check.results if r.list_id == list_id and r.target == target)


def codes(check: BlocklistCheck) -> set[str]:
    return {f.code for f in check.findings}


# --- query names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "zone_id", "expected"),
    [
        ("203.0.113.7", "zen", "7.113.0.203.zen.bl.test"),
        ("2001:db8::1", "zen", "1." + "0." * 23 + "8.b.d.0.1.0.0.2.zen.bl.test"),
        ("example.test", "dbl", "example.test.dbl.bl.test"),
    ],
)
def test_query_names(target: str, zone_id: str, expected: str) -> None:
    blocklist = next(b for b in active_lists(OVERRIDES) if b.id == zone_id)
    assert query_name(target, blocklist) == expected


def test_ipv6_nibbles_are_reversed_in_full() -> None:
    zen = next(b for b in active_lists(OVERRIDES) if b.id == "zen")
    name = query_name("2001:db8:1234::5", zen)
    assert name == "5.0.0.0." + "0.0.0.0." * 4 + "4.3.2.1.8.b.d.0.1.0.0.2.zen.bl.test"
    assert len(name.removesuffix(".zen.bl.test").split(".")) == 32


async def test_an_ipv4_mapped_address_is_asked_as_ipv4(lists_server: DnsTestServer) -> None:
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.2")
    found = await check(lists_server, ips=[f"::ffff:{IP}"])
    assert found.ips == [IP] and result(found, "zen", IP).state == "listed"


# --- listings ------------------------------------------------------------------------------------


async def test_nxdomain_everywhere_is_not_listed(lists_server: DnsTestServer) -> None:
    found = await check(lists_server, ips=[IP, "2001:db8::7"], domains=["clean.test"])
    assert found.status == "ok" and found.findings == [] and not found.listed
    states = {(r.list_id, r.target): r.state for r in found.results}
    assert states[("zen", IP)] == states[("dbl", "clean.test")] == "not-listed"
    # IPv6 is asked of ZEN only: SpamCop and Barracuda hold IPv4 addresses.
    assert states[("spamcop", "2001:db8::7")] == "not-applicable"
    assert lists_server.count(query_name("2001:db8::7", active_lists(OVERRIDES)[0]), "A") == 1
    assert lists_server.count(rdtype="A") == 3 + 1 + 2  # IPv4: 3 lists; IPv6: ZEN; the domain: 2 lists


async def test_an_sbl_listing_is_an_error_with_its_meaning_and_delisting(lists_server: DnsTestServer) -> None:
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.2")
    found = await check(lists_server, ips=[IP])
    zen = result(found, "zen", IP)
    assert zen.state == "listed" and zen.answers == ["127.0.0.2"] and "SBL" in zen.meanings[0]
    (finding,) = found.findings
    assert (finding.code, finding.severity.value) == ("blocklist.listed", "error")
    assert finding.evidence["target"] == IP and finding.evidence["list"] == "Spamhaus ZEN"
    assert any("check.spamhaus.org" in step for step in finding.fix)
    assert IP not in finding.title and found.listed and found.status == "error"


async def test_a_pbl_listing_is_a_policy_warning_whose_fix_is_alibaba_mails_servers(
    lists_server: DnsTestServer,
) -> None:
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.10")
    found = await check(lists_server, ips=[IP])
    (finding,) = found.findings
    assert (finding.code, finding.severity.value) == ("blocklist.policy-listed", "warning")
    assert "not a spam listing" in finding.detail
    assert "smtp.qiye.aliyun.com" in finding.fix[0]
    assert result(found, "zen", IP).state == "policy" and not found.listed and found.status == "warning"


async def test_sbl_and_pbl_together_are_both_reported(lists_server: DnsTestServer) -> None:
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.4", "127.0.0.11")
    found = await check(lists_server, ips=[IP])
    assert [(f.code, f.severity.value) for f in found.findings] == [
        ("blocklist.listed", "error"),
        ("blocklist.policy-listed", "warning"),
    ]


async def test_spamcop_barracuda_and_the_domain_lists(lists_server: DnsTestServer) -> None:
    lists_server.add(f"{REVERSED}.spamcop.bl.test.", "A", "127.0.0.2")
    lists_server.add(f"{REVERSED}.barracuda.bl.test.", "A", "127.0.0.2")
    lists_server.add("spammy.test.dbl.bl.test.", "A", "127.0.1.4")
    lists_server.add("spammy.test.surbl.bl.test.", "A", "127.0.0.24")
    found = await check(lists_server, ips=[IP], domains=["spammy.test"])
    listed = {(r.list_id, r.target) for r in found.results if r.state == "listed"}
    assert listed == {("spamcop", IP), ("barracuda", IP), ("dbl", "spammy.test"), ("surbl", "spammy.test")}
    assert result(found, "surbl", "spammy.test").meanings == [
        "PH: a phishing domain",
        "MW: a malware domain",
    ]
    titles = [f.title for f in found.findings]
    assert "The domain is listed on Spamhaus DBL" in titles and len(found.findings) == 4


# --- never "listed" without a documented code --------------------------------------------------


@pytest.mark.parametrize(
    ("list_id", "name", "answer", "why"),
    [
        ("zen", f"{REVERSED}.zen.bl.test.", "127.255.255.254", "public or open resolver"),
        ("zen", f"{REVERSED}.zen.bl.test.", "127.255.255.255", "more queries"),
        ("zen", f"{REVERSED}.zen.bl.test.", "127.255.255.252", "typing error"),
        ("zen", f"{REVERSED}.zen.bl.test.", "127.255.255.250", "error code"),
        ("dbl", "odd.test.dbl.bl.test.", "127.255.255.254", "public or open resolver"),
        ("dbl", "odd.test.dbl.bl.test.", "127.0.1.255", "IP addresses"),
        ("surbl", "odd.test.surbl.bl.test.", "127.0.0.1", "blocked"),
    ],
)
async def test_a_refusal_code_is_unverified_never_listed(
    lists_server: DnsTestServer, list_id: str, name: str, answer: str, why: str
) -> None:
    lists_server.add(name, "A", answer)
    found = await check(lists_server, ips=[IP], domains=["odd.test"])
    target = IP if list_id == "zen" else "odd.test"
    refused = result(found, list_id, target)
    assert (
        refused.state == "unverified" and refused.unverified_by == "refusal" and why in (refused.reason or "")
    )
    assert not found.listed and "blocklist.listed" not in codes(found)
    (finding,) = found.findings
    assert (finding.code, finding.severity.value) == ("blocklist.unverified", "info")
    assert finding.evidence["lookups"][0]["answers"] == [answer]


@pytest.mark.parametrize(
    ("answer", "list_id", "name"),
    [
        ("198.51.100.1", "zen", f"{REVERSED}.zen.bl.test."),  # a resolver answering every unknown name
        ("127.0.0.99", "zen", f"{REVERSED}.zen.bl.test."),  # a code ZEN does not document
        ("127.0.0.2", "surbl", "odd.test.surbl.bl.test."),  # a SURBL bit it does not document
        ("127.0.0.2", "dbl", "odd.test.dbl.bl.test."),  # an IP-list code from a domain list
    ],
)
async def test_an_undocumented_answer_is_unverified(
    lists_server: DnsTestServer, answer: str, list_id: str, name: str
) -> None:
    lists_server.add(name, "A", answer)
    found = await check(lists_server, ips=[IP], domains=["odd.test"])
    odd = result(found, list_id, IP if list_id == "zen" else "odd.test")
    assert (odd.state, odd.unverified_by) == ("unverified", "unreadable") and not found.listed
    assert codes(found) == {"blocklist.unverified"}


@pytest.mark.parametrize("fault", [{"drop": True}, {"rcode": "SERVFAIL"}, {"rcode": "REFUSED"}])
async def test_a_lookup_without_an_answer_is_unverified(
    lists_server: DnsTestServer, fault: dict[str, object]
) -> None:
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.2")  # listed, but the answer never comes
    lists_server.set_fault(f"{REVERSED}.zen.bl.test.", **fault)  # type: ignore[arg-type]
    found = await check(lists_server, ips=[IP], timeout=0.3)
    zen = result(found, "zen", IP)
    assert (zen.state, zen.unverified_by) == ("unverified", "no-answer") and not found.listed
    assert [(f.code, f.severity.value) for f in found.findings] == [("blocklist.unverified", "info")]
    assert found.status == "ok"  # SpamCop and Barracuda answered


async def test_nothing_answering_leaves_the_check_unreachable_not_listed(lists_server: DnsTestServer) -> None:
    for zone in FAKE.values():
        lists_server.set_fault(f"{REVERSED}.{zone}.", drop=True)
    found = await check(lists_server, ips=[IP], timeout=0.3)
    assert found.status == "unreachable" and not found.listed
    assert codes(found) == {"blocklist.unverified"}


# --- configuration -------------------------------------------------------------------------------


def test_the_lists_and_their_codes_are_data() -> None:
    lists = {b.id: b for b in load_blocklists().lists}
    assert {b.zone for b in lists.values()} == {
        "zen.spamhaus.org",
        "bl.spamcop.net",
        "b.barracudacentral.org",
        "dbl.spamhaus.org",
        "multi.surbl.org",
    }
    assert set(lists["zen"].refusals) == {"127.255.255.252", "127.255.255.254", "127.255.255.255"}
    assert lists["zen"].codes["127.0.0.10"].class_ == "policy"


def test_zone_overrides_replace_or_turn_off_lists() -> None:
    lists = active_lists((("zen", "key123.zen.dq.example"), ("barracuda", "")))
    assert [b.id for b in lists] == ["zen", "spamcop", "dbl", "surbl"]
    assert lists[0].zone == "key123.zen.dq.example" and lists[0].codes == load_blocklists().lists[0].codes
    with pytest.raises(InputError, match="'nope' names no list"):
        active_lists((("nope", "x.test"),))


def test_the_environment_names_the_zones() -> None:
    settings = load_settings({ENV_BLOCKLIST_ZONES: "zen=zen.bl.test, spamcop= ,DBL=dbl.bl.test."})
    assert settings.blocklist_zones == (("zen", "zen.bl.test"), ("spamcop", ""), ("dbl", "dbl.bl.test"))
    for bad in ("zen", "zen=not a zone", "=x.test"):
        with pytest.raises(InputError, match=ENV_BLOCKLIST_ZONES):
            parse_blocklist_zones(bad)


# --- through the audit ---------------------------------------------------------------------------


async def test_the_audit_checks_the_domain_and_every_sending_ip(lists_server: DnsTestServer) -> None:
    serve_world(lists_server, zone_file("good.test"))
    lists_server.add(f"{REVERSED}.zen.bl.test.", "A", "127.0.0.3")
    lists_server.add("good.test.dbl.bl.test.", "A", "127.0.1.2")
    settings = Settings(**{**settings_for(lists_server).__dict__, "blocklist_zones": OVERRIDES})
    audit = await audit_domain("good.test", sending_ip=f"{IP}, 2001:db8::7,{IP}", settings=settings)
    blocklist = audit.checks.blocklist
    assert blocklist.ips == [IP, "2001:db8::7"] and blocklist.domains == ["good.test"]
    assert [f.code for f in audit.findings if f.code.startswith("blocklist.")] == ["blocklist.listed"] * 2
    assert audit.overall == "problem" and (audit.intent, audit.path) == (
        "resolve-failure",
        "dns-authorization",
    )
    assert [e.ip for e in audit.checks.spf.evaluations] == [IP, "2001:db8::7"]
    assert audit.checks.spf.evaluation is not None and audit.checks.spf.evaluation.ip == IP


async def test_a_refusing_list_leaves_a_correct_domain_ok(lists_server: DnsTestServer) -> None:
    """Spamhaus answering 127.255.255.254 (a public resolver) to every question: nothing is listed and
    the domain's audit is complete."""
    serve_world(lists_server, zone_file("good.test"))
    for name in (f"{REVERSED}.zen.bl.test.", "good.test.dbl.bl.test."):
        lists_server.add(name, "A", "127.255.255.254")
    settings = Settings(**{**settings_for(lists_server).__dict__, "blocklist_zones": OVERRIDES})
    audit = await audit_domain("good.test", sending_ip=IP, settings=settings)
    assert audit.overall == "ok" and not audit.checks.blocklist.listed
    assert {f.severity.value for f in audit.findings if f.code.startswith("blocklist.")} == {"info"}


async def test_a_bad_sending_ip_is_an_input_error() -> None:
    with pytest.raises(InputError, match="sending_ip"):
        await audit_domain("good.test", sending_ip=["203.0.113.7", "not-an-ip"])
    with pytest.raises(InputError, match="at most 10"):
        await audit_domain("good.test", sending_ip=[f"192.0.2.{i}" for i in range(11)])


async def test_a_name_too_long_to_ask_is_unverified_not_clean(lists_server: DnsTestServer) -> None:
    long_domain = ".".join(["a" * 60] * 4) + ".test"
    found = await check(lists_server, domains=[long_domain])
    dbl = result(found, "dbl", long_domain)
    assert (dbl.state, dbl.reason) == ("unverified", "name too long") and dbl.query is None
