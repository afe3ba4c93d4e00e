"""Whole pastes (issue #14): an error text is found wherever it stands in an input, by one linear scan;
several bounces in one paste give one entry each."""

from __future__ import annotations

from alimail_mcp.diagnosis.engine import diagnose_offline

LOG = "Jan  1 10:00:00 mx postfix/qmgr[123]: 4F2A1: from=<a@b.test>, size=1234, nrcpt=1 (queue active)\n"


def test_a_reply_after_a_megabyte_of_log_is_found() -> None:
    text = (
        LOG * (1_048_576 // len(LOG) + 1)
        + "550 5.1.1 <nobody@partner.test>: Recipient address rejected: User unknown\n"
    )
    result = diagnose_offline(text)
    found = [(r.reason, r.recipient) for r in result.recipients]
    assert found == [("userunknown", "nobody@partner.test")]
    assert (result.intent, result.path) == ("resolve-failure", "client-config")


def test_several_bounces_in_one_forwarded_thread() -> None:
    text = (
        "---------- Forwarded message ----------\n"
        + "Hi, see below.\n" * 400
        + "host mx.partner.test[192.0.2.10] said: 550 5.1.1 <a@partner.test>... User unknown\n"
        + "quoted text\n" * 400
        + "<b@other.test>: host mx.other.test[192.0.2.11] said: 452 4.2.2 Mailbox full"
        + " (in reply to RCPT TO command)\n"
    )
    result = diagnose_offline(text)
    assert [(r.reason, r.recipient) for r in result.recipients] == [
        ("userunknown", "a@partner.test"),
        ("mailboxfull", "b@other.test"),
    ]


def test_a_short_text_is_read_as_before() -> None:
    result = diagnose_offline("554 5.7.1 Reject by behaviour spam at Rcpt State")
    assert result.recipients[0].cause == "alimail.behaviour-spam"
