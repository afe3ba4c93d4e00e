"""The harness-like domains (tests/support/harness_like.py): on the test nameserver with fake blocklist
zones, one loopback HTTPS policy server trusted through SSL_CERT_FILE and signed zones, every audit finds
exactly the expected defects at their severity, nothing actionable on correct setups, and never a
listing from a refusal code or a timeout."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from alimail_mcp.config import Nameserver, Settings
from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.report import DnsAuditResult
from tests.support.dns_server import DnsTestServer
from tests.support.harness_like import CASES, LIST_ZONES, Case, PolicyServer, serve
from tests.support.local_servers import CertAuthority


@pytest.fixture(scope="module")
def world() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        yield serve(server)


@pytest.fixture(scope="module")
def authority() -> Iterator[CertAuthority]:
    folder = Path(tempfile.mkdtemp(prefix="alimail-harness-ca-"))
    made = CertAuthority(folder)
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(made.pem_file())
    yield made
    if before is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = before


@pytest.fixture
async def policy_server(authority: CertAuthority) -> AsyncIterator[PolicyServer]:
    async with PolicyServer(authority) as server:
        yield server


async def audit(world: DnsTestServer, port: int, case: Case) -> DnsAuditResult:
    settings = Settings(
        resolvers=(Nameserver(world.host, world.port),),
        dns_timeout=0.5,
        dns_budget=5.0,
        allow_private_targets=True,
        mta_sts_port=port,
        blocklist_zones=tuple(LIST_ZONES.items()),
    )
    return await audit_domain(case.domain, sending_ip=list(case.sending_ip), settings=settings)


def test_the_set_covers_every_new_check() -> None:
    assert len(CASES) >= 20
    families = {code.split(".")[0] for case in CASES for code in case.codes | case.info}
    assert {"blocklist", "mta_sts", "tls_rpt", "bimi", "dnssec"} <= families
    assert sum(case.overall == "ok" for case in CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[c.domain for c in CASES])
async def test_expected_findings(world: DnsTestServer, policy_server: PolicyServer, case: Case) -> None:
    result = await audit(world, policy_server.port, case)
    actionable = {f.code for f in result.findings if f.severity.value in ("error", "warning")}
    info = {f.code for f in result.findings if f.severity.value == "info"}
    assert (result.overall, actionable) == (case.overall, set(case.codes)), result.findings
    assert case.info <= info, info
    listed = [r for r in result.checks.blocklist.results if r.state == "listed"]
    assert bool(listed) == ("blocklist.listed" in case.codes)
    if case.overall != "ok":
        assert all(f.fix for f in result.findings)
