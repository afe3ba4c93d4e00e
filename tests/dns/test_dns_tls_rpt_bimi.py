"""TLS-RPT (RFC 8460) and BIMI records on the test nameserver; BIMI against the DMARC policy it needs."""

from __future__ import annotations

import asyncio

import pytest

from alimail_mcp.dns.bimi import check_bimi
from alimail_mcp.dns.dmarc import check_dmarc
from alimail_mcp.dns.models import BimiCheck, TlsRptCheck
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.tls_rpt import check_tls_rpt, read_record
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer

DOMAIN = "brand.test"


def client(server: DnsTestServer, timeout: float = 1.0) -> ResolverClient:
    """A second a question, so a late answer on a busy machine is not "no answer" (silence tests: 0.3)."""
    return ResolverClient.from_settings(settings_for(server, timeout=timeout, budget=max(2.0, 2 * timeout)))


def codes(result: TlsRptCheck | BimiCheck) -> list[tuple[str, str]]:
    return [(f.code, f.severity.value) for f in result.findings]


# --- TLS-RPT -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("v=TLSRPTv1; rua=mailto:tls@brand.test", True),
        ("v=TLSRPTv1;rua=mailto:tls@brand.test,https://reports.example.test/tlsrpt", True),
        ("v=TLSRPTv1; rua=mailto:tls@brand.test;", True),
        ("v=TLSRPTv1; rua=http://reports.example.test/tlsrpt", False),
        ("v=TLSRPTv1; rua=tls@brand.test", False),
        ("v=TLSRPTv1; rua=mailto:not-an-address", False),
        ("v=TLSRPTv1", False),
        ("v=TLSRPTv1; rua=", False),
        ("v=TLSRPTv1; ruf=mailto:tls@brand.test", False),
    ],
)
def test_the_record_syntax(text: str, valid: bool) -> None:
    problems, _ = read_record(text)
    assert (problems == []) is valid, problems


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], [("tls_rpt.not-published", "info")]),
        (['"v=TLSRPTv1; rua=mailto:tls@brand.test"'], []),
        (['"v=TLSRPTv1; rua=ftp://x.test/r"'], [("tls_rpt.invalid", "error")]),
        (
            ['"v=TLSRPTv1; rua=mailto:a@brand.test"', '"v=TLSRPTv1; rua=mailto:b@brand.test"'],
            [("tls_rpt.invalid", "error")],
        ),
        (['"v=tlsrptv1; rua=mailto:a@brand.test"'], [("tls_rpt.invalid", "error")]),
        (['"google-site-verification=abc"'], [("tls_rpt.not-published", "info")]),
    ],
)
async def test_tls_rpt_on_the_nameserver(
    dns_server: DnsTestServer, records: list[str], expected: list[tuple[str, str]]
) -> None:
    dns_server.add_origin(DOMAIN)
    if records:
        dns_server.add(f"_smtp._tls.{DOMAIN}.", "TXT", *records)
    result = await check_tls_rpt(client(dns_server), DOMAIN)
    assert codes(result) == expected
    if not expected:
        assert result.rua == ["mailto:tls@brand.test"] and result.status == "ok"


async def test_an_unanswered_tls_rpt_question_is_a_fault_not_missing(dns_server: DnsTestServer) -> None:
    dns_server.add_origin(DOMAIN)
    dns_server.set_fault(f"_smtp._tls.{DOMAIN}.", drop=True)
    result = await check_tls_rpt(client(dns_server, timeout=0.3), DOMAIN)
    assert result.status == "unreachable" and codes(result) == [("dns.timeout", "warning")]


# --- BIMI ----------------------------------------------------------------------------------------

LOGO = "https://brand.test/logo.svg"
VMC = "https://brand.test/vmc.pem"


async def bimi(server: DnsTestServer, dmarc: str | None, *records: str, domain: str = DOMAIN) -> BimiCheck:
    server.add_origin(DOMAIN)
    if dmarc:
        server.add(f"_dmarc.{DOMAIN}.", "TXT", f'"{dmarc}"')
    if records:
        server.add(f"default._bimi.{DOMAIN}.", "TXT", *records)
    dns = client(server)
    dmarc_check = asyncio.ensure_future(check_dmarc(dns, domain))  # as the audit runs it, beside BIMI
    return await check_bimi(dns, domain, dmarc=dmarc_check)


@pytest.mark.parametrize(
    ("dmarc", "record", "expected"),
    [
        ("v=DMARC1; p=reject", f"v=BIMI1; l={LOGO}; a={VMC}", []),
        ("v=DMARC1; p=quarantine; pct=100", f"v=BIMI1; l={LOGO}; a={VMC}", []),
        ("v=DMARC1; p=reject", f"v=BIMI1; l={LOGO}", [("bimi.no-certificate", "info")]),
        ("v=DMARC1; p=none", f"v=BIMI1; l={LOGO}; a={VMC}", [("bimi.dmarc-not-enforced", "error")]),
        (
            "v=DMARC1; p=quarantine; pct=50",
            f"v=BIMI1; l={LOGO}; a={VMC}",
            [("bimi.dmarc-not-enforced", "error")],
        ),
        ("v=DMARC1; p=reject; t=y", f"v=BIMI1; l={LOGO}; a={VMC}", [("bimi.dmarc-not-enforced", "error")]),
        (None, f"v=BIMI1; l={LOGO}; a={VMC}", [("bimi.dmarc-not-enforced", "error")]),
        (
            "v=DMARC1; p=reject; sp=none",
            f"v=BIMI1; l={LOGO}; a={VMC}",
            [("bimi.subdomain-policy-none", "warning")],
        ),
        ("v=DMARC1; p=reject", "v=BIMI1; l=http://brand.test/logo.svg", [("bimi.invalid", "error")]),
        (
            "v=DMARC1; p=reject",
            f"v=BIMI1; l={LOGO}; a=http://brand.test/vmc.pem",
            [("bimi.invalid", "error")],
        ),
        ("v=DMARC1; p=reject", f"v=BIMI1; a={VMC}", [("bimi.invalid", "error")]),
        ("v=DMARC1; p=reject", f"v=bimi1; l={LOGO}", [("bimi.invalid", "error")]),
        ("v=DMARC1; p=none", "v=BIMI1; l=; a=;", [("bimi.declined", "info")]),
    ],
)
async def test_bimi(
    dns_server: DnsTestServer, dmarc: str | None, record: str, expected: list[tuple[str, str]]
) -> None:
    result = await bimi(dns_server, dmarc, f'"{record}"')
    assert codes(result) == expected
    assert result.record_domain == DOMAIN


async def test_no_bimi_record_is_info(dns_server: DnsTestServer) -> None:
    result = await bimi(dns_server, "v=DMARC1; p=none")
    assert codes(result) == [("bimi.not-published", "info")] and result.status == "ok"


async def test_two_bimi_records_are_invalid(dns_server: DnsTestServer) -> None:
    result = await bimi(dns_server, "v=DMARC1; p=reject", f'"v=BIMI1; l={LOGO}"', f'"v=BIMI1; l={LOGO}2"')
    assert codes(result) == [("bimi.invalid", "error")]
    assert "several BIMI records" in result.findings[0].detail


async def test_a_subdomain_uses_the_organisational_domains_record(dns_server: DnsTestServer) -> None:
    dns_server.add_origin(DOMAIN)
    dns_server.add(f"mail.{DOMAIN}.", "TXT", '"x"')
    result = await bimi(
        dns_server, "v=DMARC1; p=reject", f'"v=BIMI1; l={LOGO}; a={VMC}"', domain=f"mail.{DOMAIN}"
    )
    assert result.record_domain == DOMAIN and result.findings == [] and result.logo == LOGO
