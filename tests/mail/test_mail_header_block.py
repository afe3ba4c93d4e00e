"""mail.header_block: one reader for header blocks a program wrote and header blocks a person pasted."""

from __future__ import annotations

from email.header import Header

import pytest

from alimail_mcp.mail.header_block import (
    first_values,
    looks_like_message,
    read_header_block,
    unfold,
    without_comments,
)


def pairs(text: str, **options: object) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in read_header_block(text, **options).fields]  # type: ignore[arg-type]


def test_fields_in_order_with_folded_lines_joined_and_repeats_kept() -> None:
    block = read_header_block(
        "Received: from a.example\n\tby b.example; Mon, 1 Jan 2024\nReceived: by c.example\n"
        "Subject: two\n  lines\n\nbody: not a field\n"
    )
    assert block.all("received") == ["from a.example by b.example; Mon, 1 Jan 2024", "by c.example"]
    assert block.first("subject") == "two lines"
    assert block.first("body") is None and block.first("to") is None
    assert not block.truncated


def test_a_written_block_ends_a_field_at_a_line_that_is_neither_field_nor_fold() -> None:
    text = "To: a@example.org\nnot a field\n  folded under the stray line\nX_Name: underscore\nFrom: b\n"
    assert pairs(text) == [("to", "a@example.org"), ("from", "b")]


def test_a_written_block_ends_only_at_an_empty_line() -> None:
    assert pairs("To: a\n \nFrom: b\n\nCc: c") == [("to", "a"), ("from", "b")]
    assert pairs("\n\nTo: a") == [("to", "a")]


def test_first_values_keep_the_first_of_repeated_names() -> None:
    text = "Subject: one\nsubject: two\nFrom: a\n  folded\nnot a field\n  dropped\n\nTo: body"
    assert first_values(text) == {"subject": "one", "from": "a folded"}


def test_a_pasted_block_skips_title_and_mbox_lines_and_refolds_lost_indentation() -> None:
    text = (
        "\r\nOriginal message headers:\r\nFrom alice@example.com Mon Jan  1 00:00:00 2024\r\n"
        "Received: from a.example\r\nby b.example\r\nFrom bob Tue\r\nX_Spam: yes\r\n \r\nTo: later"
    )
    assert pairs(text, pasted=True) == [("received", "from a.example by b.example"), ("x_spam", "yes")]


def test_encoded_words_are_decoded_only_when_asked() -> None:
    text = "Subject: =?utf-8?B?5L2g5aW9?= =?utf-8?B?a?=\nFrom: =?utf-8?Q?Zo=C3=AB?= <z@example.org>\n"
    assert pairs(text, decode=True) == [
        ("subject", "=?utf-8?B?5L2g5aW9?= =?utf-8?B?a?="),  # broken base64: left as it is
        ("from", "Zoë <z@example.org>"),
    ]
    assert pairs(text)[1] == ("from", "=?utf-8?Q?Zo=C3=AB?= <z@example.org>")


@pytest.mark.parametrize(
    ("options", "expected", "truncated"),
    [
        ({"max_fields": 2}, [("a", "1"), ("b", "2")], True),
        ({"max_fields": 3}, [("a", "1"), ("b", "2"), ("c", "3")], False),
        ({"max_chars": 9}, [("a", "1"), ("b", "2")], True),
    ],
)
def test_reading_stops_at_the_limits(
    options: dict[str, int], expected: list[tuple[str, str]], truncated: bool
) -> None:
    block = read_header_block("a: 1\nb: 2\nc: 3\n", pasted=True, **options)  # type: ignore[arg-type]
    assert [(f.name, f.value) for f in block.fields] == expected
    assert block.truncated is truncated


def test_unfold_joins_folds_of_text_and_of_header_objects() -> None:
    assert unfold("a\r\n\t b\n c ") == "a b c"
    assert unfold(Header("plain value")) == "plain value"


def test_without_comments_removes_nested_comments_innermost_first() -> None:
    assert without_comments("a (b (c) d) e", 1) == "a (b   d) e"
    assert " ".join(without_comments("a (b (c) d) e", 2).split()) == "a e"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"From: a@example.org\nSubject: hi\n\nbody", True),
        (b"From alice Mon Jan 1\nReceived: by x\n\nbody", True),
        (b"X-Custom: 1\n  folded\nMessage-ID: <1@x>\n\n", True),
        (b"Error: 550 5.1.1 user unknown", False),
        (b"AccountFrozen: yes\nReason: abuse\n", False),
        (b"550 5.1.1 <a@example.org>: user unknown\nFrom: x\n", False),
    ],
)
def test_looks_like_message(data: bytes, expected: bool) -> None:
    assert looks_like_message(data) is expected
