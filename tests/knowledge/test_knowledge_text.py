"""Tokens for routing: English words with a light stemmer, Chinese characters and bigrams, width folding."""

from __future__ import annotations

from alimail_mcp.router.text import deletions, features, normalize, stem, term_parts, tokens


def test_english_words_are_lowered_and_stemmed_alike() -> None:
    assert stem("blocked") == stem("blocks") == stem("blocking") == stem("block")
    assert stem("received") == stem("receiving") == stem("receive")
    assert stem("address") == "address"  # 'ss' is not a plural
    assert stem("550") == "550" and stem("p12") == "p12"


def test_chinese_splits_into_characters_beside_english_words() -> None:
    assert tokens("SPF记录 550") == ["spf", "记", "录", "550"]


def test_full_width_and_contractions_are_folded() -> None:
    assert normalize("ＳＰＦ ＭＸ") == "spf mx"
    assert tokens("can't") == tokens("cant") == ["cant"]


def test_error_strings_keep_their_word_order() -> None:
    assert tokens("(13)ESO_LOCAL_SPAM: spamed") == ["13", "eso", "local", "spam", stem("spamed")]


def test_term_parts_split_on_plus() -> None:
    assert term_parts("block + domain") == [("block",), ("domain",)]
    assert term_parts("垃圾邮件 + 删除") == [("垃", "圾", "邮", "件"), ("删", "除")]
    assert term_parts("S/MIME") == [("s", "mime")]


def test_features_use_chinese_bigrams_and_english_words() -> None:
    assert list(features(tokens("收不到 mail"))) == ["收不", "不到", "mail"]
    assert list(features(tokens("信"))) == ["信"]


def test_deletions_cover_one_edit() -> None:
    assert "pasword" in deletions("password")
    assert deletions("recieve") & deletions("receive")
