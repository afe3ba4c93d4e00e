"""recover_access on a reviewer's table of free-text situations (tests/data/recovery_fresh.yaml, written
before the planner was run on them), and the description reading those situations exercised: typos,
number words, Chinese numerals, Traditional Chinese, times said of now, locks that are already over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.recovery.plan import recover_access

DATA = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "recovery_fresh.yaml").read_text(encoding="utf-8")
)
NOW: str = DATA["now"]
CASES: list[dict[str, Any]] = DATA["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_fresh_situation(case: dict[str, Any]) -> None:
    plan = await recover_access(**{"now": NOW, **case["args"]})
    got = (plan.path, plan.needs_admin, plan.unlock_at, plan.minutes_remaining)
    assert got == (case["path"], case["needs_admin"], case.get("unlock_at"), case.get("minutes"))
    assert (plan.account_state.id if plan.account_state else None) == case.get("state")
    inferred = {f.fact: f.value for f in plan.inferred}
    for fact, value in case.get("inferred", {}).items():
        assert inferred.get(fact) == value, (fact, plan.inferred)


@pytest.mark.parametrize(
    ("description", "locked_at"),
    [
        ("二十五分钟前被锁了", "2024-06-12T14:55:00+08:00"),
        ("locked out forty mins ago", "2024-06-12T14:40:00+08:00"),
        ("got locked a couple of hours ago", "2024-06-12T13:20:00+08:00"),
        ("locked out an hour and a half ago", "2024-06-12T13:50:00+08:00"),
        ("下午三点一刻开始密码错误次数过多", "2024-06-12T15:15:00+08:00"),
        ("十点整被锁定", "2024-06-12T10:00:00+08:00"),
        ("Too many password errors since yesterday 11pm", "2024-06-11T23:00:00+08:00"),
        ("locked since 3 pm", "2024-06-12T15:00:00+08:00"),
        ("locked since 2 o'clock", "2024-06-12T14:00:00+08:00"),  # no am/pm: the latest 2:00 before now
        ("locked since 15:00, it's 15:20 now", "2024-06-12T15:00:00+08:00"),
        ("it's now 15:10 and I've been locked since 15:00", "2024-06-12T15:00:00+08:00"),
        ("现在是15:10，15:05开始锁定的", "2024-06-12T15:05:00+08:00"),
        ("Too many password errors, please try again in 45 minutes", "2024-06-12T15:05:00+08:00"),
        ("账号已被锁定，请30分钟后再试", "2024-06-12T14:50:00+08:00"),
        ("已经锁了20分钟了", "2024-06-12T15:00:00+08:00"),
    ],
)
async def test_lock_start_read_from_the_description(description: str, locked_at: str) -> None:
    plan = await recover_access(description=description, now=NOW)
    assert plan.path == "unlock-account"
    assert {f.fact: f.value for f in plan.inferred}.get("locked_at") == locked_at


@pytest.mark.parametrize(
    ("message", "locked"),
    [
        ("账号或密码错误", False),
        ("Incorrect username or password", False),
        ("The password is incorrect", False),
        ("密码错误次数过多，账号已锁定", True),
        ("You entered a wrong password 5 times; the account is locked", True),
    ],
)
async def test_a_wrong_password_message_is_not_a_lock(message: str, locked: bool) -> None:
    plan = await recover_access(lock_message=message, now=NOW)
    assert {f.fact: f.value for f in plan.inferred}["locked"] is locked
    assert plan.path == ("unlock-account" if locked else "self-service-reset")


async def test_a_lock_said_to_be_over_points_at_the_password() -> None:
    plan = await recover_access(description="The lock has expired but it still says wrong password", now=NOW)
    assert plan.path == "self-service-reset"
    assert any(f.fact == "lock_lifted" for f in plan.inferred)
    assert any(a.fact == "forgot_password" and "lock is over" in a.reason for a in plan.assumed)
    assert not any(f.code.startswith("recovery.lock") for f in plan.findings)
    # wanting the account unlocked is not saying it was
    wanting = await recover_access(description="Too many password errors, I need it unlocked now", now=NOW)
    assert wanting.path == "unlock-account"


@pytest.mark.parametrize(
    ("description", "fact", "value"),
    [
        ("I don’t remember my pasword", "forgot_password", True),
        ("forgot passwrd, dont have my phone", "has_secure_phone", False),
        ("no secuirty questions were set", "has_security_questions", False),
        ("忘記密碼了", "forgot_password", True),
        ("密保問題我還記得", "has_security_questions", True),
        ("手机号没换，密码忘了", "has_secure_phone", True),
    ],
)
async def test_typos_curly_apostrophes_and_traditional_chinese(
    description: str, fact: str, value: bool
) -> None:
    plan = await recover_access(description=description, now=NOW)
    assert {f.fact: f.value for f in plan.inferred}.get(fact) is value, plan.inferred


def test_numbers_in_words_and_chinese_numerals() -> None:
    from alimail_mcp.recovery.inference import number

    words = {"two": 2, "a couple of": 2}
    said = ("15", "two", "A couple of", "十", "十五", "二十五", "两", "一百二十")
    assert [number(t, words) for t in said] == [15, 2, 2, 10, 15, 25, 2, 120]
    assert number("many", words) is None and number(None, words) is None


def test_an_unknown_word_in_a_phrase_names_the_file_and_the_word() -> None:
    from alimail_mcp.recovery.knowledge import _expand

    expanded = _expand("(?P<n>x)(?<!a)<pw>", {"pw": "pwd|password"}, "facts.x")
    assert expanded == "(?P<n>x)(?<!a)(?:pwd|password)"
    with pytest.raises(KnowledgeError) as err:
        _expand("forgot <passwrod>", {"pw": "pwd"}, "facts.forgot_password")
    assert "facts.forgot_password" in str(err.value) and "<passwrod>" in str(err.value)
