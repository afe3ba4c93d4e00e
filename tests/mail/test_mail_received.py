"""mail.received and mail.dates: Received fields read clause by clause, and as bounce readers read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from alimail_mcp.mail.dates import parse_date
from alimail_mcp.mail.received import parse_received, received_hosts

CST = timezone(timedelta(hours=8))
POSTFIX = (
    "from mail.example.org (mail.example.org [203.0.113.5]) by MX1.Example.NET (Postfix) "
    "with ESMTPS id 4AB; Mon, 1 Jan 2024 10:00:00 +0800 (CST)"
)


def test_parse_received_reads_each_clause() -> None:
    hop = parse_received(POSTFIX)
    assert (hop.from_host, hop.from_ip, hop.by_host, hop.protocol) == (
        "mail.example.org",
        "203.0.113.5",
        "mx1.example.net",
        "ESMTPS",
    )
    assert hop.when == datetime(2024, 1, 1, 2, 0, tzinfo=UTC)


def test_parse_received_without_a_from_clause() -> None:
    hop = parse_received("by 10.0.0.1 with SMTP id x; Tue, 2 Jan 2024 03:04:05 -0000")
    assert (hop.from_host, hop.from_ip, hop.by_host, hop.protocol) == (None, None, "10.0.0.1", "SMTP")


def test_received_hosts_is_the_bounce_readers_reading() -> None:
    # As written (case kept), the from-host the dotted name of the from-clause.
    assert received_hosts(POSTFIX) == ("mail.example.org", "MX1.Example.NET")
    # No dotted name: the first public address.
    assert received_hosts("from unknown (HELO x) [192.168.1.2] (198.51.100.7) by mx.example.org") == (
        "198.51.100.7",
        "mx.example.org",
    )
    assert received_hosts("by relay.example.org (Postfix, from userid 0) id 1") == (
        "relay.example.org",
        "relay.example.org",
    )
    assert received_hosts("(qmail 123 invoked by uid 0); 1 Jan 2024") == ("", "")
    assert received_hosts("nothing here") == ("", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mon, 1 Jan 2024 10:00:00 +0800 (CST)",
            datetime(2024, 1, 1, 10, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("1 Jan 2024 10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("Mon, 1 Jan 1970 10:00:00 +0000", None),
        ("(just a comment)", None),
        ("not a date", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected
