"""route_query on a reviewer's question set (tests/data/routing_fresh.jsonl: four batches, each written
before the router was run on it), and the reading rules those questions exercised: a webmail host of the
customer's own domain, Traditional Chinese, another product named without any mail word, a sender who
already looked in Spam, mail travelling to us rather than from us."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.router.route import route
from alimail_mcp.router.text import fold_traditional, tokens

FRESH = Path(__file__).parents[1] / "data" / "routing_fresh.jsonl"


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FRESH.read_text(encoding="utf-8").splitlines() if line.strip()]


def _right(row: dict[str, Any]) -> bool:
    result = route(row["query"])
    if row["intent"] == "none":
        return not result.matched
    got = f"{result.intent}/{result.path}"
    return result.matched and (got == f"{row['intent']}/{row['path']}" or got in row["also"])


def test_fresh_set_covers_every_path_in_both_languages_and_off_topic_questions() -> None:
    rows = _rows()
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    for lang in ("en", "zh"):
        paths = {r["path"] for r in rows if r["lang"] == lang}
        assert len(paths - {"none"}) == 12 and "none" in paths, lang


def test_fresh_set_accuracy_floor() -> None:
    hits: dict[str, list[bool]] = {"en": [], "zh": [], "none": []}
    for row in _rows():
        hits["none" if row["intent"] == "none" else row["lang"]].append(_right(row))
    accuracy = {k: sum(v) / len(v) for k, v in hits.items()}
    assert accuracy["en"] >= 0.95, accuracy
    assert accuracy["zh"] >= 0.95, accuracy
    assert accuracy["none"] >= 0.95, accuracy


def test_a_webmail_host_of_any_domain_reads_as_the_mail_subdomain() -> None:
    assert tokens("mail.acme.example.test redirects") == ["mail", "subdomain", "redirect"]
    assert tokens("打开mail.公司.cn显示") == ["打", "开", "mail", "subdomain", "显", "示"]
    # an address at a mail host and the provider's own POP host stay as they are
    assert tokens("bob@mail.corp.test") == ["bob", "mail", "corp", "test"]
    assert tokens("pop.mail.aliyun.com") == ["pop", "mail", "aliyun", "com"]


def test_traditional_chinese_meets_the_simplified_vocabulary() -> None:
    assert fold_traditional("帳號被鎖定，密碼錯誤次數過多") == "账号被锁定，密码错误次数过多"
    assert route("帳號被鎖定，密碼錯誤次數過多").path == "unlock-account"
    assert route("網頁郵箱打不開，顯示503").path == "webmail-service"


@pytest.mark.parametrize(
    "query",
    ["钉钉密码忘了怎么找回", "How do I reset my DingTalk password?", "阿里云ECS服务器怎么重置root密码"],
)
def test_another_products_password_without_any_mail_word_is_refused(query: str) -> None:
    assert route(query).matched is False


def test_another_product_beside_mail_words_still_routes() -> None:
    result = route("Our ERP on an ECS server sends through smtp.qiye.aliyun.com port 25 and times out")
    assert (result.intent, result.path) == ("resolve-failure", "client-config")
    assert route("钉钉里的企业邮箱提示密码错误次数过多").path == "unlock-account"


@pytest.mark.parametrize(
    ("query", "path"),
    [
        (
            "A colleague emailed me the contract but it is not in my inbox or the spam folder",
            "mailbox-settings",
        ),
        ("同事说发了邮件给我，收件箱没有，垃圾箱也没有", "mailbox-settings"),
        ("A colleague's emails to me keep going to the spam folder", "spam-filtering"),
    ],
)
def test_looking_in_spam_already_is_not_a_spam_clue(query: str, path: str) -> None:
    assert route(query).path == path


def test_bounces_of_mail_sent_to_us_are_a_receiving_problem() -> None:
    inbound = route("Senders say their emails to us bounce with host not found for our domain")
    outbound = route("Our emails to customers bounce with 550 SPF check failed")
    assert (inbound.intent, inbound.path) == ("troubleshoot-received", "dns-delivery")
    assert (outbound.intent, outbound.path) == ("resolve-failure", "dns-authorization")
