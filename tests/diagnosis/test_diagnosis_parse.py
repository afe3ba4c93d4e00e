"""Reading what users paste: whole messages (DSN, multi-recipient, mbox, broken MIME, charsets),
bare SMTP lines, not-failures, the input limit and garbage."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alimail_mcp.diagnosis.classify import MAX_INPUT_BYTES, analyze
from alimail_mcp.diagnosis.engine import diagnose_offline
from alimail_mcp.errors import InputError

DSN = """\
From: Mail Delivery System <MAILER-DAEMON@mx.shop.test>
To: sales@shop.test
Subject: Undelivered Mail Returned to Sender
Date: Tue, 04 Mar 2025 10:00:00 +0800
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY-one-two-three"

--BOUNDARY-one-two-three
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.shop.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

                   The mail system

<nobody@partner.test>: host mx.partner.test[198.51.100.25] said: 550 5.1.1
    <nobody@partner.test>: Recipient address rejected: User unknown in local
    recipient table (in reply to RCPT TO command)

<full@partner.test>: host mx.partner.test[198.51.100.25] said: 552 5.2.2
    <full@partner.test>: Mailbox full (in reply to RCPT TO command)

--BOUNDARY-one-two-three
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.test
Arrival-Date: Tue, 04 Mar 2025 09:59:58 +0800

Final-Recipient: rfc822; nobody@partner.test
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.partner.test
Diagnostic-Code: smtp; 550 5.1.1 <nobody@partner.test>: Recipient address rejected:
    User unknown in local recipient table

Final-Recipient: rfc822; full@partner.test
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.partner.test
Diagnostic-Code: smtp; 552 5.2.2 <full@partner.test>: Mailbox full

--BOUNDARY-one-two-three
Content-Type: message/rfc822

From: Sales <sales@shop.test>
To: nobody@partner.test, full@partner.test
Subject: Quote
Date: Tue, 04 Mar 2025 09:59:50 +0800

Hello.
--BOUNDARY-one-two-three--
"""


def test_multi_recipient_dsn() -> None:
    result = diagnose_offline(DSN)
    assert result.kind == "bounce"
    by_rcpt = {r.recipient: r for r in result.recipients}
    assert set(by_rcpt) == {"nobody@partner.test", "full@partner.test"}
    unknown, full = by_rcpt["nobody@partner.test"], by_rcpt["full@partner.test"]
    assert (unknown.reason, unknown.reply_code, unknown.enhanced_status) == ("userunknown", "550", "5.1.1")
    assert (full.reason, full.reply_code, full.enhanced_status) == ("mailboxfull", "552", "5.2.2")
    assert unknown.smtp_command == full.smtp_command == "RCPT"
    assert unknown.remote_host == "mx.partner.test"
    assert unknown.permanent is True and unknown.retry_helps is False
    assert full.retry_helps is True
    assert unknown.cause == "recipient.unknown" and full.cause == "recipient.mailbox-full"
    assert result.sender_domain == "shop.test"
    assert {f.code for f in result.findings} == {"recipient.unknown", "recipient.mailbox-full"}
    assert result.retry_helps is False
    assert "2 recipients failed" in result.summary


def test_delivery_status_field_names_in_lower_case() -> None:
    lowered = DSN
    for name in ("Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Reporting-MTA"):
        lowered = lowered.replace(f"{name}:", f"{name.lower()}:")
    result = diagnose_offline(lowered)
    assert [(r.recipient, r.reason, r.remote_host) for r in result.recipients] == [
        ("nobody@partner.test", "userunknown", "mx.partner.test"),
        ("full@partner.test", "mailboxfull", "mx.partner.test"),
    ]


def test_crlf_and_lf_read_the_same() -> None:
    lf = diagnose_offline(DSN)
    crlf = diagnose_offline(DSN.replace("\n", "\r\n"))
    assert [(r.recipient, r.reason, r.enhanced_status) for r in lf.recipients] == [
        (r.recipient, r.reason, r.enhanced_status) for r in crlf.recipients
    ]


def test_mbox_with_two_messages() -> None:
    second = DSN.replace("nobody@partner.test", "ghost@other.test").replace(
        "full@partner.test", "gone@other.test"
    )
    separator = "From MAILER-DAEMON Tue Mar  4 10:00:00 2025\n"
    mbox = f"{separator}{DSN}\n{separator}{second}"
    recipients = {r.recipient for r in diagnose_offline(mbox).recipients}
    assert recipients == {"nobody@partner.test", "full@partner.test", "ghost@other.test", "gone@other.test"}


def test_every_bounce_of_an_mbox_is_read_even_without_recipient_lines() -> None:
    # Bounces that name no recipient are read as error texts, each one, not only the first.
    bounce = (
        "From: MAILER-DAEMON@mx.shop.test\nTo: sales@shop.test\n"
        "Subject: Undelivered Mail Returned to Sender\n\n{reply}\n"
    )
    separator = "From MAILER-DAEMON Tue Mar  4 10:00:00 2025\n"
    mbox = separator + bounce.format(reply="550 5.1.1 user unknown") + "\n" + separator
    mbox += bounce.format(reply="552 5.2.2 mailbox full")
    result = diagnose_offline(mbox)
    assert result.kind == "bounce"
    assert [r.reason for r in result.recipients] == ["userunknown", "mailboxfull"]


def test_text_readings_of_an_mbox_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from alimail_mcp.diagnosis import classify

    monkeypatch.setattr(classify, "MAX_TEXT_READINGS", 3)
    bounce = "From MAILER-DAEMON Tue Mar  4 10:00:00 2025\nFrom: MAILER-DAEMON@mx.shop.test\n"
    bounce += "Subject: Undelivered Mail\n\n550 5.1.1 user unknown\n\n"
    assert len(classify.analyze(bounce * 5).items) == 3


def test_lost_boundary_parameter_is_recovered() -> None:
    # A broken fold puts boundary= on a line of its own: the part's body still holds the parts.
    broken = DSN.replace(
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY-one-two-three"',
        'Content-Type: multipart/report; report-type=delivery-status;\nboundary="BOUNDARY-one-two-three"',
    )
    assert {r.reason for r in diagnose_offline(broken).recipients} == {"userunknown", "mailboxfull"}


def test_wrong_charset_label_and_base64_chinese_body() -> None:
    text = "您发送的邮件未能送达。\n收件人：wang@partner.test\n原因：550 收件人地址不存在\n"
    body = base64.b64encode(text.encode("gb18030")).decode()
    message = (
        "From: postmaster@shop.test\nTo: li@shop.test\nSubject: 系统退信\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n\n' + body + "\n"
    )
    result = diagnose_offline(message)
    assert result.kind == "bounce"
    assert result.recipients[0].recipient == "wang@partner.test"
    assert result.recipients[0].reason == "userunknown"
    mislabeled = message.replace('charset="gb2312"', 'charset="x-no-such-charset"')
    assert diagnose_offline(mislabeled).kind in ("bounce", "error_text", "unrecognized")


def test_bare_reply_line_fields() -> None:
    result = diagnose_offline(
        "RCPT TO:<ghost@partner.test> 550-5.1.1 The email account that you tried to reach does not exist."
    )
    first = result.recipients[0]
    assert result.kind == "error_text"
    assert (first.recipient, first.reply_code, first.enhanced_status, first.reason) == (
        "ghost@partner.test",
        "550",
        "5.1.1",
        "userunknown",
    )


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("AccountDisabled: this account has been disabled by the administrator", "alimail.account-disabled"),
        ("Error: 550 5.1.1 <ghost@partner.test>: user unknown\nServer: mx.partner.test", "recipient.unknown"),
    ],
)
def test_a_text_with_a_colon_is_not_a_header_block(text: str, cause: str) -> None:
    # `Name: value` lines look like header fields; without any field a message has, they are the error.
    result = diagnose_offline(text)
    assert result.kind == "error_text"
    assert result.recipients[0].cause == cause


def test_pasted_delivery_status_fields_are_read() -> None:
    fields = (
        "Final-Recipient: rfc822; ghost@partner.test\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <ghost@partner.test>: user unknown\n"
    )
    first = diagnose_offline(fields).recipients[0]
    assert (first.recipient, first.reason, first.enhanced_status) == (
        "ghost@partner.test",
        "userunknown",
        "5.1.1",
    )


def test_postfix_line_names_the_command_it_answered() -> None:
    # "(in reply to RCPT TO command)": refused at RCPT, so "access denied" is about the recipient.
    line = (
        "<ghost@partner.test>: host mx.partner.test[198.51.100.25] said: 554 5.7.1 <ghost@partner.test>: "
        "Recipient address rejected: Access denied (in reply to RCPT TO command)"
    )
    first = diagnose_offline(line).recipients[0]
    assert (first.smtp_command, first.reason) == ("RCPT", "userunknown")


@pytest.mark.parametrize(
    ("text", "recipient"),
    [
        ("553 5.7.1 <boss@gmail.com>: Sender address rejected: not owned by user clerk@shop.test", None),
        ("550 5.7.1 Message from sales@shop.test failed to meet SPF requirements", None),
        ('The server "smtp.partner.test" rejected the password for user "sales@shop.test".', None),
        ("553 5.1.8 <sales@shop.test>... Domain of sender address sales@shop.test does not exist", None),
        ("MAIL FROM:<a@shop.test> RCPT TO:<ghost@partner.test> 550 5.1.1 user unknown", "ghost@partner.test"),
        ("550 5.1.1 <ghost@partner.test>: Recipient address rejected: User unknown", "ghost@partner.test"),
        ("发件人：sales@shop.test 收件人：ghost@partner.test 退信原因：550 用户不存在", "ghost@partner.test"),
    ],
)
def test_a_bare_text_names_the_recipient_not_the_sender(text: str, recipient: str | None) -> None:
    first = diagnose_offline(text).recipients[0]
    assert first.recipient == recipient
    # the sender's domain (gmail.com above) does not make the refusal Gmail's
    assert first.receiver is None


def test_vacation_auto_reply_is_not_a_failure() -> None:
    reply = (
        "From: Wang Wei <wang@partner.test>\nTo: sales@shop.test\nSubject: Automatic reply: Quote\n"
        "Auto-Submitted: auto-replied\nDate: Tue, 04 Mar 2025 10:00:00 +0800\n\n"
        "I am out of the office until Monday and will answer when I am back.\n"
    )
    result = diagnose_offline(reply)
    assert result.kind == "not_a_failure"
    assert [(r.reason, r.permanent) for r in result.recipients] == [("vacation", None)]
    assert result.intent is None and result.next_steps == []
    assert result.findings[0].code == "not-a-failure.vacation"


def test_feedback_report_is_not_a_failure() -> None:
    report = """\
From: feedback@isp.test
To: abuse@shop.test
Subject: Complaint about message from 198.51.100.5
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf-boundary-1234567"

--arf-boundary-1234567
Content-Type: text/plain

This is an email abuse report for an email message received from IP 198.51.100.5.

--arf-boundary-1234567
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ReportBot/1.0
Version: 1
Original-Rcpt-To: <reader@isp.test>
Source-IP: 198.51.100.5

--arf-boundary-1234567
Content-Type: message/rfc822

From: news@shop.test
To: reader@isp.test
Subject: Offers

Buy now.
--arf-boundary-1234567--
"""
    result = diagnose_offline(report)
    assert result.kind == "not_a_failure"
    assert [(r.recipient, r.reason) for r in result.recipients] == [("reader@isp.test", "feedback")]


def test_delivery_report_is_not_a_failure() -> None:
    report = """\
From: MAILER-DAEMON@mx.shop.test
To: sales@shop.test
Subject: Successful Mail Delivery Report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary-7777777"

--dsn-boundary-7777777
Content-Type: text/plain

This is the mail system at host mx.shop.test.
Your message was successfully delivered to the destination(s) listed below.

--dsn-boundary-7777777
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.test

Final-Recipient: rfc822; wang@partner.test
Action: delivered
Status: 2.0.0
Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4F1A2

--dsn-boundary-7777777--
"""
    result = diagnose_offline(report)
    assert [(r.recipient, r.reason, r.permanent) for r in result.recipients] == [
        ("wang@partner.test", "delivered", None)
    ]
    assert result.kind == "not_a_failure" and result.retry_helps is False


def test_a_message_that_is_not_a_bounce() -> None:
    mail = "From: friend@partner.test\nTo: me@shop.test\nSubject: Lunch\n\nShall we meet at noon?\n"
    result = diagnose_offline(mail)
    assert result.kind == "unrecognized" and result.recipients == [] and result.intent is None


def test_bounce_text_is_evidence_only() -> None:
    marker = "zzqqxx-private-text-qqzz"
    result = diagnose_offline(f"550 5.1.1 <a@partner.test>: user unknown {marker}")
    assert marker in result.recipients[0].diagnostic
    assert marker not in result.summary and all(marker not in s for s in result.next_steps)
    assert all(marker not in f.title and marker not in f.detail for f in result.findings)


def test_diagnostic_is_truncated() -> None:
    result = diagnose_offline("550 5.1.1 user unknown " + "x" * 5000)
    assert len(result.recipients[0].diagnostic) <= 300


def test_input_limit_and_empty_input() -> None:
    with pytest.raises(InputError) as info:
        diagnose_offline("5" * (MAX_INPUT_BYTES + 1))
    assert info.value.field == "error_text"
    with pytest.raises(InputError) as info:
        diagnose_offline("   \n ")
    assert info.value.field == "error_text"
    with pytest.raises(InputError) as info:
        diagnose_offline("550 user unknown", domain="not a domain")
    assert info.value.field == "domain"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_garbage_bytes_never_crash(data: bytes) -> None:
    analysis = analyze(data)
    assert analysis.kind in ("bounce", "error_text", "not_a_failure", "unrecognized")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "From: x@y.test\n",
                "Content-Type: multipart/mixed; boundary=zz\n",
                "--zz\n",
                "\n",
                "Content-Type: message/delivery-status\n",
                "Final-Recipient: rfc822; a@b.test\n",
                "Status: 5.1.1\n",
                "Diagnostic-Code: smtp; 550 x\n",
                "Content-Transfer-Encoding: base64\n",
                "=?utf-8?b?5L2g5aW9?=\n",
                "Subject: Undelivered Mail Returned to Sender\n",
                "<<< 550 no\n",
                "Content-Type: message/rfc822\n",
                "--zz--\n",
                "\x00\xff",
                "550 5.7.26 gsmtp\n",
            ]
        ),
        max_size=40,
    )
)
def test_malformed_messages_never_crash(parts: list[str]) -> None:
    result = diagnose_offline("".join(parts) + "x")
    assert result.kind in ("bounce", "error_text", "not_a_failure", "unrecognized")


def test_forwarded_notification_is_read_from_the_attachment() -> None:
    wrapper = (
        "From: helpdesk@shop.test\nTo: admin@shop.test\nSubject: Fwd: please check this\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="outer-boundary-5555555"\n\n'
        "--outer-boundary-5555555\nContent-Type: text/plain\n\nCan you look at the attached bounce?\n\n"
        "--outer-boundary-5555555\nContent-Type: message/rfc822\n\n" + DSN + "\n--outer-boundary-5555555--\n"
    )
    result = diagnose_offline(wrapper)
    assert result.kind == "bounce"
    assert {r.recipient for r in result.recipients} == {"nobody@partner.test", "full@partner.test"}


def test_many_recipients_are_listed_up_to_the_limit() -> None:
    lines = "".join(
        f"<u{i}@partner.test>: host mx.partner.test[198.51.100.1] said: 550 5.1.1 user unknown"
        " (in reply to RCPT TO command)\n\n"
        for i in range(250)
    )
    bounce = f"From: MAILER-DAEMON@mx.shop.test\nSubject: Undelivered Mail Returned to Sender\n\n{lines}"
    result = diagnose_offline(bounce)
    assert result.recipients_total == 250 and len(result.recipients) == 200
    assert result.findings[0].code == "recipient.unknown" and "250 recipients failed" in result.summary
