"""The held-out-like domains (tests/support/zones/heldout_like): each zone's header says what a careful admin
expects of its audit, written before the audit was run. On a resolver and on an authoritative-only server
holding every zone, the audit finds exactly the expected defects (error/warning findings), no others,
and the expected overall; on a server holding only the domains' own zones, it reports nothing false and
says what it could not verify."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alimail_mcp.dns.audit import audit_domain
from alimail_mcp.dns.report import DnsAuditResult
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import ExpectedAudit, heldout_like_cases, serve_heldout_like

CASES = heldout_like_cases()


@pytest.fixture(scope="module", params=["nxdomain", "refused"])
def full_world(request: pytest.FixtureRequest) -> Iterator[DnsTestServer]:
    """Every domain and provider zone; names outside them NXDOMAIN (resolver stand-in) or REFUSED."""
    with DnsTestServer(unknown=request.param) as server:
        yield serve_heldout_like(server)


@pytest.fixture(scope="module", params=["nxdomain", "refused"])
def own_zones_only(request: pytest.FixtureRequest) -> Iterator[DnsTestServer]:
    """Only the domains' zones: an authoritative-only server, refusing or NXDOMAIN-ing other names."""
    with DnsTestServer(unknown=request.param) as server:
        yield serve_heldout_like(server, providers=False)


async def audit(server: DnsTestServer, case: ExpectedAudit) -> DnsAuditResult:
    return await audit_domain(
        case.domain, settings=settings_for(server), dkim_selectors=list(case.selectors) or None
    )


def split(result: DnsAuditResult) -> tuple[set[str], set[str]]:
    actionable = {f.code for f in result.findings if f.severity.value in ("error", "warning")}
    return actionable, {f.code for f in result.findings if f.severity.value == "info"}


def test_the_set_is_large_and_varied() -> None:
    assert len(CASES) >= 25
    assert sum(c.overall == "ok" for c in CASES) >= 10
    assert len({code.split(".")[0] for c in CASES for code in c.codes}) == 5


@pytest.mark.parametrize("case", CASES, ids=[c.domain for c in CASES])
async def test_expected_findings(full_world: DnsTestServer, case: ExpectedAudit) -> None:
    result = await audit(full_world, case)
    actionable, info = split(result)
    assert (result.overall, actionable) == (case.overall, set(case.codes)), result.findings
    assert case.info <= info
    if case.overall == "ok":
        assert result.dns_changes == [] and "is set up for Alibaba Mail" in result.summary
    else:
        assert all(f.fix for f in result.findings)


@pytest.mark.parametrize("case", CASES, ids=[c.domain for c in CASES])
async def test_own_zones_only_reports_nothing_false(
    own_zones_only: DnsTestServer, case: ExpectedAudit
) -> None:
    result = await audit(own_zones_only, case)
    actionable, info = split(result)
    assert actionable <= set(case.codes), result.findings
    assert result.overall in (case.overall, "ok")
    if actionable != set(case.codes):  # a defect outside the domain's zone: said to be unverified
        assert "dns.refused" in info
