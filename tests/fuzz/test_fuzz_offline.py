"""Fuzzing the offline engines: the router, the recovery planner and the client-settings check.

Any input gives a result of the documented shape or an InputError naming one of the arguments.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from alimail_mcp.clients.check import check_client_settings
from alimail_mcp.errors import InputError
from alimail_mcp.recovery.plan import recover_access
from alimail_mcp.router.route import route
from tests.support.fuzzing import FuzzClient, tried

WORDS = st.sampled_from(
    [
        "password", "forgot", "locked", "unlock", "QR", "app", "admin", "SPF", "DKIM", "DMARC", "MX",
        "bounce", "550", "5.7.1", "Outlook", "Foxmail", "IMAP", "SMTP", "webmail", "502", "spam",
        "密码", "忘记", "锁定", "解锁", "扫码", "管理员", "退信", "收不到", "垃圾邮件", "邮箱", "阿里",
        "ESO_LOCAL_SPAM", "?", "!", "\n", "\t", "\x00", "‮", "🙂",
    ]
)  # fmt: skip
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=30).map(" ".join))
MAYBE_TEXT = st.one_of(st.none(), TEXT)
STAMPS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2024-05-01T09:10:00+08:00", "2024-05-01T09:10:00Z", "2024-05-01T09:10:00",
            "2024-13-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "2024-05-01", "now", "",
        ]
    ),
)  # fmt: skip
FLAGS = st.one_of(st.none(), st.booleans())


@given(TEXT)
def test_router(query: str) -> None:
    tried("router.route")
    try:
        result = route(query)
    except InputError as exc:
        assert exc.field == "query"
        return
    assert 0.0 <= result.confidence <= 1.0
    assert result.summary
    if result.matched:
        assert result.intent and result.path and result.skill


@given(
    description=MAYBE_TEXT,
    lock_message=MAYBE_TEXT,
    locked_at=STAMPS,
    now=STAMPS,
    flags=st.fixed_dictionaries(
        {},
        optional={
            k: FLAGS
            for k in (
                "forgot_password",
                "has_secure_phone",
                "has_security_questions",
                "has_app",
                "app_logged_in",
                "is_admin",
            )
        },
    ),
)
async def test_recovery_planner(
    description: str | None,
    lock_message: str | None,
    locked_at: str | None,
    now: str | None,
    flags: dict[str, Any],
) -> None:
    tried("recovery.recover_access")
    try:
        plan = await recover_access(
            description=description, lock_message=lock_message, locked_at=locked_at, now=now, **flags
        )
    except InputError as exc:
        assert exc.field in ("description", "lock_message", "locked_at", "now")
        return
    assert plan.path and plan.steps and plan.summary


SETTING_TEXT = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "imap", "pop3", "POP", "ssl", "SSL/TLS", "starttls", "none", "outlook", "Foxmail", "iphone",
            "China", "Singapore", "hk", "imap.qiye.aliyun.com", "smtp.qiye.aliyun.com", "smtp.mxhichina.com",
            "mail.example.test", "192.0.2.1", "[::1]", "bob@example.test", "bob", "",
        ]
    ),
)  # fmt: skip
PORTS = st.one_of(
    st.none(), st.integers(-5, 70000), st.text(max_size=8), st.sampled_from([25, 465, 993, 995, 110])
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "email": SETTING_TEXT,
            "protocol": SETTING_TEXT,
            "incoming_server": SETTING_TEXT,
            "incoming_port": PORTS,
            "incoming_security": SETTING_TEXT,
            "outgoing_server": SETTING_TEXT,
            "outgoing_port": PORTS,
            "outgoing_security": SETTING_TEXT,
            "username": SETTING_TEXT,
            "client": SETTING_TEXT,
            "site": SETTING_TEXT,
        },
    )
)
async def test_client_settings(args: dict[str, Any]) -> None:
    tried("clients.check_client_settings")
    try:
        result = await check_client_settings(**args, dns=FuzzClient({}))
    except InputError as exc:
        assert exc.field in args or exc.field == "email", exc
        return
    assert result.summary and result.settings
