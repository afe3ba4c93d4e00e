"""Fuzzing the planners that combine engines: plan_secure_setup (goals, edition, certificate text)
and diagnose_missing_mail (symptoms, sender, headers, bounce) over generated DNS answers.

Any input gives a result or an InputError naming one of the arguments. Certificate paths are not
read here (local_files off, as over HTTP): generated text must not open files on this machine.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alimail_mcp.config import Settings
from alimail_mcp.errors import InputError
from tests.fuzz.test_fuzz_diagnosis import TEXTS
from tests.support.fuzzing import FuzzClient, tried, zones

INSTALLED = all(
    importlib.util.find_spec(m) is not None
    for m in ("alimail_mcp.secure_setup.plan", "alimail_mcp.missing_mail.diagnose")
)
pytestmark = pytest.mark.skipif(not INSTALLED, reason="plan_secure_setup/diagnose_missing_mail not installed")
SETTINGS = Settings(local_files=False, dns_budget=2.0)
DOMAINS = st.one_of(
    st.just("example.test"), st.sampled_from(["例子.test", "bad domain", "", "a" * 300 + ".test"])
)
WORDS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "anti-spoofing", "signing", "encryption", "spam-control", "Anti Spoofing", "standard", "premium",
            "enterprise", "AI Premium", "ai_premium", "uses_pop_client", "mailbox_full",
            "has_rules_or_forwarding",
            "sender_got_bounce", "bounce_text", "found_in_spam", "only_some_senders", "recently_changed_dns",
        ]
    ),
)  # fmt: skip
CERTIFICATES = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.sampled_from(
        [
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", "/etc/passwd.pem", "~/x.p12", "cert.cer", "",
        ]
    ),
)  # fmt: skip


@given(
    zones(),
    DOMAINS,
    st.one_of(st.none(), WORDS),
    st.one_of(st.none(), st.lists(WORDS, max_size=10)),
    CERTIFICATES,
    st.one_of(st.none(), st.sampled_from(["bob@example.test", "not-an-address", ""])),
)
async def test_secure_setup_planner(
    zone: dict[Any, Any],
    domain: str,
    edition: str | None,
    goals: list[str] | None,
    certificate: str | None,
    mailbox: str | None,
) -> None:
    from alimail_mcp.secure_setup.plan import plan_secure_setup

    tried("secure_setup.plan_secure_setup")
    try:
        plan = await plan_secure_setup(
            domain, edition, goals, certificate, mailbox, settings=SETTINGS, client=FuzzClient(zone)
        )
    except InputError as exc:
        assert exc.field in ("domain", "edition", "goals", "certificate", "mailbox"), exc
        return
    assert plan.summary and plan.domain


@given(
    zones(),
    DOMAINS,
    st.one_of(st.none(), st.sampled_from(["alice@other.test", "other.test", "not an address", "@", ""])),
    st.one_of(st.none(), st.lists(WORDS, max_size=10)),
    st.one_of(st.none(), TEXTS),
    st.one_of(st.none(), TEXTS),
)
async def test_missing_mail_diagnosis(
    zone: dict[Any, Any],
    domain: str,
    sender: str | None,
    symptoms: list[str] | None,
    headers: str | None,
    bounce_text: str | None,
) -> None:
    from alimail_mcp.missing_mail.diagnose import diagnose_missing_mail

    tried("missing_mail.diagnose_missing_mail")
    try:
        result = await diagnose_missing_mail(
            domain, sender, symptoms, headers, bounce_text, settings=SETTINGS, client=FuzzClient(zone)
        )
    except InputError as exc:
        assert exc.field in ("domain", "sender", "symptoms", "headers", "bounce_text"), exc
        return
    assert result.summary
