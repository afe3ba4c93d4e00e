"""mail.addresses: addresses found in free text."""

from __future__ import annotations

from alimail_mcp.mail.addresses import address_spans, find_addresses, first_address, is_address


def test_find_addresses_in_order_without_repeats_or_punctuation() -> None:
    text = 'to "Bob" <bob@example.org>, bob@example.org, .dave@example.com (x@y) carol@sub.example.net.'
    assert find_addresses(text) == ["bob@example.org", "dave@example.com", "carol@sub.example.net"]


def test_address_spans_keep_repeats_and_positions() -> None:
    text = "a@example.org b a@example.org"
    assert address_spans(text) == [("a@example.org", 0, 13), ("a@example.org", 16, 29)]


def test_first_address_prefers_the_bracketed_one() -> None:
    assert first_address("bounce for a@example.org from <postmaster@example.net>") == "postmaster@example.net"
    assert first_address("<root@localhost> said") == "root@localhost"
    assert first_address("no address") == ""


def test_is_address_takes_the_whole_text() -> None:
    assert is_address("user+tag@example.org") and is_address("root@localhost")
    assert not is_address("<user@example.org>") and not is_address("user at example.org")
