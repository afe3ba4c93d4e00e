"""The error catalog: every cause is reachable from a hand-written text (en and zh), gives the
expected reason and route, and routes to a path and detail skill the knowledge base defines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from alimail_mcp.diagnosis.catalog import CatalogFile, catalog
from alimail_mcp.diagnosis.engine import diagnose_offline
from alimail_mcp.diagnosis.reason.tables import REASONS
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.loader import load_knowledge, validate

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "errors_cases.yaml").read_text()
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['cause']}:{c['text'][:30]}" for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    result = diagnose_offline(case["text"])
    assert result.recipients, f"nothing recognised in {case['text']!r}"
    first = result.recipients[0]
    assert first.cause == case["cause"]
    assert f"{result.intent}/{result.path}" == case["route"]
    if "reason" in case:
        assert first.reason == case["reason"]
    if "receiver" in case:
        assert first.receiver == case["receiver"]
    if "permanent" in case:
        assert first.permanent is case["permanent"]
    if "retry" in case:
        assert first.retry_helps is case["retry"]
    if "needs_admin" in case:
        assert any(f.needs_admin is case["needs_admin"] for f in result.findings if f.code == case["cause"])
    cause = catalog().by_id[case["cause"]]
    if case["route"].startswith(cause.route.intent):  # else: refused by Alibaba Mail's own MX (incoming)
        assert result.skill == cause.route.skill
    assert result.next_steps[: len(cause.steps)] == list(cause.steps)[: len(result.next_steps)]


def test_every_cause_has_a_case() -> None:
    covered = {c["cause"] for c in CASES}
    missing = [cause.id for cause in catalog().data.causes if cause.id not in covered]
    assert missing == []


def test_chinese_and_english_cases_where_the_catalog_has_both() -> None:
    for cause in catalog().data.causes:
        texts = [c["text"] for c in CASES if c["cause"] == cause.id]
        if cause.match.zh:
            assert any(not t.isascii() for t in texts), f"{cause.id} has Chinese patterns but no Chinese case"
        if cause.match.en or cause.match.status:
            assert any(t.isascii() for t in texts), f"{cause.id} has no English case"


def test_routes_exist_in_the_knowledge_base() -> None:
    knowledge = load_knowledge()
    paths = {(skill.intent, spec.id): spec.skill for skill in knowledge.intents for spec in skill.paths}
    for cause in catalog().data.causes:
        route = cause.route
        assert (route.intent, route.path) in paths, f"{cause.id}: no path {route.intent}/{route.path}"
        assert paths[(route.intent, route.path)] == route.skill, f"{cause.id}: skill is not the path's"


def test_reasons_are_sisimai_vocabulary_and_every_failure_reason_has_a_fallback() -> None:
    cat = catalog()
    for cause in cat.data.causes:
        assert cause.reason in REASONS
    failures = set(REASONS) - {"delivered", "feedback", "vacation"}
    assert {r for r in failures if cat.fallback(r) is None} == set()


def test_provider_values_are_filled_in() -> None:
    steps = " ".join(s for cause in catalog().data.causes for s in cause.steps)
    assert "{{" not in steps
    assert "include:spf.qiye.aliyun.com" in steps and "smtp.qiye.aliyun.com" in steps


def test_catalog_rejects_bad_entries(tmp_path: Path) -> None:
    good = {
        "id": "x.case",
        "title": "A title here",
        "match": {"en": ["boom"]},
        "reason": "blocked",
        "retry": False,
        "needs_admin": False,
        "route": {
            "intent": "resolve-failure",
            "path": "client-config",
            "skill": "alimail/guide/alimail-configuration",
        },
        "summary": "Twenty characters or more of summary.",
        "steps": ["Do something."],
    }
    route = good["route"]
    incoming = {"mailbox": route, "delivery": route, "filtering": route, "by_reason": {}, "default": route}
    data = {"version": 1, "incoming": incoming, "receivers": {}, "causes": [good]}
    validate(CatalogFile, data, tmp_path / "errors.yaml")
    for change, problem in (
        ({"reason": "nosuchreason"}, "reason"),
        ({"match": {"en": ["Upper"]}}, "lower case"),
        ({"match": {"en": ["(unclosed"]}}, "regular expression"),
        ({"match": {"status": ["5.7"]}}, "enhanced status"),
        ({"match": {}}, "needs status"),
        ({"route": {**good["route"], "path": "no-such-path"}}, "path"),
        ({"also": [{}]}, "every `also` entry"),
        ({"also": [{"receiver": "nobody", "en": ["boom"]}]}, "unknown receiver"),
    ):
        broken = {**data, "causes": [{**good, **change}]}
        with pytest.raises(KnowledgeError) as info:
            validate(CatalogFile, broken, tmp_path / "errors.yaml")
        assert problem in str(info.value)
    twice = {**data, "causes": [good, good]}
    with pytest.raises(KnowledgeError, match="appears twice"):
        validate(CatalogFile, twice, tmp_path / "errors.yaml")


def test_chinese_patterns_are_skipped_only_when_they_cannot_match_ascii_text() -> None:
    from alimail_mcp.diagnosis.catalog import _needs_non_ascii

    assert _needs_non_ascii("发信频率过(?:快|高)")
    assert _needs_non_ascii("spf\\s*(?:检查|校验)(?:未通过|失败)")
    # an optional or alternative Chinese part leaves an ASCII match possible: such a pattern is tried
    assert not _needs_non_ascii("(?:网页版|webmail).*503")
    assert not _needs_non_ascii("(?:退信)?550 user unknown")
    assert not _needs_non_ascii("mailbox (?:is )?full")


def test_broad_client_wording_applies_only_to_a_client_message() -> None:
    # "login ... failed" in a client's own message is the client's login; with an SMTP code, or
    # read from a bounce, it is the receiver's refusal and the specific wording must say more.
    assert diagnose_offline("Sign-in failed: the password you entered is not valid").recipients[0].cause == (
        "client.authentication-failed"
    )
    reply = diagnose_offline("550 5.7.1 Sender login to the relay failed: policy").recipients[0]
    assert reply.cause != "client.authentication-failed"
    bounce = (
        "From: MAILER-DAEMON@mx.shop.test\nTo: sales@shop.test\n"
        "Subject: Undelivered Mail Returned to Sender\n\n"
        "<ghost@partner.test>: connection to the relay host was lost, message sign-in failed\n"
    )
    recipients = diagnose_offline(bounce).recipients
    assert [r.recipient for r in recipients] == ["ghost@partner.test"]
    assert recipients[0].cause not in ("client.authentication-failed", "client.connection-failed")
