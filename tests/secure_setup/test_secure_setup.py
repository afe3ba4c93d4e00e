"""plan_secure_setup on the test nameserver: step order and status, records and commands, DMARC dates,
sender filters, DNS faults, and the secure-plan command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.cli import main
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.secure_setup.models import PlanStep, SecureSetupPlan
from alimail_mcp.secure_setup.plan import plan_secure_setup
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

TODAY = "2024-06-01"
ORDER = ["spf", "dkim", "dmarc-none", "dmarc-quarantine", "dmarc-reject"]


@pytest.fixture
def world(dns_server: DnsTestServer) -> DnsTestServer:
    serve_world(
        dns_server,
        zone_file("good.test"),
        zone_file("broken.test"),
        variant("bare.test", without=["@ TXT", "_dmarc TXT", "default._domainkey TXT"]),
        variant(
            "watching.test",
            without=["_dmarc TXT"],
            extra='_dmarc TXT "v=DMARC1; p=none; adkim=s"',
        ),
        variant(
            "sampled.test",
            without=["_dmarc TXT"],
            extra='_dmarc TXT "v=DMARC1; p=quarantine; pct=20; rua=mailto:dmarc@sampled.test"',
        ),
        variant(
            "halfway.test",
            without=["_dmarc TXT"],
            extra='_dmarc TXT "v=DMARC1; p=reject; pct=50; rua=mailto:dmarc@halfway.test"',
        ),
        variant("unread.test", without=["_dmarc TXT"], extra='_dmarc TXT "v=DMARC1; p=quarantine; sp=none"'),
        variant(
            "strict.test",
            without=["_dmarc TXT"],
            extra='_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@strict.test"',
        ),
    )
    return dns_server


async def plan(server: DnsTestServer, domain: str, **options: Any) -> SecureSetupPlan:
    options.setdefault("today", TODAY)
    return await plan_secure_setup(
        domain, settings=settings_for(server), authoritative_port=server.port, **options
    )


def step(result: SecureSetupPlan, step_id: str) -> PlanStep:
    return next(s for s in result.authentication_steps if s.id == step_id)


def statuses(result: SecureSetupPlan) -> dict[str, str]:
    return {s.id: s.status for s in result.authentication_steps}


async def test_unprotected_domain_gets_spf_then_dkim_then_dated_dmarc(world: DnsTestServer) -> None:
    result = await plan(world, "bare.test", goals=["anti-spoofing"])
    steps = result.authentication_steps
    assert [s.id for s in steps] == ORDER and [s.order for s in steps] == [1, 2, 3, 4, 5]
    assert statuses(result) == {
        "spf": "to-do",
        "dkim": "to-do",
        "dmarc-none": "to-do",
        "dmarc-quarantine": "later",
        "dmarc-reject": "later",
    }
    provider = load_provider()
    spf = step(result, "spf")
    assert [(r.action, r.host, r.value) for r in spf.records] == [
        ("add", "@", provider.spf.recommended_record)
    ]
    assert spf.dns_changes[0].command.startswith(
        "aliyun alidns AddDomainRecord --DomainName bare.test --RR @"
    )
    assert spf.propagation is not None and spf.propagation.typical_minutes == [5, 60]
    assert spf.propagation.official_max_hours == 48 and "spf.missing" in spf.resolves
    dkim = step(result, "dkim")
    assert dkim.where == "admin-console" and "admin console" in dkim.actions[0]
    assert dkim.records[0].host == "<selector>._domainkey" and dkim.condition  # common selectors only
    assert dkim.propagation is not None and dkim.propagation.typical_minutes is None
    none, quarantine, reject = (step(result, s) for s in ORDER[2:])
    assert none.not_before == TODAY
    assert none.records[0].value == provider.dmarc.starter_record.format(domain="bare.test")
    assert (quarantine.not_before, reject.not_before) == ("2024-06-15", "2024-06-29")
    assert quarantine.records[0].value == provider.dmarc.next_record.format(domain="bare.test")
    assert reject.records[0].value == provider.dmarc.final_record.format(domain="bare.test")
    assert (
        "UpdateDomainRecord" in reject.dns_changes[0].command
        and "--RR _dmarc" in reject.dns_changes[0].command
    )
    assert "2024-06-15" in quarantine.actions[0]
    assert (result.intent, result.path, result.skill) == (
        "configure-communication",
        "dns-auth",
        "alimail/guide/alimail-configuration",
    )
    assert result.summary.startswith("bare.test needs 3 of the three") and "2024-06-29" in result.summary
    assert result.smime is None and result.sender_filters is None
    assert result.next_steps[0].startswith("Publish one SPF record")


async def test_broken_domain_fixes_spf_and_the_weak_dkim_key(world: DnsTestServer) -> None:
    result = await plan(world, "broken.test", goals=["anti-spoofing"])
    assert statuses(result)["spf"] == "fix" and statuses(result)["dkim"] == "fix"
    spf = step(result, "spf")
    assert [c.action for c in spf.dns_changes] == ["replace", "delete"]
    assert set(spf.resolves) >= {"spf.multiple", "spf.soft-all"}
    assert "dkim.weak-key" in step(result, "dkim").resolves
    # MX and webmail problems are outside the steps, but neither lost nor silent.
    assert {"mx.conflict", "webmail_cname.wrong-target"} <= {f.code for f in result.findings}
    assert any(c.reason == "mx.conflict" for c in result.dns_changes)
    assert any("outside authentication" in s for s in result.next_steps)
    for outside in ("otherprovider", "v=spf1"):
        assert outside not in result.summary


async def test_protected_domain_only_has_the_last_dmarc_stage_left(world: DnsTestServer) -> None:
    result = await plan(world, "good.test", goals=["anti-spoofing"])
    assert statuses(result) == {
        "spf": "done",
        "dkim": "done",
        "dmarc-none": "done",
        "dmarc-quarantine": "done",
        "dmarc-reject": "later",
    }
    reject = step(result, "dmarc-reject")
    assert reject.not_before == "2024-06-15"
    # The published report addresses are kept; only the policy changes.
    assert reject.records[0].value == "v=DMARC1; p=reject; rua=mailto:dmarc@good.test,mailto:agg@reports.test"
    assert "selector default" in step(result, "dkim").why
    assert result.summary.startswith("good.test publishes SPF, DKIM and DMARC")
    assert result.dns_changes == []


async def test_p_none_without_reports_gets_a_report_address(world: DnsTestServer) -> None:
    result = await plan(world, "watching.test", goals=["anti-spoofing"])
    none = step(result, "dmarc-none")
    assert none.status == "fix"
    assert none.records[0].value == "v=DMARC1; p=none; rua=mailto:dmarc-reports@watching.test; adkim=s"
    assert none.records[0].old_value == "v=DMARC1; p=none; adkim=s"
    assert "UpdateDomainRecord" in none.dns_changes[0].command
    quarantine = step(result, "dmarc-quarantine")
    assert quarantine.records[0].value.startswith(
        "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@watching.test"
    )
    assert "dmarc.policy-none" in none.resolves


async def test_a_policy_on_a_sample_has_not_reached_its_stage(world: DnsTestServer) -> None:
    # p=quarantine; pct=20 lets 80% of failing mail through: the quarantine stage is still ahead.
    result = await plan(world, "sampled.test", goals=["anti-spoofing"])
    assert statuses(result)["dmarc-quarantine"] == "later" and statuses(result)["dmarc-none"] == "done"
    quarantine, reject = step(result, "dmarc-quarantine"), step(result, "dmarc-reject")
    assert quarantine.records[0].value == "v=DMARC1; p=quarantine; rua=mailto:dmarc@sampled.test"
    assert (quarantine.not_before, reject.not_before) == ("2024-06-15", "2024-06-29")
    assert reject.records[0].value == "v=DMARC1; p=reject; rua=mailto:dmarc@sampled.test"
    assert reject.records[0].old_value == quarantine.records[0].value
    # p=reject on half the mail quarantines the other half: only the full reject is left.
    halfway = await plan(world, "halfway.test", goals=["anti-spoofing"])
    assert statuses(halfway)["dmarc-quarantine"] == "done" and statuses(halfway)["dmarc-reject"] == "later"
    assert step(halfway, "dmarc-reject").not_before == "2024-06-15"
    assert "pct" not in step(halfway, "dmarc-reject").records[0].value


async def test_a_stricter_policy_without_reports_gets_a_report_address_first(world: DnsTestServer) -> None:
    result = await plan(world, "unread.test", goals=["anti-spoofing"])
    first, reject = step(result, "dmarc-none"), step(result, "dmarc-reject")
    assert first.status == "fix" and first.not_before == TODAY
    added = "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@unread.test; sp=none"
    assert first.records[0].value == added  # the policy stays; only the report address is added
    assert statuses(result)["dmarc-quarantine"] == "done"
    assert reject.records[0].value == "v=DMARC1; p=reject; rua=mailto:dmarc-reports@unread.test; sp=none"
    assert reject.records[0].old_value == added and reject.dns_changes[0].old_value == added
    assert "keeps the policy" in " ".join(first.actions)


async def test_domain_at_reject_is_done(world: DnsTestServer) -> None:
    result = await plan(world, "strict.test", goals=["anti-spoofing"])
    assert set(statuses(result).values()) == {"done"}
    assert result.summary.startswith("strict.test already publishes SPF, DKIM and DMARC at p=reject")
    assert all(not s.actions and not s.records for s in result.authentication_steps)


async def test_unanswered_dns_is_unknown_not_missing(world: DnsTestServer) -> None:
    world.set_fault("_dmarc.good.test", rcode="SERVFAIL")
    result = await plan(world, "good.test", goals=["anti-spoofing"])
    assert [step(result, s).status for s in ORDER[2:]] == ["unknown"] * 3
    assert result.dns_overall == "unreachable" and "could not be read completely" in result.summary


async def test_sender_filters_cost_and_the_domains_other_senders(world: DnsTestServer) -> None:
    result = await plan(world, "broken.test", goals=["spam-control"])
    assert result.authentication_steps == [] and result.smime is None and result.path == "sender-filters"
    filters = result.sender_filters
    assert filters is not None
    assert filters.strict_mode.name == "Strict anti-spam level" and "blocked" in filters.strict_mode.what
    assert "lost for good" in filters.permanently_delete_spam.cost
    assert filters.own_senders == ["spf.otherprovider.test"]
    assert "1 other sending service(s)" in filters.whitelist_first[0]
    assert any("Never whitelist your own domain" in item for item in filters.whitelist_first)
    good = await plan(world, "good.test", goals=["spam-control"])
    assert good.sender_filters is not None and good.sender_filters.own_senders == []


async def test_all_goals_by_default(world: DnsTestServer) -> None:
    result = await plan(world, "good.test")
    assert result.goals == ["anti-spoofing", "signing", "encryption", "spam-control"]
    assert result.authentication_steps and result.smime is not None and result.sender_filters is not None
    assert result.path == "dns-auth" and result.summary.count(". ") <= 3
    signing_first = await plan(world, "good.test", goals=["spam-control", "signing"])
    assert signing_first.goals == ["signing", "spam-control"] and signing_first.path == "smime"


def cli(server: DnsTestServer, *args: str) -> int:
    flags = ["--resolvers", server.address, "--dns-timeout", "1", "--authoritative-port", str(server.port)]
    return main(["secure-plan", *args, *flags])


def test_cli_table_and_exit_status(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "bare.test", "--today", TODAY, "--goal", "anti-spoofing") == 1
    out = capsys.readouterr().out
    assert out.startswith("bare.test: secure mail plan (anti-spoofing); DMARC dates counted from 2024-06-01")
    assert (
        "1. [TO DO] Publish one SPF record" in out
        and "5. [later] Move DMARC to p=reject  from 2024-06-29" in out
    )
    assert "aliyun alidns AddDomainRecord --DomainName bare.test --RR _dmarc" in out
    assert cli(world, "strict.test", "--goal", "anti-spoofing") == 0
    capsys.readouterr()


def test_cli_json_with_edition(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "good.test", "--json", "--edition", "standard", "--today", TODAY) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["edition"] == "standard" and data["smime"]["eligible"] is False
    assert [s["id"] for s in data["authentication_steps"]] == ORDER


def test_cli_bad_input(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "good.test", "--edition", "gold") == 2
    assert "invalid --edition" in capsys.readouterr().err
    assert cli(world, "good.test", "--today", "someday") == 2
    assert "invalid --today" in capsys.readouterr().err


def test_cli_reads_a_p12_certificate_with_the_password_typed_in(
    world: DnsTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.secure_setup.test_smime import MAILBOX, Issuer, make_cert, p12_bytes

    cert, key = make_cert(Issuer())
    path = tmp_path / "bob.pfx"
    path.write_bytes(p12_bytes(cert, key, b"pw"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "pw")
    args = ["good.test", "--goal", "encryption", "--edition", "AI Premium", "--certificate", str(path)]
    assert cli(world, *args, "--mailbox", MAILBOX, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    certificate = data["smime"]["certificate"]
    assert certificate["source"] == "pkcs12" and certificate["has_private_key"] and certificate["fit"]
    assert {r["id"]: r["met"] for r in data["smime"]["requirements"]}["pkcs12"] is True
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "nope")
    assert cli(world, *args) == 2
    assert "invalid password" in capsys.readouterr().err
