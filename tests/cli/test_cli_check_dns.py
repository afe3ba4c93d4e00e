"""`alimail-mcp check-dns`: table, JSON, --file JSON Lines with progress, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alimail_mcp.cli import main
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file


@pytest.fixture
def world(dns_server: DnsTestServer) -> DnsTestServer:
    return serve_world(dns_server, zone_file("good.test"), zone_file("broken.test"))


def cli(server: DnsTestServer, *args: str) -> int:
    flags = ["--resolvers", server.address, "--dns-timeout", "1", "--authoritative-port", str(server.port)]
    return main(["check-dns", *args, *flags])


def test_table_of_a_correct_domain(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "good.test") == 0
    out = capsys.readouterr().out
    assert out.startswith("good.test: OK")
    for row in ("mx ", "spf ", "dkim ", "dmarc ", "webmail_cname ", "propagation "):
        assert f"\n{row}" in out
    for row in ("blocklist ", "mta_sts ", "tls_rpt ", "bimi ", "dnssec "):
        assert f"\n{row}" in out
    assert "chain unsigned" in out and "not listed" in out
    assert "CHANGE PLAN" not in out


def test_several_ips_and_other_blocklist_zones(
    world: DnsTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_origin("zen.bl.test")
    world.add("9.113.0.203.zen.bl.test.", "A", "127.0.0.2")
    args = ["good.test", "--ip", "203.0.113.9", "--ip", "203.0.113.10,2001:db8::1", "--no-authoritative"]
    assert cli(world, *args, "--blocklist-zones", "zen=zen.bl.test,spamcop=,barracuda=") == 1
    out = capsys.readouterr().out
    assert "3 IP(s), 1 domain(s)" in out and "listed: 203.0.113.9 on Spamhaus ZEN" in out
    assert "blocklist.listed: A sending IP is listed on Spamhaus ZEN" in out


def test_table_of_a_broken_domain(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "broken.test", "--no-authoritative") == 1
    out = capsys.readouterr().out
    assert "broken.test: PROBLEM" in out and "FINDINGS" in out and "CHANGE PLAN" in out
    assert "aliyun alidns AddDomainRecord --DomainName broken.test --RR _dmarc --Type TXT" in out
    assert "\npropagation " not in out


def test_json(world: DnsTestServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(world, "good.test", "--json", "--selector", "default", "--ip", "203.0.113.9") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"] == "ok" and data["domain"] == "good.test"
    assert data["checks"]["spf"]["evaluation"]["result"] == "pass"
    assert [k["selector"] for k in data["checks"]["dkim"]["keys"]] == ["default"]


def test_file_gives_json_lines_and_progress(
    world: DnsTestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("# domains\ngood.test\nbroken.test  # the bad one\n\nnot a domain\ngood.test\n")
    assert cli(world, "--file", str(listing), "--concurrency", "2", "--no-authoritative") == 1
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    by_domain = {line["domain"]: line for line in lines}
    assert set(by_domain) == {"good.test", "broken.test", "not a domain"}
    assert by_domain["good.test"]["overall"] == "ok"
    assert by_domain["broken.test"]["overall"] == "problem"
    assert "invalid domain" in by_domain["not a domain"]["error"]
    assert {d: line["line"] for d, line in by_domain.items()} == {
        "good.test": 2,
        "broken.test": 3,
        "not a domain": 5,
    }
    assert captured.err.count("[") == 3 and "[3/3]" in captured.err
    assert "3 domains in " in captured.err and "1 ok, 1 problem, 1 error" in captured.err


def test_a_bulk_run_asks_each_shared_question_once(
    world: DnsTestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two audits of the same domain: the second is answered from the run's cache, so the run asks
    no more than one audit does."""
    assert cli(world, "good.test", "--json", "--no-authoritative") == 0
    alone = json.loads(capsys.readouterr().out)["queries"]
    listing = tmp_path / "domains.txt"
    listing.write_text("good.test\nGOOD.test\n")
    assert cli(world, "--file", str(listing), "--concurrency", "1", "--no-authoritative") == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["overall"] for line in lines] == ["ok", "ok"]
    assert sum(line["queries"] for line in lines) == alone
    assert f"{alone} DNS questions asked" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["good.test", "--ip", "nope"], "invalid --ip"),
        (["bad..name"], "invalid DOMAIN"),
        ([], "give a domain"),
        (["good.test", "--dns-budget", "0"], "--dns-budget"),
        (["good.test", "--resolvers", "resolver.test"], "--resolvers"),
        (["good.test", "--blocklist-zones", "zen"], "--blocklist-zones"),
        (["good.test", "--blocklist-zones", "nope=x.test"], "names no list"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-dns", *args]) == 2
    assert message in capsys.readouterr().err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-dns", "--file", str(tmp_path / "none.txt")]) == 2
    assert "--file" in capsys.readouterr().err
