"""recover_access: a table of situations (en and zh, locks at various times, admins, account states)
with the expected path, unlock time, minutes remaining and whether an administrator is needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alimail_mcp.errors import InputError
from alimail_mcp.recovery.plan import recover_access

NOW = "2024-05-01T09:40:00+08:00"


@dataclass(frozen=True)
class Case:
    id: str
    args: dict[str, Any]
    path: str
    needs_admin: bool
    unlock_at: str | None = None
    minutes: int | None = None
    inferred: dict[str, Any] = field(default_factory=dict)
    state: str | None = None


CASES = [
    Case(
        "zh-forgot-phone-changed",
        {"description": "忘记密码了，手机号也换了"},
        "self-service-reset",
        False,
        inferred={"forgot_password": True, "has_secure_phone": False},
    ),
    Case(
        "zh-forgot-no-phone-no-questions",
        {"description": "忘记密码了，手机号也换了，密保问题也不记得了"},
        "contact-admin",
        True,
        inferred={"has_security_questions": False},
    ),
    Case(
        "en-forgot-no-phone-no-questions",
        {"description": "I forgot my password, changed my phone number and never set up security questions"},
        "contact-admin",
        True,
        inferred={"forgot_password": True, "has_secure_phone": False, "has_security_questions": False},
    ),
    Case(
        "en-lock-since-active",
        {"description": "it says Too many password errors since 9:10"},
        "unlock-account",
        False,
        "2024-05-01T10:10:00+08:00",
        30,
        {"locked": True},
    ),
    Case(
        "en-lock-since-passed",
        {"description": "it says Too many password errors since 8:15", "now": "2024-05-01T09:40:00+08:00"},
        "unlock-account",
        False,
        "2024-05-01T09:15:00+08:00",
        0,
    ),
    Case(
        "en-lock-since-future-means-yesterday",
        {"description": "Too many password errors since 11:00"},
        "unlock-account",
        False,
        "2024-04-30T12:00:00+08:00",
        0,
    ),
    Case(
        "zh-lock-since-clock",
        {"description": "登录提示密码错误次数过多，从9点20分开始的"},
        "unlock-account",
        False,
        "2024-05-01T10:20:00+08:00",
        40,
        {"locked": True},
    ),
    Case(
        "zh-lock-pm",
        {"description": "下午1:30开始提示密码错误次数过多", "now": "2024-05-01T14:00:00+08:00"},
        "unlock-account",
        False,
        "2024-05-01T14:30:00+08:00",
        30,
    ),
    Case(
        "en-lock-minutes-ago",
        {"description": "I got locked out 25 minutes ago"},
        "unlock-account",
        False,
        "2024-05-01T10:15:00+08:00",
        35,
    ),
    Case(
        "zh-lock-half-hour-ago",
        {"description": "半小时前账号被锁定了"},
        "unlock-account",
        False,
        "2024-05-01T10:10:00+08:00",
        30,
    ),
    Case(
        "lock-message-and-locked-at",
        {"lock_message": "Too many password errors", "locked_at": "2024-05-01T09:00:00+08:00"},
        "unlock-account",
        False,
        "2024-05-01T10:00:00+08:00",
        20,
    ),
    Case(
        "locked-at-other-offset",
        {"lock_message": "密码错误次数过多", "locked_at": "2024-05-01T01:30:00Z"},
        "unlock-account",
        False,
        "2024-05-01T02:30:00+00:00",
        50,
    ),
    Case(
        "lock-seconds-round-up",
        {"lock_message": "Too many password errors", "locked_at": "2024-05-01T08:40:30+08:00"},
        "unlock-account",
        False,
        "2024-05-01T09:40:30+08:00",
        1,
    ),
    Case("lock-time-unknown", {"lock_message": "Too many password errors"}, "unlock-account", False),
    Case(
        "admin-unlocks-user",
        {
            "description": "My employee's account is locked: too many password errors",
            "locked_at": "2024-05-01T09:30:00+08:00",
        },
        "unlock-account",
        False,
        "2024-05-01T10:30:00+08:00",
        50,
        {"is_admin": True},
    ),
    Case(
        "zh-admin",
        {"description": "我是管理员，员工的邮箱被锁定了"},
        "unlock-account",
        False,
        inferred={"is_admin": True, "locked": True},
    ),
    Case(
        "lock-and-no-self-service",
        {
            "lock_message": "Too many password errors",
            "forgot_password": True,
            "has_secure_phone": False,
            "has_security_questions": False,
        },
        "contact-admin",
        True,
    ),
    Case(
        "en-frozen",
        {"description": "Webmail shows AccountFrozen when I log in"},
        "webmail-service",
        True,
        state="AccountFrozen",
    ),
    Case(
        "zh-frozen", {"description": "登录时提示账号被冻结了"}, "webmail-service", True, state="AccountFrozen"
    ),
    Case(
        "blocked-message", {"lock_message": "AccountBlocked"}, "webmail-service", True, state="AccountBlocked"
    ),
    Case(
        "expired",
        {"description": "error AccountExpired, I forgot my password too"},
        "webmail-service",
        True,
        state="AccountExpired",
    ),
    Case("zh-disabled", {"description": "账号已被停用"}, "webmail-service", True, state="AccountDisabled"),
    Case(
        "503",
        {"description": "webmail gives a 503 error and the inbox is empty"},
        "webmail-service",
        True,
        state="503",
    ),
    Case(
        "en-app",
        {"description": "Can't log in on my laptop but I'm still logged in on the Alibaba Mail app"},
        "qr-login",
        False,
        inferred={"app_logged_in": True},
    ),
    Case(
        "zh-app",
        {"description": "电脑上登不上，手机上阿里邮箱app还登录着"},
        "qr-login",
        False,
        inferred={"app_logged_in": True},
    ),
    Case("app-flag-only", {"has_app": True, "app_logged_in": True}, "qr-login", False),
    Case(
        "forgot-no-means-but-app",
        {
            "forgot_password": True,
            "has_secure_phone": False,
            "has_security_questions": False,
            "app_logged_in": True,
        },
        "qr-login",
        False,
    ),
    Case(
        "forgot-with-phone", {"forgot_password": True, "has_secure_phone": True}, "self-service-reset", False
    ),
    Case(
        "forgot-with-app-prefers-reset",
        {"description": "I forgot my password; I have the alimail app"},
        "self-service-reset",
        False,
    ),
    Case("en-default", {"description": "I can't log in to my mailbox"}, "self-service-reset", False),
    Case(
        "lock-without-self-service-still-waits",
        {"description": "Too many password errors, and I have no secure phone and no security questions"},
        "unlock-account",
        False,
        inferred={"has_secure_phone": False, "has_security_questions": False},
    ),
    Case("en-qr-question", {"description": "Can I log in with the QR code?"}, "qr-login", False),
    Case("zh-qr-question", {"description": "扫码登录可以吗？我手机上装了阿里邮箱"}, "qr-login", False),
    Case(
        "phone-still-there",
        {"description": "I forgot my password. I still have access to my phone."},
        "self-service-reset",
        False,
        inferred={"has_secure_phone": True},
    ),
    Case(
        "en-lock-at-time",
        {
            "description": "My account is locked. I tried to log in at 9:05.",
            "now": "2024-05-01T09:40:00+08:00",
        },
        "unlock-account",
        False,
        "2024-05-01T10:05:00+08:00",
        25,
    ),
    Case(
        "explicit-beats-description",
        {"description": "I forgot my password and changed my phone", "has_secure_phone": True},
        "self-service-reset",
        False,
    ),
    Case(
        "admin-flag-no-self-service",
        {
            "is_admin": True,
            "forgot_password": True,
            "has_secure_phone": False,
            "has_security_questions": False,
        },
        "contact-admin",
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_situation(case: Case) -> None:
    plan = await recover_access(**{"now": NOW, **case.args})
    assert plan.path == case.path
    assert plan.needs_admin is case.needs_admin
    assert plan.unlock_at == case.unlock_at
    assert plan.minutes_remaining == case.minutes
    inferred = {f.fact: f.value for f in plan.inferred}
    for fact, value in case.inferred.items():
        assert inferred.get(fact) == value, (fact, plan.inferred)
    assert (plan.account_state.id if plan.account_state else None) == case.state
    assert plan.steps and plan.summary
    if plan.needs_admin:
        assert plan.admin_steps


async def test_state_routes_to_resolve_failure_with_admin_steps() -> None:
    plan = await recover_access(description="webmail shows AccountFrozen", now=NOW)
    assert (plan.intent, plan.skill) == ("resolve-failure", "alimail/troubleshooting/alimail-service")
    assert any("Unblock" in s for s in plan.admin_steps)
    assert plan.what_to_send_admin
    assert [f.code for f in plan.findings] == ["recovery.account-state"]
    assert not any("Forgot Password" in s for s in plan.steps)


async def test_inferred_facts_carry_the_triggering_phrase() -> None:
    plan = await recover_access(description="it says Too many password errors since 9:10", now=NOW)
    evidence = {f.fact: f.evidence for f in plan.inferred}
    assert evidence["locked"] == "Too many password errors"
    assert evidence["locked_at"] == "since 9:10"
    # the date was not given: the plan says it assumed today in now's timezone
    assumed = {a.fact: a for a in plan.assumed}
    assert assumed["locked_at"].value == "2024-05-01T09:10:00+08:00"


async def test_lock_message_evidence_and_unlock_time_from_provider_limit() -> None:
    from alimail_mcp.knowledge.loader import load_provider

    minutes = load_provider().limits.lock_auto_unlock_minutes
    plan = await recover_access(
        lock_message="密码错误次数过多", locked_at="2024-05-01T09:40:00+08:00", now=NOW
    )
    assert plan.minutes_remaining == minutes
    assert [f.code for f in plan.findings] == ["recovery.locked"]
    assert any(f.fact == "locked" and f.evidence == "密码错误次数过多" for f in plan.inferred)


async def test_lock_steps_change_once_the_lock_has_passed() -> None:
    active = await recover_access(
        lock_message="Too many password errors", locked_at="2024-05-01T09:30:00+08:00", now=NOW
    )
    passed = await recover_access(
        lock_message="Too many password errors", locked_at="2024-05-01T08:00:00+08:00", now=NOW
    )
    assert any("Wait until" in s for s in active.steps)
    assert not any("Wait until" in s for s in passed.steps)
    assert [f.code for f in passed.findings] == ["recovery.lock-lifted"]
    assert active.admin_steps and active.what_to_send_admin
    assert not passed.what_to_send_admin


async def test_lock_fallbacks_are_ordered_and_qr_does_not_bypass_the_lock() -> None:
    plan = await recover_access(lock_message="Too many password errors", now=NOW)
    assert [f.path for f in plan.fallbacks] == ["unlock-account", "self-service-reset", "contact-admin"]
    assert any("QR code does not get past the lock" in s for s in plan.steps)
    assert [f.code for f in plan.findings] == ["recovery.locked-start-unknown"]


async def test_admin_gets_steps_and_nothing_to_send_to_themselves() -> None:
    plan = await recover_access(is_admin=True, lock_message="Too many password errors", now=NOW)
    assert plan.admin_steps and not plan.what_to_send_admin
    assert any("Employee Accounts" in s for s in plan.admin_steps)


async def test_contact_admin_says_what_to_send() -> None:
    plan = await recover_access(description="忘记密码了，手机号也换了，密保问题也不记得了", now=NOW)
    assert any("full email address" in s for s in plan.what_to_send_admin)
    assert "recovery.no-self-service" in [f.code for f in plan.findings]


async def test_security_questions_method_when_phone_is_gone() -> None:
    plan = await recover_access(description="I forgot my password and lost my phone", now=NOW)
    assert any("Security questions" in s for s in plan.steps)
    assert not any("Send SMS" in s for s in plan.steps)


async def test_the_remaining_verification_method_is_stated_as_assumed() -> None:
    phone_gone = await recover_access(description="忘记密码了，手机号也换了", now=NOW)
    assert phone_gone.path == "self-service-reset"
    assert {(a.fact, a.value) for a in phone_gone.assumed} >= {("has_security_questions", True)}
    no_questions = await recover_access(forgot_password=True, has_security_questions=False, now=NOW)
    assert {(a.fact, a.value) for a in no_questions.assumed} >= {("has_secure_phone", True)}
    assert any(f.path == "contact-admin" for f in phone_gone.fallbacks)


async def test_default_path_states_its_assumptions() -> None:
    plan = await recover_access(description="I can't log in", now=NOW)
    assumed = {a.fact for a in plan.assumed}
    assert {"forgot_password", "has_secure_phone"} <= assumed


async def test_deterministic_given_now() -> None:
    args = {"description": "Too many password errors since 9:10", "now": NOW}
    assert (await recover_access(**args)).model_dump() == (await recover_access(**args)).model_dump()


async def test_now_defaults_to_the_current_time_and_says_so() -> None:
    plan = await recover_access(forgot_password=True)
    assert any(a.fact == "now" for a in plan.assumed)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5000}, "description"),
        ({"forgot_password": True, "now": "2024-05-01 09:10"}, "now"),
        ({"forgot_password": True, "now": "yesterday"}, "now"),
        ({"locked_at": "2024-05-01T09:10:00"}, "locked_at"),
        ({"locked_at": "2024-05-01T10:10:00+08:00", "now": NOW}, "locked_at"),
        ({"forgot_password": "yes"}, "forgot_password"),
        ({"lock_message": "y" * 2000}, "lock_message"),
    ],
)
async def test_bad_input_names_the_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        await recover_access(**args)
    assert err.value.field == field


async def test_every_path_text_formats() -> None:
    """Each path's texts fill every placeholder (a stray {name} would raise KeyError)."""
    from alimail_mcp.recovery.knowledge import load_recovery

    kb = load_recovery()
    assert set(kb.model.paths) == {
        "self-service-reset",
        "unlock-account",
        "qr-login",
        "contact-admin",
        "webmail-service",
    }
    for args in (
        {"description": "forgot password"},
        {"lock_message": "Too many password errors", "locked_at": "2024-05-01T09:30:00+08:00"},
        {"has_app": True},
        {"forgot_password": True, "has_secure_phone": False, "has_security_questions": False},
        {"description": "AccountDisabled"},
    ):
        plan = await recover_access(**args, now=NOW)
        text = " ".join(
            [
                plan.summary,
                *plan.steps,
                *plan.admin_steps,
                *plan.what_to_send_admin,
                *(f.step for f in plan.fallbacks),
            ]
        )
        assert "{" not in text and "}" not in text


def test_cli_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from alimail_mcp.cli import main

    args = ["recover", "--description", "Too many password errors since 9:10", "--now", NOW]
    assert main([*args, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["path"], plan["unlock_at"], plan["minutes_remaining"]) == (
        "unlock-account",
        "2024-05-01T10:10:00+08:00",
        30,
    )
    assert main([*args, "--no-is-admin"]) == 0
    text = capsys.readouterr().out
    assert "Path: unlock-account" in text and "30 minutes remaining" in text
    assert main(["recover", "--locked-at", "yesterday"]) == 2
    assert "invalid --locked-at" in capsys.readouterr().err


@given(
    description=st.text(max_size=300),
    lock_message=st.one_of(st.none(), st.text(max_size=80)),
    locked_at=st.one_of(st.none(), st.text(max_size=40)),
)
@settings(max_examples=150, deadline=None)
def test_any_text_gives_a_plan_or_an_input_error(
    description: str, lock_message: str | None, locked_at: str | None
) -> None:
    import asyncio

    try:
        plan = asyncio.run(
            recover_access(description=description, lock_message=lock_message, locked_at=locked_at, now=NOW)
        )
    except InputError:
        return
    assert plan.steps and plan.path
