"""`alimail-mcp diagnose`: text, JSON, --file, --dir (JSON Lines) and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alimail_mcp.cli import main


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", "--no-live", "503 Rcptto account isn't a local account"]) == 0
    out = capsys.readouterr().out
    assert "alimail.rcpt-not-local" in out and "NEXT STEPS" in out and "resolve-failure" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", "--no-live", "--json", "AccountFrozen"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["intent"], data["path"]) == ("resolve-failure", "webmail-service")
    assert data["recipients"][0]["cause"] == "alimail.account-frozen"


def test_file_and_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.eml").write_text("554 5.7.1 Reject by behaviour spam\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("550 收件人地址不存在\n".encode("gb18030"))
    (tmp_path / "c.txt").write_text("nothing to see\n", encoding="utf-8")
    assert main(["diagnose", "--no-live", "--file", str(tmp_path / "a.eml"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recipients"][0]["reason"] == "spamdetected"
    assert main(["diagnose", "--dir", str(tmp_path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == ["a.eml", "b.txt", "c.txt"]
    assert lines[0]["reason"] == "spamdetected" and lines[0]["cause"] == "alimail.behaviour-spam"
    assert lines[2]["kind"] == "unrecognized" and lines[2]["reason"] is None


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", "--no-live", "   "]) == 2
    assert "invalid TEXT" in capsys.readouterr().err
    assert main(["diagnose", "--no-live", "550 x", "--domain", "bad domain"]) == 2
    assert "domain" in capsys.readouterr().err
    assert main(["diagnose", "--file", str(tmp_path / "missing.eml")]) == 2
    assert main(["diagnose", "--dir", str(tmp_path / "missing")]) == 2
