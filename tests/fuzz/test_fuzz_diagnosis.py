"""Fuzzing the text readers: SMTP replies, bounces (any text, MIME-shaped or not) and message headers.

Any input gives a result of the documented shape or an InputError naming the argument; nothing else
escapes. The header reader belongs to diagnose_missing_mail and is skipped until it is installed.
"""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alimail_mcp.diagnosis import smtp
from alimail_mcp.diagnosis.classify import analyze
from alimail_mcp.diagnosis.engine import diagnose, diagnose_offline
from alimail_mcp.errors import InputError
from tests.support.fuzzing import FuzzClient, tried, zones

REPLY_PIECES = st.sampled_from(
    [
        "550", "5.1.1", "554 5.7.1", "421 4.7.0", "452", "4.2.2", "250 OK", "252", "5.7.26", "192.0.2.1",
        "10.5.1.1", "[192.0.2.55]", "<bob@example.test>", "RCPT TO", "in reply to RCPT TO command",
        "in reply to end of DATA command", "MAIL FROM", "User unknown", "mailbox full",
        "Recipient address rejected",
        "ESO_LOCAL_SPAM", "spam", "SPF", "DMARC", "rate limited", "greylisted", "temporarily", "permanent",
        "X-Unix;", "X-Postfix;", "smtp;", "--", "----=_Part_1", "\n", "\r\n", "\t", ":", ";", "5.", ".1.",
        "发信频率", "退信", "被拒绝", "邮箱已满", "🙂", "\x00",
    ]
)  # fmt: skip
REPLY = st.one_of(st.text(max_size=200), st.lists(REPLY_PIECES, max_size=20).map(" ".join))

HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Subject", "Date", "Received", "Return-Path", "Message-ID", "Content-Type",
        "MIME-Version", "Authentication-Results", "Received-SPF", "ARC-Authentication-Results",
        "X-Spam-Status", "X-Spam-Flag", "X-Failed-Recipients", "Auto-Submitted", "X-Mailer",
        "Content-Transfer-Encoding", "Reporting-MTA", "Final-Recipient", "Original-Recipient", "Action",
        "Status", "Diagnostic-Code", "Remote-MTA", "Arrival-Date", "X-Microsoft-Antispam",
        "X-Forefront-Antispam-Report",
        "X-Original-To", "Delivered-To", "DKIM-Signature", "", " ", "Bad Name",
    ]
)  # fmt: skip
HEADER_VALUES = st.one_of(
    REPLY,
    st.sampled_from(
        [
            "MAILER-DAEMON@mx.example.test", "Mail Delivery System <MAILER-DAEMON@example.test>",
            "Undelivered Mail Returned to Sender",
            "multipart/report; report-type=delivery-status; boundary=b",
            'multipart/mixed; boundary="b"', "multipart/report; boundary=", "text/plain; charset=gb2312",
            "text/plain; charset=x-unknown", "base64", "quoted-printable", "=?utf-8?B?6YCA5L+h?=",
            "=?gb2312?Q?=CD=CB=D0=C5?=", "=?bad?X?zz?=", "rfc822; bob@example.test", "failed", "5.1.1",
            "smtp; 550 5.1.1 user unknown", "dns; mx.example.test",
            "from a.test (a.test [192.0.2.1]) by mx1.qiye.aliyun.com with ESMTPS id x;"
            "\r\n Mon, 6 May 2024 10:00:05 +0800",
            "from b.test by c.test; Thu, 31 Dec 9999 23:59:59 -2359", "by x; 32 Foo 2024 25:61:61 +9999",
            "mx1.qiye.aliyun.com; spf=pass smtp.mailfrom=a.test; dkim=fail header.d=b.test;"
            " dmarc=fail header.from=c.test",
            "mx; dkim=pass (comment (nested)) header.i=@x.test; arc=none", "Yes, score=12.5 required=5.0",
            "CIP:192.0.2.1;CTRY:;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;", "none", "Pass (sender SPF authorized)",
        ]
    ),
)  # fmt: skip
BODY_LINES = st.one_of(REPLY, HEADER_NAMES.flatmap(lambda n: HEADER_VALUES.map(lambda v: f"{n}: {v}")))


@st.composite
def messages(draw: st.DrawFn) -> str:
    """Text shaped like a bounce: header fields, maybe MIME parts with a delivery-status part, noise."""
    head = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=10))
    lines = [f"{n}: {v}" for n, v in head]
    if draw(st.booleans()):
        lines += ['Content-Type: multipart/report; report-type=delivery-status; boundary="b"', ""]
        for kind in draw(st.lists(st.sampled_from(["text/plain", "message/delivery-status",
                                                   "message/rfc822", "text/rfc822-headers", "text/html"]),
                                  max_size=4)):  # fmt: skip
            lines += ["--b", f"Content-Type: {kind}", ""]
            lines += draw(st.lists(BODY_LINES, max_size=8))
            lines.append("")
        if draw(st.booleans()):
            lines.append("--b--")
    else:
        lines.append("")
        lines += draw(st.lists(BODY_LINES, max_size=12))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(lines)


TEXTS = st.one_of(REPLY, messages(), st.binary(max_size=300).map(lambda b: b.decode("latin-1")))


@given(REPLY)
def test_smtp_reply_readers(text: str) -> None:
    tried("diagnosis.smtp")
    status = smtp.find_status(text)
    assert status == "" or status in text
    reply = smtp.find_reply(text)
    assert reply == "" or (len(reply) == 3 and reply.isdigit())
    assert smtp.find_command(text) in ("", *smtp.COMMANDS)
    assert smtp.permanence(status, reply, text) in (True, False, None)
    smtp.sweep(text)


@given(st.one_of(TEXTS, st.binary(max_size=400)))
def test_bounce_reader(data: str | bytes) -> None:
    tried("diagnosis.analyze")
    analyze(data)


@given(TEXTS, st.one_of(st.none(), st.sampled_from(["example.test", "bad domain", "例子.test", ""])))
def test_diagnosis_offline(text: str, domain: str | None) -> None:
    tried("diagnosis.diagnose_offline")
    try:
        result = diagnose_offline(text, domain=domain)
    except InputError as exc:
        assert exc.field in ("error_text", "domain")
        return
    assert result.summary


@given(TEXTS, zones())
async def test_diagnosis_with_dns(text: str, zone: dict) -> None:  # type: ignore[type-arg]
    tried("diagnosis.diagnose")
    try:
        result = await diagnose(text, domain="example.test", client=FuzzClient(zone))
    except InputError as exc:
        assert exc.field == "error_text"
        return
    assert result.summary


HEADERS_INSTALLED = importlib.util.find_spec("alimail_mcp.headers.analyze") is not None


@pytest.mark.skipif(
    not HEADERS_INSTALLED, reason="the header reader (diagnose_missing_mail) is not installed"
)
@given(TEXTS, st.lists(st.sampled_from(["mx1.qiye.aliyun.com", "mx.other.test", ""]), max_size=2))
def test_header_reader(text: str, mx_hosts: list[str]) -> None:
    from alimail_mcp.headers.analyze import analyze_headers

    tried("headers.analyze_headers")
    try:
        analysis = analyze_headers(text, mx_hosts=mx_hosts, foreign_mx=["mx.other.test"])
    except InputError as exc:
        assert exc.field == "headers"
        return
    assert analysis.fields >= 1
