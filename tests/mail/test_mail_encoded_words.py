"""mail.encoded_words: RFC 2047 encoded words decoded, broken ones left as they are."""

from __future__ import annotations

import pytest

from alimail_mcp.mail.encoded_words import decode_words


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?utf-8?B?6YCA5L+h?=", "退信"),
        ("=?iso-8859-1?q?Andr=E9?= Pirard <pirard@example.be>", "André Pirard <pirard@example.be>"),
        ("=?gb2312?B?t6LLzcqnsNw=?=", "发送失败"),
        ("no words here", "no words here"),
    ],
)
def test_encoded_words_are_decoded(value: str, expected: str) -> None:
    assert decode_words(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "=?utf-8?B?a?=",  # base64 that does not decode (the email package raises HeaderParseError)
        "=?no-such-charset?B?YWJj?=",
        "=?utf-8?B?/w==?=",  # a byte UTF-8 cannot decode
    ],
)
def test_broken_encoded_words_are_left_as_they_are(value: str) -> None:
    assert decode_words(value) == value
