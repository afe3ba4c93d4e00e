"""`alimail-mcp route`: readable text by default, the result model with --json, clear errors."""

from __future__ import annotations

import json

import pytest

from alimail_mcp.cli import main


def test_route_prints_path_steps_and_pitfalls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "Outlook", "keeps", "asking", "for", "my", "password"]) == 0
    out = capsys.readouterr().out
    assert "intent:     resolve-failure" in out
    assert "path:       client-config" in out
    assert "skill:      alimail/guide/alimail-configuration" in out
    assert "Steps:\n  1. " in out and "Key facts:" in out and "Pitfalls" in out


def test_route_json_is_the_result_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--json", "密码错误次数过多，账号被锁定了"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["matched"], data["intent"], data["path"]) == (True, "recover-access", "unlock-account")
    assert data["guidance"]["steps"] and 0 <= data["confidence"] <= 1


def test_route_refuses_off_topic_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "红烧肉怎么做"]) == 0
    assert "outside Alibaba Mail" in capsys.readouterr().out


def test_route_empty_question_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "   "]) == 2
    assert "invalid QUERY" in capsys.readouterr().err
