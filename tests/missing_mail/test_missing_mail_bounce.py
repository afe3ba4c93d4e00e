"""The bounce as a missing-mail signal: the replies quoted in it, the most specific reading, the phrases
that tell a blacklist from the Strict level or a disabled account, and deferrals."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from alimail_mcp.diagnosis.classify import analyze
from alimail_mcp.missing_mail.bounce import reading_of, server_replies
from alimail_mcp.missing_mail.knowledge import load_missing_mail

KB = load_missing_mail()


def read(text: str, domain: str = "acme.test") -> tuple[str | None, str | None]:
    reading = reading_of(text, KB, domain, analyze)
    return reading.signal, reading.diagnostic


def test_replies_are_found_where_bounces_quote_them() -> None:
    text = (
        "Date: Tue, 11 Jun 2024 02:14:09 -0700\n"
        "The server on port 465 is used for submission\n"
        "<bob@acme.test>: host mx1.qiye.aliyun.com[203.0.113.1] said: 554 5.7.1\n"
        "    Reject: in blacklist (in reply to RCPT TO command)\n"
        "Remote Server returned '550 5.1.1 User unknown'\n"
        "Diagnostic-Code: smtp; 550 5.7.1 SPF check failed\n"
        "对方服务器返回：552 Mailbox is full\n"
        "[Message=451 4.4.0 DNS query failed]\n"
        "The response was:\n"
        "451 4.7.1 Try again later\n"
    )
    assert server_replies(text) == [
        "554 5.7.1 Reject: in blacklist (in reply to RCPT TO command)",
        "550 5.1.1 User unknown",
        "550 5.7.1 SPF check failed",
        "552 Mailbox is full",
        "451 4.4.0 DNS query failed]",
        "451 4.7.1 Try again later",
    ]
    assert server_replies("Gmail will retry for 45 more hours; size 5500 KB") == []


def test_a_bare_delivery_status_block_is_read_through_its_diagnostic_code() -> None:
    text = (
        "Final-Recipient: rfc822; bob@acme.test\nAction: failed\nStatus: 5.7.1\n"
        "Remote-MTA: dns; mx1.qiye.aliyun.com\n"
        "Diagnostic-Code: smtp; 550 5.7.1 SPF check failed: 198.51.100.23 is not allowed to send mail\n"
        "    from vendor.test\n"
    )
    reading = reading_of(text, KB, "acme.test", analyze)
    assert reading.read and reading.signal == "bounce.spf-failed"
    assert reading.recipient == "bob@acme.test" and reading.about_this_domain is True
    assert reading.diagnostic is not None and "SPF check failed" in reading.diagnostic


def test_a_wrapped_reply_names_the_cause() -> None:
    gmail = (
        "** Address not found **\n\nYour message wasn't delivered to bbo@acme.test because the address "
        "couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n"
        "550 Mailbox not found. [bbo@acme.test]\n"
    )
    signal, diagnostic = read(gmail)
    assert signal == "bounce.no-such-user"
    assert diagnostic is not None and "550 Mailbox not found" in diagnostic


@pytest.mark.parametrize(
    ("reply", "signal"),
    [
        (
            "554 5.7.1 Rejected by anti-spam policy: sender is not in the recipient's whitelist",
            "bounce.not-whitelisted",
        ),
        ("554 5.7.1 收件人只接收白名单中的发件人", "bounce.not-whitelisted"),
        ("554 5.7.1 Reject: sender sales@vendor.test is in the recipient's blacklist", "bounce.blacklisted"),
        ("550 5.2.1 Mailbox disabled, not accepting messages", "bounce.suspended"),
        ("551 RCPT (bob.chen@acme.test) dosn't exist", "bounce.no-such-user"),
    ],
)
def test_phrases_name_the_missing_mail_cause(reply: str, signal: str) -> None:
    text = (
        f"<bob@acme.test>: host mx1.qiye.aliyun.com[203.0.113.1] said: {reply} (in reply to RCPT TO command)"
    )
    assert read(text)[0] == signal


def test_phrases_refine_only_broad_readings() -> None:
    # An exact catalog cause keeps its signal even when a phrase of another cause appears.
    assert (
        read("550 (13)ESO_LOCAL_SPAM: spamed by local spam engine; whitelist the sender")[0]
        == "bounce.local-spam"
    )


def test_a_deferral_is_a_delay_not_a_block() -> None:
    gmail = (
        "** Delivery incomplete **\n\nThere was a temporary problem delivering your message to bob@acme.test."
        " Gmail will retry for 45 more hours.\n\nThe response from the remote server was:\n"
        "451 4.7.1 Try again later, closing connection. (greylisted)\n"
    )
    assert read(gmail)[0] == "bounce.temporary"


def test_a_refusal_by_the_senders_own_system_points_at_the_sender() -> None:
    assert read("502 Mailfrom account is a local account")[0] == "bounce.sender-side"


def test_text_without_a_failure_is_not_read() -> None:
    assert reading_of("thanks, got it", KB, "acme.test", analyze).read is False


def test_an_auto_reply_is_no_bounce() -> None:
    from alimail_mcp.missing_mail.signals import from_bounce

    text = "From: bob@acme.test\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nBack on Monday."
    reading = reading_of(text, KB, "acme.test", analyze)
    assert reading.read and not reading.failed and reading.signal is None
    assert from_bounce(reading) == {}
    refused = reading_of("550 5.1.1 User unknown", KB, "acme.test", analyze)
    assert refused.failed and "symptom.sender_got_bounce" not in from_bounce(refused)


# --- with a stand-in classifier: the choice between readings, independent of the catalog's contents ---


@dataclass
class _Cause:
    id: str


@dataclass
class _Fact:
    reason: str
    diagnosis: str
    recipient: str = ""
    reply_code: str = ""
    status: str = ""

    @property
    def failed(self) -> bool:
        return True


@dataclass
class _Item:
    fact: _Fact
    cause: _Cause | None
    permanent: bool | None = True
    matched: bool = True


@dataclass
class _Analysis:
    items: list[_Item] = field(default_factory=list)


def stand_in(readings: dict[str, _Item]) -> object:
    def analyze(text: str) -> _Analysis:
        for key, item in readings.items():
            if key in text:
                return _Analysis([item])
        return _Analysis()

    return analyze


def test_a_specific_reply_beats_a_broad_reading_of_the_whole() -> None:
    whole = "WRAPPER\n550 5.1.1 <x@acme.test> REPLY\n"
    fake = stand_in(
        {
            "WRAPPER": _Item(_Fact("filtered", "wrapper words", "x@acme.test"), _Cause("recipient.filtered")),
            "REPLY": _Item(_Fact("userunknown", "550 5.1.1 REPLY"), _Cause("recipient.unknown")),
        }
    )
    reading = reading_of(whole, KB, "acme.test", fake)  # type: ignore[arg-type]
    assert reading.signal == "bounce.no-such-user" and reading.cause == "recipient.unknown"
    assert reading.recipient == "x@acme.test" and reading.diagnostic == "550 5.1.1 <x@acme.test> REPLY"


def test_a_specific_whole_reading_is_kept() -> None:
    fake = stand_in({"": _Item(_Fact("mailboxfull", "552 full"), _Cause("recipient.mailbox-full"))})
    reading = reading_of("552 full\n550 5.1.1 other", KB, "acme.test", fake)  # type: ignore[arg-type]
    assert reading.signal == "bounce.mailbox-full" and reading.diagnostic == "552 full"


def test_a_temporary_broad_refusal_is_a_deferral() -> None:
    fake = stand_in(
        {"": _Item(_Fact("blocked", "421 4.7.0 later"), _Cause("sender.policy"), permanent=False)}
    )
    assert reading_of("421 4.7.0 later", KB, "acme.test", fake).signal == "bounce.temporary"  # type: ignore[arg-type]
