"""plan_secure_setup given the domain's DMARC aggregate reports: the next DMARC stage is due now when they
show every legitimate source passing, and waits for the blockers when not, instead of being dated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.cli import main
from alimail_mcp.secure_setup.models import PlanStep, SecureSetupPlan
from alimail_mcp.secure_setup.plan import plan_secure_setup
from tests.conftest import settings_for
from tests.support.dmarc_reports import Row, b64, gz, report_xml
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

TODAY = "2024-06-01"
CLEAN = [Row("203.0.113.5", 40), Row("203.0.113.6", 3, dkim="fail"), Row("192.0.2.200", 5, "fail", "fail")]
BLOCKED = [Row("203.0.113.5", 40, dkim="fail", spf="fail"), Row("203.0.113.6", 3)]


@pytest.fixture
def world(dns_server: DnsTestServer) -> DnsTestServer:
    serve_world(
        dns_server,
        zone_file("good.test"),
        variant(
            "reporting.test",
            without=["_dmarc TXT"],
            extra='_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@reporting.test"',
        ),
    )
    return dns_server


async def plan(server: DnsTestServer, domain: str, **options: Any) -> SecureSetupPlan:
    return await plan_secure_setup(
        domain,
        goals=["anti-spoofing"],
        today=TODAY,
        settings=settings_for(server),
        authoritative_port=server.port,
        **options,
    )


def step(result: SecureSetupPlan, step_id: str) -> PlanStep:
    return next(s for s in result.authentication_steps if s.id == step_id)


async def test_clean_reports_make_quarantine_due_now(world: DnsTestServer) -> None:
    result = await plan(world, "reporting.test", reports=[b64(gz(report_xml("reporting.test", CLEAN)))])
    quarantine, reject = step(result, "dmarc-quarantine"), step(result, "dmarc-reject")
    assert (quarantine.status, quarantine.not_before) == ("to-do", TODAY)
    assert quarantine.condition and quarantine.condition.startswith("Due now")
    assert quarantine.records[0].value.startswith("v=DMARC1; p=quarantine; rua=mailto:dmarc@reporting.test")
    assert (reject.status, reject.not_before) == ("later", "2024-06-15")
    readiness = result.dmarc_readiness
    assert readiness is not None and readiness.ready and readiness.next == "quarantine"
    assert "can move to p=quarantine now" in result.summary
    assert any(line.startswith("Move DMARC to p=quarantine") for line in result.next_steps)


async def test_a_failing_legitimate_source_holds_the_next_stages_without_dates(world: DnsTestServer) -> None:
    result = await plan(world, "reporting.test", reports=[report_xml("reporting.test", BLOCKED)])
    quarantine, reject = step(result, "dmarc-quarantine"), step(result, "dmarc-reject")
    assert (quarantine.status, quarantine.not_before) == ("later", None)
    assert quarantine.condition and "1 legitimate source(s) still fail" in quarantine.condition
    assert (reject.status, reject.not_before) == ("later", None)
    readiness = result.dmarc_readiness
    assert readiness is not None and not readiness.ready
    assert [b.source_ip for b in readiness.blockers] == ["203.0.113.5"]
    codes = {f.code for f in result.findings}
    assert {"dmarc_report.alibaba-mail-failing", "dmarc_report.not-ready"} <= codes
    assert "still failing DMARC: fix them before p=quarantine" in result.summary


async def test_at_quarantine_clean_reports_make_reject_due_now(world: DnsTestServer) -> None:
    result = await plan(world, "good.test", reports=[report_xml("good.test", CLEAN, p="quarantine")])
    assert step(result, "dmarc-quarantine").status == "done"
    reject = step(result, "dmarc-reject")
    assert (reject.status, reject.not_before) == ("to-do", TODAY)
    assert reject.records[0].value.startswith("v=DMARC1; p=reject")


async def test_reports_about_another_domain_leave_the_dates(world: DnsTestServer) -> None:
    result = await plan(world, "reporting.test", reports=[report_xml("other.test", CLEAN)])
    quarantine = step(result, "dmarc-quarantine")
    assert (quarantine.status, quarantine.not_before) == ("later", "2024-06-15")
    assert result.dmarc_readiness is not None and result.dmarc_readiness.period is None


def test_secure_plan_reads_report_files(
    world: DnsTestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.xml.gz").write_bytes(gz(report_xml("reporting.test", CLEAN)))
    argv = ["secure-plan", "reporting.test", "--goal", "anti-spoofing", "--today", TODAY]
    argv += ["--report", str(tmp_path), "--resolvers", world.address, "--authoritative-port", str(world.port)]
    assert main([*argv, "--json"]) == 1  # a step to take now
    data = json.loads(capsys.readouterr().out)
    assert data["dmarc_readiness"]["ready"] is True
    assert main(argv) == 1
    assert "DMARC REPORTS: p=none -> p=quarantine: ready" in capsys.readouterr().out
