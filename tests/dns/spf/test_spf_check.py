"""check_spf on the test nameserver: one zone per finding code, good and broken, and DNS faults."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.spf import SpfCheck, check_spf, recommend
from alimail_mcp.errors import InputError
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.models import Severity
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer

PROVIDER = load_provider()
ALI = PROVIDER.spf.recommended_include
GOOD = PROVIDER.spf.recommended_record

PROVIDER_ZONE = f"""
$ORIGIN aliyun.com.
{ALI}.             TXT "v=spf1 ip4:115.124.16.0/20 include:spfa.qiye.aliyun.com -all"
spfa.qiye          TXT "v=spf1 ip4:47.246.0.0/16 -all"
{PROVIDER.spf.directmail_include}. TXT "v=spf1 ip4:106.11.0.0/16 -all"
"""
LEGACY_ZONE = """
$ORIGIN aliyun-inc.com.
@                  TXT "v=spf1 ip4:140.205.0.0/16 -all"
"""
DIRECTMAIL = PROVIDER.spf.directmail_include
VOID_TERMS = "a:nx1.example.test a:nx2.example.test mx:nx3.example.test"
HEAVY_TERMS = (
    "include:heavy.other.test include:_spf.other.test a mx ptr exists:x.other.test include:legacy.other.test"
)
OTHERS = """
$ORIGIN other.test.
_spf      TXT "v=spf1 ip4:198.51.100.0/24 -all"
deep      TXT "v=spf1 include:deeper.other.test -all"
deeper    TXT "v=spf1 include:spf.qiye.aliyun.com -all"
heavy     TXT "v=spf1 a:h1.other.test a:h2.other.test a:h3.other.test a:h4.other.test mx:h5.other.test -all"
h1 A 198.51.100.1
h2 A 198.51.100.2
h3 A 198.51.100.3
h4 A 198.51.100.4
h5 MX 10 h1.other.test.
legacy    TXT "v=spf1 include:aliyun-inc.com -all"
nospf     TXT "just text"
badspf    TXT "v=spf1 ip4:1.2.3 -all"
"""
DOMAINS = f"""
$ORIGIN example.test.
good          TXT "{GOOD}"
good          TXT "google-site-verification=abc"
merged        TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.other.test include:{ALI} include:{DIRECTMAIL} -all"
nested        TXT "v=spf1 include:deep.other.test -all"
legacy        TXT "v=spf1 include:aliyun-inc.com -all"
missing       TXT "google-site-verification=abc"
multiple      TXT "v=spf1 include:_spf.other.test -all"
multiple      TXT "v=spf1 include:{ALI} ~all"
no-ali        TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.other.test -all"
minus-ali     TXT "v=spf1 -include:{ALI} -all"
after-all     TXT "v=spf1 -all include:{ALI}"
plus-all      TXT "v=spf1 include:{ALI} +all"
bare-all      TXT "v=spf1 include:{ALI} all"
soft-all      TXT "v=spf1 include:{ALI} ~all"
neutral-all   TXT "v=spf1 include:{ALI} ?all"
no-all        TXT "v=spf1 include:{ALI}"
via-redirect  TXT "v=spf1 redirect=_spf.other.test"
syntax        TXT "v=spf1 include:{ALI} ip4:192.0.2.300 ~all"
loop          TXT "v=spf1 include:{ALI} include:loop2.example.test -all"
loop2         TXT "v=spf1 include:loop.example.test -all"
self          TXT "v=spf1 include:{ALI} include:self.example.test -all"
lookups       TXT "v=spf1 include:{ALI} {HEAVY_TERMS} -all"
lookups       A   192.0.2.1
lookups       MX  10 lookups.example.test.
voids         TXT "v=spf1 include:{ALI} {VOID_TERMS} ip4:192.0.2.7 -all"
two-voids     TXT "v=spf1 include:{ALI} a:nx1.example.test a:nx2.example.test -all"
broken-inc    TXT "v=spf1 include:{ALI} include:nospf.other.test include:badspf.other.test -all"
slow          TXT "v=spf1 include:{ALI} include:slow.other.test -all"
slow-only     TXT "v=spf1 include:slow.other.test -all"
"""


@pytest.fixture
def server(dns_server: DnsTestServer) -> DnsTestServer:
    for zone in (PROVIDER_ZONE, LEGACY_ZONE, OTHERS, DOMAINS):
        dns_server.add_zone(zone)
    dns_server.add_zone('$ORIGIN slow.other.test.\n@ TXT "v=spf1 -all"')
    return dns_server


async def audit(client: ResolverClient, host: str, **kw: str) -> SpfCheck:
    return await check_spf(client, f"{host}.example.test", **kw)


def codes(check: SpfCheck) -> list[str]:
    return [f.code for f in check.findings]


@pytest.mark.parametrize("host", ["good", "merged", "nested", "legacy"])
async def test_correct_records_have_no_findings(
    server: DnsTestServer, dns_client: ResolverClient, host: str
) -> None:
    check = await audit(dns_client, host)
    assert codes(check) == [], check.findings
    assert check.status == "ok" and check.authorizes_alimail
    assert check.all_qualifier == "-all"
    assert check.changes == [] and check.recommended_record is None


async def test_good_record_reports_what_it_saw(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "good")
    assert check.record == GOOD and check.records == [GOOD]
    assert check.lookups == 2  # the domain's include, then the one inside Alibaba Mail's record
    assert [i.domain for i in check.includes] == [ALI]
    assert check.includes[0].includes[0].domain == "spfa.qiye.aliyun.com"


async def test_missing_record(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "missing")
    assert codes(check) == ["spf.missing"] and check.status == "error"
    change = check.findings[0].dns_change
    assert change is not None and (change.action, change.type, change.host, change.value) == (
        "add",
        "TXT",
        "@",
        GOOD,
    )
    assert check.changes == [change]
    nx = await check_spf(dns_client, "nonexistent.example.test")
    assert codes(nx) == ["spf.missing"]


async def test_multiple_records_merge_into_one(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "multiple")
    assert codes(check) == ["spf.multiple"]
    assert check.recommended_record == f"v=spf1 include:_spf.other.test include:{ALI} -all"
    replace, delete = check.changes
    assert replace.action == "replace" and replace.old_value in check.records
    assert delete.action == "delete" and {replace.old_value, delete.value} == set(check.records)
    assert check.findings[0].dns_change == replace
    assert check.findings[0].evidence["records"] == check.records


async def test_missing_alimail_include_keeps_the_other_senders(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    check = await audit(dns_client, "no-ali")
    assert codes(check) == ["spf.missing-alimail-include"]
    assert not check.authorizes_alimail
    finding = check.findings[0]
    assert finding.severity is Severity.ERROR and finding.dns_change is not None
    assert finding.dns_change.value == f"v=spf1 ip4:192.0.2.0/24 include:_spf.other.test include:{ALI} -all"
    assert finding.dns_change.old_value == "v=spf1 ip4:192.0.2.0/24 include:_spf.other.test -all"
    assert finding.skill == "alimail/guide/alimail-configuration"


@pytest.mark.parametrize("host", ["minus-ali", "after-all"])
async def test_an_include_that_never_passes_does_not_authorise(
    server: DnsTestServer, dns_client: ResolverClient, host: str
) -> None:
    check = await audit(dns_client, host)
    assert "spf.missing-alimail-include" in codes(check)
    assert not check.authorizes_alimail


@pytest.mark.parametrize("host", ["plus-all", "bare-all"])
async def test_plus_all(server: DnsTestServer, dns_client: ResolverClient, host: str) -> None:
    check = await audit(dns_client, host)
    assert codes(check) == ["spf.plus-all"] and check.all_qualifier == "+all"
    assert check.recommended_record == GOOD


@pytest.mark.parametrize(
    ("host", "qualifier"), [("soft-all", "~all"), ("neutral-all", "?all"), ("no-all", None)]
)
async def test_soft_all(
    server: DnsTestServer, dns_client: ResolverClient, host: str, qualifier: str | None
) -> None:
    check = await audit(dns_client, host)
    assert codes(check) == ["spf.soft-all"] and check.status == "warning"
    assert check.all_qualifier == qualifier
    assert check.findings[0].severity is Severity.WARNING
    assert check.changes[0].value == GOOD


async def test_all_qualifier_follows_redirect(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "via-redirect")
    assert check.all_qualifier == "-all"
    assert [(i.domain, i.via) for i in check.includes] == [("_spf.other.test", "redirect")]
    assert codes(check) == ["spf.missing-alimail-include"]
    assert check.recommended_record == f"v=spf1 include:_spf.other.test include:{ALI} -all"


async def test_syntax_error_drops_the_bad_term(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "syntax")
    assert codes(check) == ["spf.syntax", "spf.soft-all"]
    syntax = check.findings[0]
    assert "ip4:192.0.2.300" in syntax.evidence["errors"][0]
    assert check.recommended_record == GOOD


async def test_include_loop(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "loop")
    assert codes(check) == ["spf.loop"]
    assert check.findings[0].evidence["chains"] == [
        "loop.example.test -> loop2.example.test -> loop.example.test"
    ]
    assert check.findings[0].dns_change is None  # the loop is in another record: no change of ours fixes it
    self_loop = await audit(dns_client, "self")
    assert codes(self_loop) == ["spf.loop"]
    assert self_loop.recommended_record == GOOD


async def test_lookups_counted_through_nested_includes(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    check = await audit(dns_client, "lookups")
    # own: 4 includes + a + mx + ptr + exists = 8; Alibaba Mail's record 1; heavy 5; legacy 1 (aliyun-inc.com)
    assert check.lookups == 15
    assert "spf.too-many-lookups" in codes(check)
    finding = next(f for f in check.findings if f.code == "spf.too-many-lookups")
    assert finding.evidence["lookups"] == 15 and finding.dns_change is None


async def test_void_lookups(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "voids")
    assert codes(check) == ["spf.void-lookups"] and check.void_lookups == 3
    assert check.recommended_record == f"v=spf1 include:{ALI} ip4:192.0.2.7 -all"
    two = await audit(dns_client, "two-voids")
    assert codes(two) == [] and two.void_lookups == 2


async def test_broken_includes(server: DnsTestServer, dns_client: ResolverClient) -> None:
    check = await audit(dns_client, "broken-inc")
    broken = [f for f in check.findings if f.code == "spf.broken-include"]
    assert [(f.evidence["target"], f.evidence["status"]) for f in broken] == [
        ("nospf.other.test", "no-record"),
        ("badspf.other.test", "syntax"),
    ]
    assert check.recommended_record == f"v=spf1 include:{ALI} include:badspf.other.test -all"
    assert broken[0].dns_change is not None and broken[1].dns_change is None  # the bad record is not ours


async def test_unanswered_domain_is_unreachable_not_missing(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("good.example.test", "TXT", drop=True)
    server.set_fault("multiple.example.test", "TXT", rcode="SERVFAIL")
    client = make_dns_client(timeout=0.2)
    timeout = await audit(client, "good")
    assert timeout.status == "unreachable" and codes(timeout) == ["dns.timeout"]
    servfail = await audit(client, "multiple")
    assert servfail.status == "unreachable" and codes(servfail) == ["dns.servfail"]


async def test_unanswered_include_claims_nothing_missing(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.set_fault("slow.other.test", "TXT", drop=True)
    server.recursion_available = (
        True  # a recursive resolver's timeout (an authoritative-only one's says nothing)
    )
    client = make_dns_client(timeout=0.2)
    check = await audit(client, "slow-only")
    assert codes(check) == ["dns.timeout"] and check.status == "warning"
    assert [i.status for i in check.includes] == ["unreachable"]
    with_ali = await audit(client, "slow")
    assert codes(with_ali) == ["dns.timeout"] and with_ali.authorizes_alimail


async def test_sending_ip_is_evaluated_on_the_same_answers(
    server: DnsTestServer, dns_client: ResolverClient
) -> None:
    check = await audit(dns_client, "no-ali", sending_ip="47.246.1.2")
    assert check.evaluation is not None and check.evaluation.result == "fail"
    assert "spf.ip-not-authorized" in codes(check)
    assert server.count() == dns_client.queries  # every question asked once for walk and evaluation
    passing = await check_spf(dns_client, "good.example.test", sending_ip="47.246.1.2")
    assert passing.evaluation is not None and passing.evaluation.result == "pass"
    assert passing.evaluation.decided_by is not None
    assert passing.evaluation.decided_by.term == f"include:{ALI}"
    assert codes(passing) == []


async def test_bad_sending_ip_is_an_input_error(dns_client: ResolverClient) -> None:
    with pytest.raises(InputError) as error:
        await check_spf(dns_client, "example.test", sending_ip="300.1.1.1")
    assert error.value.field == "sending_ip"
    assert dns_client.queries == 0


def test_recommend_is_idempotent_and_keeps_directmail() -> None:
    record = f"v=spf1 include:{ALI} include:{PROVIDER.spf.directmail_include} -all"
    assert recommend([record], "example.test", PROVIDER) == record == PROVIDER.spf.directmail_record
    assert recommend([GOOD], "example.test", PROVIDER) == GOOD
    assert recommend(["v=spf1 +mx ~all exp=why.example.test"], "example.test", PROVIDER) == (
        f"v=spf1 +mx include:{ALI} -all exp=why.example.test"
    )


@pytest.mark.parametrize(
    "record",
    ["v=spf1include:spf.qiye.aliyun.com -all", "V=SPF1;include:spf.qiye.aliyun.com -all", "v = spf1 -all"],
)
async def test_mistyped_version_is_a_syntax_error_not_missing(
    dns_server: DnsTestServer, dns_client: ResolverClient, record: str
) -> None:
    dns_server.add_zone(PROVIDER_ZONE)
    dns_server.add_zone(f'$ORIGIN typo.test.\n@ TXT "{record}"\n@ TXT "google-site-verification=abc"')
    check = await check_spf(dns_client, "typo.test")
    assert codes(check) == ["spf.syntax"] and check.status == "error"
    change = check.findings[0].dns_change
    assert change is not None and change.action == "replace" and change.old_value == record
    assert change.value == GOOD  # the record as meant: version fixed, Alibaba Mail's include, -all


async def test_includes_the_resolver_refuses_are_unverified_not_faults(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    """An authoritative-only server holds the domain's zone only: third-party includes are refused."""
    zone = '$ORIGIN only.test.\n@ TXT "v=spf1 include:_spf.google.com ~all"'
    server = start_dns_server(zone, unknown="refused")
    client = ResolverClient.from_settings(settings_for(server))
    check = await check_spf(client, "only.test")
    # What the record itself shows is still found; the include's content is reported as not verified.
    assert codes(check) == ["spf.missing-alimail-include", "spf.soft-all", "dns.refused"]
    assert check.findings[-1].severity is Severity.INFO
    assert check.includes[0].status == "unreachable"


async def test_own_soft_all_is_reported_even_when_an_include_times_out(
    server: DnsTestServer, make_dns_client: Callable[..., ResolverClient]
) -> None:
    server.add_zone(
        f'$ORIGIN example.test.\nsoft-slow TXT "v=spf1 include:{ALI} include:slow.other.test ~all"'
    )
    server.set_fault("slow.other.test", "TXT", drop=True)
    server.recursion_available = True  # the include's timeout leaves the SPF outcome open
    check = await audit(make_dns_client(timeout=0.2, budget=2.0), "soft-slow")
    assert codes(check) == ["spf.soft-all", "dns.timeout"]
    assert check.findings[1].severity is Severity.WARNING


async def test_all_of_an_unread_redirect_target_is_not_guessed(
    start_dns_server: Callable[..., DnsTestServer],
) -> None:
    server = start_dns_server(f'$ORIGIN redir.test.\n@ TXT "v=spf1 redirect={ALI}"', unknown="refused")
    check = await check_spf(ResolverClient.from_settings(settings_for(server)), "redir.test")
    assert codes(check) == ["dns.refused"]  # not "has no all term": the target's all is unknown
    assert check.authorizes_alimail and check.all_qualifier is None
    server.add_zone(PROVIDER_ZONE)
    read = await check_spf(ResolverClient.from_settings(settings_for(server)), "redir.test")
    assert codes(read) == [] and read.all_qualifier == "-all"
