"""mail.mbox: an mbox split into its messages."""

from __future__ import annotations

from alimail_mcp.mail.mbox import split_mbox


def test_split_at_from_lines_without_them() -> None:
    data = (
        b"From a@example.org Mon Jan 1\nSubject: one\n\nbody\n"
        b"From b@example.org Tue Jan 2\nSubject: two\n\nx\n"
    )
    assert split_mbox(data) == [b"Subject: one\n\nbody", b"Subject: two\n\nx\n"]


def test_a_from_field_is_not_a_separator() -> None:
    data = b"Subject: one\n\nbody\nFrom: looks like a field\n"
    assert split_mbox(data) == [data]


def test_text_without_messages_is_kept_whole() -> None:
    assert split_mbox(b"\n") == [b"\n"]
