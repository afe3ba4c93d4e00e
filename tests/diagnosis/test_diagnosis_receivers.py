"""The receiver decides what a code means: the same enhanced code from Gmail, Microsoft, Yahoo or
anyone else leads to different causes, and the receiver is found from the text, the remote host or
the recipient's domain."""

from __future__ import annotations

from alimail_mcp.diagnosis.engine import diagnose_offline
from alimail_mcp.diagnosis.receiver import detect


def first(text: str) -> tuple[str | None, str | None, str]:
    r = diagnose_offline(text).recipients[0]
    return r.receiver, r.cause, r.reason


def test_5_7_26_at_gmail_and_elsewhere() -> None:
    gmail = "550-5.7.26 Unauthenticated email from shop.test is not accepted. 550 5.7.26 abc123 - gsmtp"
    other = "550 5.7.26 Multiple authentication checks failed"
    assert first(gmail)[:2] == ("google", "google.authentication-required")
    receiver, cause, reason = first(other)
    assert receiver is None and cause != "google.authentication-required"
    assert reason == "authfailure"  # RFC 7372: multiple authentication checks failed


def test_5_7_27_means_spf_at_gmail_but_null_mx_in_the_registry() -> None:
    gmail = "550-5.7.27 The sender's domain does not pass SPF. 550 5.7.27 - gsmtp"
    other = "550 5.7.27 Recipient domain has null MX"
    assert first(gmail) == ("google", "google.spf-not-passed", "authfailure")
    assert first(other)[2] == "notaccept"


def test_gmail_recognised_by_remote_host_without_the_gsmtp_marker() -> None:
    dsn = """\
From: MAILER-DAEMON@mx.shop.test
To: sales@shop.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="gmail-boundary-424242"

--gmail-boundary-424242
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.test

Final-Recipient: rfc822; friend@gmail.com
Action: failed
Status: 5.7.30
Remote-MTA: dns; gmail-smtp-in.l.google.com
Diagnostic-Code: smtp; 550 5.7.30 DKIM did not pass for this message

--gmail-boundary-424242--
"""
    r = diagnose_offline(dsn).recipients[0]
    assert (r.receiver, r.cause) == ("google", "google.dkim-not-passed")


def test_microsoft_codes() -> None:
    text = (
        "550 5.7.606 Access denied, banned sending IP [198.51.100.7]. (AS16012609) "
        "[DB5EUR03FT011.eop-EUR03.prod.protection.outlook.com]"
    )
    assert first(text)[:2] == ("microsoft", "microsoft.banned-ip")
    assert first("550 5.7.606 Access denied")[1] != "microsoft.banned-ip"
    assert (
        first(
            "550 5.7.515 Access denied, sending domain shop.test doesn't meet the required "
            "authentication level. outlook.com"
        )[1]
        == "microsoft.high-volume-auth"
    )


def test_yahoo_tss04_is_temporary() -> None:
    r = diagnose_offline(
        "421 4.7.0 [TSS04] Messages from 198.51.100.20 temporarily deferred due to user complaints"
    ).recipients[0]
    assert (r.receiver, r.cause, r.permanent, r.retry_helps) == (
        "yahoo",
        "yahoo.temporary-deferral",
        False,
        True,
    )


def test_yahoo_5_7_9_is_dmarc_policy_only_at_yahoo() -> None:
    assert (
        first(
            "554 5.7.9 Message not accepted for policy reasons. See https://senders.yahooinc.com/error-codes"
        )[1]
        == "yahoo.dmarc-policy"
    )
    assert first("554 5.7.9 Authentication mechanism is too weak")[1] != "yahoo.dmarc-policy"


def test_detect_order() -> None:
    assert detect("550 5.7.1 blocked - gsmtp", "mx.partner.test", "partner.test") == "google"
    assert detect("550 blocked", "mx1.qiye.aliyun.com", "") == "alibaba"
    assert detect("550 blocked", "", "someone@163.com".rpartition("@")[2]) == "netease"
    assert detect("550 blocked", "mx.partner.test", "partner.test") is None


def test_mimecast_is_read_by_its_own_table_whatever_the_dashes() -> None:
    # Mimecast's documentation writes "header-based" and an en dash; its replies a space and a hyphen.
    link = "https://community.mimecast.com/docs/DOC-1369#550"
    spoofing = f"550 Rejected by header based Anti-Spoofing policy: sales@shop.test - {link} [a1b2c3.uk1]"
    assert first(spoofing) == ("mimecast", "sender.policy", "policyviolation")
    user_entry = f"550 Envelope blocked - User Entry - {link} [d4e5f6.us2]"
    assert first(user_entry) == ("mimecast", "recipient.filtered", "rejected")
    assert first(user_entry.replace(link, "see your gateway"))[0] is None


def test_the_sending_client_quoted_in_a_refusal_is_not_the_receiver() -> None:
    # Postfix quotes the refused client as `<host[ip]>: Client host rejected`; that host is the sender's.
    refused = first("554 5.7.1 <smtp.qiye.aliyun.com[203.0.113.5]>: Client host rejected: Access denied")
    assert refused[0] is None
    remote = diagnose_offline("connect to gmail-smtp-in.l.google.com[142.250.1.27]:25: Connection timed out")
    assert (remote.recipients[0].receiver, remote.recipients[0].remote_host) == (
        "google",
        "gmail-smtp-in.l.google.com",
    )


def test_a_quoted_sender_address_does_not_name_the_receiver() -> None:
    # Markers are the receiver's wording; a sender at yahoo.com or outlook.com quoted in someone
    # else's refusal is not Yahoo's or Microsoft's 5.7.9 / 5.7.515.
    assert first("554 5.7.9 Message from me@yahoo.com refused for policy reasons")[:2] != (
        "yahoo",
        "yahoo.dmarc-policy",
    )
    assert first("550 5.7.515 Mail from me@outlook.com refused")[0] is None
    assert (
        first("554 delivery error: dd This user doesn't have a yahoo.com account - mta7.mail.yahoo.com")[0]
        == "yahoo"
    )
