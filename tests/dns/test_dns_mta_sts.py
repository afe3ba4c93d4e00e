"""MTA-STS (RFC 8461): the `_mta-sts` record on the test nameserver and the policy fetched from a loopback
HTTPS server whose certificate comes from a test authority made here, trusted through SSL_CERT_FILE
(the environment's CA settings are honoured). The policy's mx patterns are compared with the real MX
hosts; the fetch goes through the outbound guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from alimail_mcp.dns.mta_sts.check import check_mta_sts
from alimail_mcp.dns.mta_sts.models import MtaStsCheck
from alimail_mcp.dns.mta_sts.policy import covers, read_policy
from alimail_mcp.dns.mta_sts.record import read_record
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.standards import load_standards
from alimail_mcp.outbound import OutboundPolicy
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.local_servers import CertAuthority, HttpServer

DOMAIN = "sts.test"
HOST = f"mta-sts.{DOMAIN}"
ZONE = f"""
$ORIGIN {DOMAIN}.
@         MX   5 mx1.qiye.aliyun.com.
@         MX   10 mx2.qiye.aliyun.com.
@         MX   15 mx3.qiye.aliyun.com.
_mta-sts  TXT  "v=STSv1; id=20261202T1"
mta-sts   A    127.0.0.1
"""
GOOD = "version: STSv1\r\nmode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n"
STANDARD = load_standards().mta_sts


@pytest.fixture
def authority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CertAuthority:
    """A test authority, trusted through SSL_CERT_FILE the way an operator (or a harness) sets it."""
    made = CertAuthority(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(made.pem_file()))
    return made


@pytest.fixture
def zone(dns_server: DnsTestServer) -> DnsTestServer:
    dns_server.add_zone(ZONE)
    return dns_server


async def fetch_check(
    server: DnsTestServer, port: int, *, allow_private: bool = True, domain: str = DOMAIN
) -> MtaStsCheck:
    client = ResolverClient.from_settings(settings_for(server))
    return await check_mta_sts(
        client, domain, outbound=OutboundPolicy(allow_private=allow_private), port=port
    )


def codes(result: MtaStsCheck) -> list[tuple[str, str]]:
    return [(f.code, f.severity.value) for f in result.findings]


def policy_server(authority: CertAuthority, body: str = GOOD, **options: object) -> HttpServer:
    options.setdefault("content_type", "text/plain; charset=utf-8")
    tls = authority.server_context(str(options.pop("name", HOST)))
    return HttpServer(int(options.pop("status", 200)), tls=tls, body=body.encode(), **options)  # type: ignore[arg-type]


@pytest.fixture
async def good_policy(authority: CertAuthority) -> AsyncIterator[HttpServer]:
    async with policy_server(authority) as server:
        yield server


# --- the record and the policy, read alone ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problems", "policy_id"),
    [
        ("v=STSv1; id=20261202T1;", 0, "20261202T1"),
        ("v=STSv1;id=abc", 0, "abc"),
        ("v=STSv1; id=abc; ext_1=x", 0, "abc"),
        ("v=STSv1; id=", 1, None),
        ("v=STSv1; id=has-dash", 1, None),
        ("v=STSv1; id=" + "a" * 33, 1, None),
        ("v=STSv1", 1, None),
        ("id=abc; v=STSv1", 1, "abc"),
    ],
)
def test_the_record(text: str, problems: int, policy_id: str | None) -> None:
    record = read_record(text)
    assert len(record.problems) >= problems and (problems or not record.problems)
    if not problems:
        assert record.id == policy_id


def test_the_policy_fields_and_lf_line_ends() -> None:
    policy = read_policy(
        "version: STSv1\nmode: testing\nmx: mx1.example.test\nmx: *.example.test\nmax_age: 86400\n", STANDARD
    )
    assert (policy.version, policy.mode, policy.max_age, policy.mx, policy.problems) == (
        "STSv1",
        "testing",
        86400,
        ["mx1.example.test", "*.example.test"],
        [],
    )


@pytest.mark.parametrize(
    "text",
    [
        "version: STSv2\r\nmode: enforce\r\nmx: a.test\r\nmax_age: 86400\r\n",
        "version: STSv1\r\nmode: enforcing\r\nmx: a.test\r\nmax_age: 86400\r\n",
        "version: STSv1\r\nmode: enforce\r\nmx: a.test\r\n",
        "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n",
        "version: STSv1\r\nmode: enforce\r\nmx: a.test\r\nmax_age: 31557601\r\n",
        "version: STSv1\r\nmode: enforce\r\nmx: a..test\r\nmax_age: 86400\r\n",
        "version: STSv1\r\nmode enforce\r\nmx: a.test\r\nmax_age: 86400\r\n",
        "version: STSv1\r\nmode: enforce\r\nmode: testing\r\nmx: a.test\r\nmax_age: 86400\r\n",
    ],
)
def test_an_invalid_policy_has_problems(text: str) -> None:
    assert read_policy(text, STANDARD).problems


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("mx1.qiye.aliyun.com", "mx1.qiye.aliyun.com", True),
        ("MX1.Qiye.Aliyun.com.", "mx1.qiye.aliyun.com", True),
        ("*.qiye.aliyun.com", "mx2.qiye.aliyun.com", True),
        ("*.aliyun.com", "mx2.qiye.aliyun.com", False),  # a wildcard stands for one label only
        ("*.qiye.aliyun.com", "qiye.aliyun.com", False),
        ("mx1.qiye.aliyun.com", "mx2.qiye.aliyun.com", False),
    ],
)
def test_mx_patterns(pattern: str, host: str, matches: bool) -> None:
    assert covers(pattern, host) is matches


# --- fetched over HTTPS -----------------------------------------------------------------------------


async def test_a_policy_covering_every_mx_host_has_no_findings(
    zone: DnsTestServer, good_policy: HttpServer
) -> None:
    result = await fetch_check(zone, good_policy.port)
    assert result.findings == [] and result.status == "ok"
    assert (result.mode, result.max_age, result.mx_patterns) == ("enforce", 604800, ["*.qiye.aliyun.com"])
    assert result.uncovered_hosts == [] and len(result.mx_hosts) == 3
    assert result.fetch is not None and result.fetch.outcome == "ok" and result.fetch.address == "127.0.0.1"
    # The connection went to the checked address, with the host's name as TLS server name and Host.
    assert good_policy.sni == [HOST] and good_policy.hosts == [HOST]
    assert good_policy.paths == ["/.well-known/mta-sts.txt"]


async def test_without_the_test_authority_the_certificate_does_not_verify(
    zone: DnsTestServer, good_policy: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's authorities do not know the test one
    result = await fetch_check(zone, good_policy.port)
    assert codes(result) == [("mta_sts.policy-certificate", "error")]
    assert "certificate" in (result.fetch.error if result.fetch else "")


async def test_a_certificate_for_another_name_does_not_verify(
    zone: DnsTestServer, authority: CertAuthority
) -> None:
    async with policy_server(authority, name="www.sts.test") as server:
        result = await fetch_check(zone, server.port)
    assert codes(result) == [("mta_sts.policy-certificate", "error")]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.qiye.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.mx-not-covered", "error")],
        ),
        (
            "version: STSv1\r\nmode: enforce\r\nmx: *.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.mx-not-covered", "error")],
        ),
        (
            "version: STSv1\r\nmode: testing\r\nmx: mx1.qiye.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.testing", "info"), ("mta_sts.mx-not-covered", "warning")],
        ),
        (
            "version: STSv1\r\nmode: testing\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.testing", "info")],
        ),
        ("version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n", [("mta_sts.mode-none", "info")]),
        (
            "version: STSv1\r\nmode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 3600\r\n",
            [("mta_sts.max-age-short", "warning")],
        ),
        (
            "version: STSv1\r\nmode: enforcing\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.policy-invalid", "error")],
        ),
        (
            "mode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n",
            [("mta_sts.policy-invalid", "error")],
        ),
    ],
)
async def test_what_the_policy_says(
    zone: DnsTestServer, authority: CertAuthority, policy: str, expected: list[tuple[str, str]]
) -> None:
    async with policy_server(authority, policy) as server:
        result = await fetch_check(zone, server.port)
    assert codes(result) == expected


async def test_uncovered_hosts_are_named_in_the_evidence(
    zone: DnsTestServer, authority: CertAuthority
) -> None:
    policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.qiye.aliyun.com\r\nmax_age: 604800\r\n"
    async with policy_server(authority, policy) as server:
        result = await fetch_check(zone, server.port)
    assert result.uncovered_hosts == ["mx2.qiye.aliyun.com", "mx3.qiye.aliyun.com"]
    (finding,) = result.findings
    assert (
        finding.evidence["uncovered"] == result.uncovered_hosts
        and "mx2" not in finding.title + finding.detail
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"status": 404}, ("mta_sts.policy-unavailable", "error")),
        (
            {"status": 301, "location": "https://www.sts.test/policy.txt"},
            ("mta_sts.policy-unavailable", "error"),
        ),
        ({"content_type": "text/html"}, ("mta_sts.policy-content-type", "warning")),
    ],
)
async def test_how_the_policy_is_served(
    zone: DnsTestServer, authority: CertAuthority, options: dict[str, object], expected: tuple[str, str]
) -> None:
    async with policy_server(authority, **options) as server:
        result = await fetch_check(zone, server.port)
    assert codes(result) == [expected]
    assert len(server.paths) == 1  # a redirect is not followed


async def test_a_policy_over_64_kib_is_not_read(zone: DnsTestServer, authority: CertAuthority) -> None:
    async with policy_server(authority, GOOD + "x: " + "y" * 70_000 + "\r\n") as server:
        result = await fetch_check(zone, server.port)
    assert codes(result) == [("mta_sts.policy-unavailable", "error")]
    assert result.fetch is not None and result.fetch.outcome == "too-large"


async def test_a_closed_port_is_unavailable(zone: DnsTestServer, authority: CertAuthority) -> None:
    async with policy_server(authority) as server:
        port = server.port
    result = await fetch_check(zone, port)
    assert codes(result) == [("mta_sts.policy-unavailable", "error")] and result.fetch is not None
    assert result.fetch.outcome == "unreachable"


async def test_a_silent_server_times_out_as_a_warning(
    zone: DnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import alimail_mcp.dns.mta_sts.check as module

    quick = load_standards().model_copy(
        update={"mta_sts": STANDARD.model_copy(update={"fetch_timeout_s": 0.5})}
    )
    monkeypatch.setattr(module, "load_standards", lambda: quick)

    async def listen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts, never says a word
        writer.close()

    silent = await asyncio.start_server(listen, "127.0.0.1", 0)
    try:
        result = await fetch_check(zone, silent.sockets[0].getsockname()[1])
    finally:
        silent.close()
    assert codes(result) == [("mta_sts.policy-unavailable", "warning")]
    assert result.fetch is not None and result.fetch.outcome == "timeout"


async def test_the_guard_keeps_the_fetch_off_private_addresses(
    zone: DnsTestServer, good_policy: HttpServer
) -> None:
    result = await fetch_check(zone, good_policy.port, allow_private=False)
    assert codes(result) == [("mta_sts.target-refused", "info")]
    assert result.findings[0].evidence["addresses"][0]["kind"] == "loopback"
    assert good_policy.connections == 0


# --- the record on the nameserver ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], [("mta_sts.not-published", "info")]),
        (['"v=STSv1; id=1"', '"v=STSv1; id=2"'], [("mta_sts.record-invalid", "error")]),
        (['"v=STSv1; id=not-valid"'], [("mta_sts.record-invalid", "error")]),
        (['"v=stsv1; id=1"'], [("mta_sts.record-invalid", "error")]),
        (['"some other text"'], [("mta_sts.not-published", "info")]),
    ],
)
async def test_the_record_on_the_nameserver(
    zone: DnsTestServer, good_policy: HttpServer, records: list[str], expected: list[tuple[str, str]]
) -> None:
    zone.remove(f"_mta-sts.{DOMAIN}.", "TXT")
    if records:
        zone.add(f"_mta-sts.{DOMAIN}.", "TXT", *records)
    result = await fetch_check(zone, good_policy.port)
    assert codes(result) == expected
    assert good_policy.connections == 0  # no valid record, no fetch


async def test_a_policy_host_without_address(zone: DnsTestServer, good_policy: HttpServer) -> None:
    zone.remove(f"{HOST}.")
    result = await fetch_check(zone, good_policy.port)
    assert codes(result) == [("mta_sts.policy-unavailable", "error")]
    assert result.fetch is not None and result.fetch.outcome == "no-address"


async def test_an_ipv6_only_policy_host_is_reached_by_its_aaaa(
    zone: DnsTestServer, good_policy: HttpServer
) -> None:
    zone.remove(f"{HOST}.")
    zone.add(f"{HOST}.", "AAAA", "::1")
    result = await fetch_check(zone, good_policy.port)
    assert result.fetch is not None and result.fetch.address == "::1"  # nothing listens there: unreachable
    assert zone.count(HOST, "AAAA") == 1


async def test_with_an_ipv4_address_no_aaaa_is_asked(zone: DnsTestServer, good_policy: HttpServer) -> None:
    await fetch_check(zone, good_policy.port)
    assert (zone.count(HOST, "A"), zone.count(HOST, "AAAA")) == (1, 0)
