"""audit_domain(): the whole check_dns result on the test nameserver, faults, the budget, input rules."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from alimail_mcp.config import Nameserver, Settings
from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.errors import InputError
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

BROKEN_CODES = {
    "mx.host-unresolvable",
    "mx.conflict",
    "mx.incomplete",
    "spf.multiple",
    "spf.soft-all",
    "dkim.weak-key",
    "dmarc.missing",
    "webmail_cname.wrong-target",
}


OPTIONAL = {"mta_sts.not-published", "tls_rpt.not-published", "bimi.not-published", "dnssec.unsigned"}
"""Info findings of every domain without MTA-STS, TLS-RPT, BIMI and DNSSEC (the zones here have none)."""


def codes(result: DnsAuditResult) -> set[str]:
    """Finding codes beyond the optional features' info findings."""
    return {f.code for f in result.findings} - OPTIONAL


@pytest.fixture
def world(dns_server: DnsTestServer) -> DnsTestServer:
    return serve_world(dns_server, zone_file("good.test"), zone_file("broken.test"))


async def audit(server: DnsTestServer, domain: str, **options: object) -> DnsAuditResult:
    return await audit_domain(domain, settings=settings_for(server), **options)  # type: ignore[arg-type]


async def test_correct_domain(world: DnsTestServer) -> None:
    result = await audit(world, "good.test", compare_authoritative=True, authoritative_port=world.port)
    assert result.overall == "ok"
    assert codes(result) == set()
    assert {f.code for f in result.findings} == OPTIONAL
    assert all(f.severity.value == "info" for f in result.findings)
    assert result.dns_changes == []
    assert {name: getattr(result.checks, name).status for name in type(result.checks).model_fields} == {
        "mx": "ok",
        "spf": "ok",
        "dkim": "ok",
        "dmarc": "ok",
        "webmail_cname": "ok",
        "blocklist": "ok",
        "mta_sts": "ok",
        "tls_rpt": "ok",
        "bimi": "ok",
        "dnssec": "ok",
    }
    assert (result.intent, result.path) == ("configure-communication", "dns-auth")
    assert result.summary.startswith("good.test is set up for Alibaba Mail")
    assert result.queries > 20 and result.elapsed_ms >= 0
    assert result.propagation is not None and result.propagation.compared > 0
    assert result.propagation.differences == [] and result.propagation.zone == "good.test"


async def test_broken_domain_finds_each_defect_and_nothing_else(world: DnsTestServer) -> None:
    result = await audit(world, "broken.test")
    assert result.overall == "problem"
    assert codes(result) == BROKEN_CODES
    assert (result.intent, result.path) == ("resolve-failure", "dns-authorization")
    assert result.skill == "alimail/troubleshooting/alimail-email-delivery"
    assert all(f.fix and f.skill for f in result.findings)
    assert result.propagation is None
    # The summary is the engine's words: no record text from DNS.
    for outside in ("v=spf1", "include:", "otherprovider", "p=MF"):
        assert outside not in result.summary
    assert 2 <= result.summary.count(".") <= 8


async def test_plan_of_broken_domain(world: DnsTestServer) -> None:
    result = await audit(world, "broken.test")
    plan = [(c.action, c.type, c.host, c.value) for c in result.dns_changes]
    assert plan == [
        ("add", "MX", "@", "mx3.qiye.aliyun.com"),
        ("add", "TXT", "_dmarc", "v=DMARC1; p=none; rua=mailto:dmarc-reports@broken.test; fo=1"),
        ("replace", "MX", "@", "mx2.qiye.aliyun.com"),
        ("replace", "TXT", "@", "v=spf1 include:spf.otherprovider.test include:spf.qiye.aliyun.com -all"),
        ("replace", "CNAME", "mail", "qiye.aliyun.com"),
        ("delete", "MX", "@", "mx1.otherprovider.test"),
        ("delete", "TXT", "@", "v=spf1 include:spf.qiye.aliyun.com -all"),
    ]
    assert all(c.command.startswith("aliyun alidns ") for c in result.dns_changes)


async def test_unprotected_domain_routes_to_configuration(world: DnsTestServer) -> None:
    world.add_zone(variant("bare.test", without=["_dmarc TXT", "default._domainkey TXT"]))
    world.add("bare.test._report._dmarc.reports.test.", "TXT", '"v=DMARC1"')
    result = await audit(world, "bare.test")
    assert codes(result) == {"dmarc.missing", "dkim.missing"}
    assert result.overall == "problem"
    assert (result.intent, result.path) == ("configure-communication", "dns-auth")


async def test_sending_ip_is_evaluated(world: DnsTestServer) -> None:
    good = await audit(world, "good.test", sending_ip="203.0.113.5")
    assert good.checks.spf.evaluation is not None and good.checks.spf.evaluation.result == "pass"
    bad = await audit(world, "good.test", sending_ip="192.0.2.7")
    assert bad.checks.spf.evaluation is not None and bad.checks.spf.evaluation.result == "fail"


async def test_servfail_is_reported_not_missing(world: DnsTestServer) -> None:
    world.set_fault("good.test", "MX", rcode="SERVFAIL")
    world.set_fault("_dmarc.good.test", rcode="SERVFAIL")
    result = await audit(world, "good.test")
    assert result.overall == "unreachable"
    assert "dns.servfail" in codes(result)
    assert not {c for c in codes(result) if c.endswith(".missing")}
    assert (result.checks.mx.status, result.checks.dmarc.status) == ("unreachable", "unreachable")
    assert (result.intent, result.path) == ("resolve-failure", "dns-authorization")


async def test_one_slow_name_times_out_without_false_missing(world: DnsTestServer) -> None:
    world.set_fault("_dmarc.good.test", drop=True)
    settings = settings_for(world, timeout=0.3, budget=2.0)
    result = await audit_domain("good.test", settings=settings)
    assert result.overall == "unreachable"
    assert codes(result) == {"dns.timeout"}
    assert result.checks.mx.status == "ok" and result.checks.dmarc.status == "unreachable"


@pytest.fixture
def silent_nameserver() -> Iterator[Nameserver]:
    """A UDP socket that reads questions and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield Nameserver("127.0.0.1", sock.getsockname()[1])
    sock.close()


async def test_audit_returns_within_budget_when_nothing_answers(silent_nameserver: Nameserver) -> None:
    settings = Settings(resolvers=(silent_nameserver,), dns_timeout=5.0, dns_budget=0.8)
    result = await audit_domain("good.test", settings=settings, compare_authoritative=True)
    assert result.overall == "unreachable"
    assert {c.status for c in (result.checks.mx, result.checks.dmarc, result.checks.webmail_cname)} == {
        "unreachable"
    }
    assert "dns.timeout" in codes(result)
    assert not {c for c in codes(result) if c.endswith(".missing")}


class NeverAnswers:
    """A DnsClient whose questions never come back: only the audit's own deadline can end them."""

    queries = 0

    async def query(self, name: str, rdtype: str) -> Answer:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_budget_is_enforced_whatever_the_client_does() -> None:
    result = await audit_domain("good.test", client=NeverAnswers(), settings=Settings(dns_budget=0.5))
    assert result.overall == "unreachable"
    assert all(getattr(result.checks, n).status == "unreachable" for n in type(result.checks).model_fields)


class Nothing:
    """Every name is NXDOMAIN."""

    queries = 0

    async def query(self, name: str, rdtype: str) -> Answer:
        return Answer(name=name, rdtype=rdtype, outcome=Outcome.NXDOMAIN)


async def test_idn_domain_is_audited_as_punycode() -> None:
    result = await audit_domain("例子.test", client=Nothing())
    assert result.domain == "xn--fsqu00a.test"
    assert "mx.missing" in codes(result)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"domain": "not a domain"}, "domain"),
        ({"domain": "-bad-.test"}, "domain"),
        ({"domain": "good.test", "sending_ip": "300.1.1.1"}, "sending_ip"),
        ({"domain": "good.test", "dkim_selectors": ["bad selector"]}, "dkim_selectors"),
        ({"domain": "good.test", "dkim_selectors": [f"s{i}" for i in range(30)]}, "dkim_selectors"),
    ],
)
async def test_bad_input(options: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        await audit_domain(client=Nothing(), **options)  # type: ignore[arg-type]
    assert caught.value.field == field


async def test_selector_given_as_full_name_is_accepted(world: DnsTestServer) -> None:
    result = await audit(world, "good.test", dkim_selectors=["Default._domainkey.good.test"])
    assert [k.selector for k in result.checks.dkim.keys] == ["default"]
    assert result.checks.dkim.status == "ok"


def test_result_model_imports_without_dnspython() -> None:
    code = (
        "import sys, alimail_mcp.dns.report as r; r.DnsAuditResult.model_json_schema(); "
        "print(sorted(m for m in sys.modules if m == 'dns' or m.startswith('dns.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_output_schema_has_the_contract_fields() -> None:
    schema = DnsAuditResult.model_json_schema()
    for field in (
        "checks",
        "overall",
        "dns_changes",
        "elapsed_ms",
        "queries",
        "summary",
        "findings",
        "intent",
    ):
        assert field in schema["properties"]
    assert set(schema["$defs"]["DnsChecks"]["properties"]) == {
        "mx",
        "spf",
        "dkim",
        "dmarc",
        "webmail_cname",
        "blocklist",
        "mta_sts",
        "tls_rpt",
        "bimi",
        "dnssec",
    }
