"""`alimail-mcp dmarc-reports FILE...`: report files of every kind, folders, progress, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alimail_mcp.cli import main
from tests.support.dmarc_reports import Row, gz, report_email, report_xml, zipped
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file

DOMAIN = "good.test"


def write_reports(folder: Path) -> None:
    folder.mkdir()
    (folder / "a.xml").write_text(report_xml(DOMAIN, [Row("203.0.113.5", 10)], report_id="a"))
    (folder / "b.xml.gz").write_bytes(gz(report_xml(DOMAIN, [Row("203.0.113.5", 5)], report_id="b")))
    (folder / "c.zip").write_bytes(
        zipped({"c.xml": report_xml(DOMAIN, [Row("198.51.100.9", 1)], report_id="c")})
    )
    email = report_email({"d.xml.gz": gz(report_xml(DOMAIN, [Row("203.0.113.7", 2)], report_id="d"))})
    (folder / "sub").mkdir()
    (folder / "sub" / "d.eml").write_bytes(email)
    (folder / "e.mbox").write_bytes(
        b"From x Mon Jun  3 10:00:00 2024\n"
        + report_email({"e.xml": report_xml(DOMAIN, [Row("203.0.113.8", 4)], report_id="e").encode()})
    )


def test_every_kind_of_file_in_a_folder_is_read_and_checked_live(
    dns_server: DnsTestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_world(dns_server, zone_file(DOMAIN))
    write_reports(tmp_path / "reports")
    code = main(["dmarc-reports", str(tmp_path / "reports"), "--json", "--resolvers", dns_server.address])
    data = json.loads(capsys.readouterr().out)
    assert (
        code == 0
    )  # every legitimate source passes: ready for the next step (p=reject: good.test is at quarantine)
    assert data["totals"]["reports"] == 5 and data["totals"]["messages"] == 22
    senders = {s["source_ip"]: s["sender"] for s in data["sources"]}
    assert senders["203.0.113.5"] == "alibaba-mail" and senders["198.51.100.9"] == "authorized"
    sources = sorted(r["source"].rsplit("/", 1)[-1] for r in data["reports"])
    assert sources == ["a.xml", "b.xml.gz", "c.zip > c.xml", "d.eml > d.xml.gz", "e.mbox > message 1 > e.xml"]


def test_the_table_names_the_sources_and_the_policy_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.xml"
    report.write_text(report_xml(DOMAIN, [Row("203.0.113.5", 10), Row("192.0.2.9", 2, "fail", "fail")]))
    assert main(["dmarc-reports", str(report), "--no-live"]) == 1
    out = capsys.readouterr().out
    assert "DMARC reports: 1 report(s), 12 message(s), 2 source(s)" in out
    assert "203.0.113.5" in out and "POLICY: p=none -> p=quarantine: NOT READY" in out


def test_many_files_show_progress_on_stderr_and_bad_ones_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(24):
        (tmp_path / f"{n:02}.xml").write_text(report_xml(DOMAIN, [Row("203.0.113.5", 1)], report_id=f"r{n}"))
    (tmp_path / "zz-broken.xml").write_text("<feedback><report_metadata>")
    assert main(["dmarc-reports", str(tmp_path), "--no-live", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["totals"]["messages"] == 24
    assert [e["source"].rsplit("/", 1)[-1] for e in data["errors"]] == ["zz-broken.xml"]
    assert "read 25/25 files" in captured.err
    assert all(line.startswith("read ") for line in captured.err.splitlines())


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["dmarc-reports", "/nonexistent/report.xml"], "FILE"),
        (["dmarc-reports", "REPORT", "--domain", "not a domain"], "--domain"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(
    argv: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.xml"
    report.write_text(report_xml(DOMAIN, [Row("203.0.113.5", 1)]))
    argv = [str(report) if a == "REPORT" else a for a in argv]
    assert main(argv) == 2
    assert f"invalid {named}:" in capsys.readouterr().err


def test_nothing_readable_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    assert main(["dmarc-reports", str(junk), "--no-live"]) == 3
    assert "No report could be read" in capsys.readouterr().out
