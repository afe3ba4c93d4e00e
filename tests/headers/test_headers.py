"""Header analysis: hops and delays, authentication verdicts and alignment, spam stamps, findings, input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alimail_mcp.errors import InputError
from alimail_mcp.headers.analyze import analyze_headers, primary
from alimail_mcp.headers.knowledge import load_headers
from alimail_mcp.headers.models import HeaderAnalysis
from alimail_mcp.headers.spam import read_spam
from alimail_mcp.mail.received import parse_received

DATA = Path(__file__).parents[1] / "data" / "headers"
ALIBABA_MX = ("mx1.qiye.aliyun.com", "mx2.qiye.aliyun.com", "mx3.qiye.aliyun.com")


def analyze(name: str, **options: object) -> HeaderAnalysis:
    text = (DATA / name).read_text(encoding="utf-8")
    return analyze_headers(text, mx_hosts=ALIBABA_MX, **options)  # type: ignore[arg-type]


def codes(analysis: HeaderAnalysis) -> list[str]:
    return [f.code for f in analysis.findings]


def test_delayed_hop_is_found_and_measured() -> None:
    a = analyze("delayed_hop.txt")
    assert [h.by_host for h in a.hops] == ["mail.partner.test", "mx1.qiye.aliyun.com", "smtp.aliyun-inc.com"]
    assert [h.number for h in a.hops] == [1, 2, 3]
    assert a.hops[0].delay_s == 3 and a.hops[0].from_ip == "10.0.0.12"
    slow = a.hops[1]
    assert slow.delay_s == 3 * 3600 + 12 and slow.delayed and slow.protocol == "ESMTPS"
    assert slow.by_provider is not None and "Alibaba" in slow.by_provider
    assert a.slowest_hop == 2 and a.total_delay_s == 3 * 3600 + 17
    assert a.reached_alibaba and a.sending_ip == "203.0.113.25"
    assert codes(a) == ["headers.hop-delayed"]
    finding = a.findings[0]
    assert "180 minutes" in finding.title and finding.evidence["hop"] == 2
    assert finding.evidence["by"] == "mx1.qiye.aliyun.com"
    # The body after the blank line is not a header.
    assert a.fields == 13 and a.message.subject == "Quarterly figures"
    assert a.spam_flagged is False


def test_spf_fail_with_the_sending_address_from_received_spf() -> None:
    a = analyze("spf_fail.txt")
    spf = primary(a.auth, "spf")
    assert spf is not None and (spf.result, spf.domain, spf.source) == (
        "fail",
        "shop.test",
        "authentication-results",
    )
    assert spf.authserv_id == "mx2.qiye.aliyun.com"
    assert "not in the SPF record" in spf.meaning
    assert a.sending_ip == "198.51.100.23"
    assert codes(a) == ["headers.spf-fail", "headers.dmarc-fail"]
    assert a.findings[0].evidence["sending_ip"] == "198.51.100.23"
    dmarc = primary(a.auth, "dmarc")
    assert dmarc is not None and dmarc.properties["p"] == "REJECT" and a.dmarc_disposition == "none"
    assert a.alignment is not None and a.alignment.spf_aligned is False and a.alignment.dkim_domains == []


def test_dkim_pass_for_another_domain_fails_dmarc_alignment() -> None:
    a = analyze("dkim_pass_dmarc_fail.txt")
    assert a.alignment is not None
    assert a.alignment.from_domain == "shop.test"
    assert a.alignment.dkim_domains == ["mailer.example.net"]
    assert a.alignment.spf_domain == "bounces.mailer.example.net"
    assert (a.alignment.dkim_aligned, a.alignment.spf_aligned) == (False, False)
    assert "headers.dmarc-alignment" in codes(a) and "headers.dmarc-fail" in codes(a)
    assert "headers.dkim-fail" not in codes(a) and "headers.spf-fail" not in codes(a)
    finding = next(f for f in a.findings if f.code == "headers.dmarc-alignment")
    assert finding.evidence["dkim_domains"] == ["mailer.example.net"]
    assert a.dmarc_disposition == "quarantine"
    assert a.hops[0].by_provider is not None and "Google" in a.hops[0].by_provider
    assert a.sending_ip == "192.0.2.77"
    assert a.message.subject == "夏季大促"  # RFC 2047 encoded word decoded
    # ARC results are kept apart from the receiver's own results.
    assert {v.source for v in a.auth} == {
        "authentication-results",
        "arc-authentication-results",
        "received-spf",
    }
    assert any(v.instance == 1 for v in a.auth if v.source == "arc-authentication-results")


def test_spam_flagged_by_spamassassin() -> None:
    a = analyze("spam_flagged.txt")
    assert a.spam_flagged is True
    status = next(v for v in a.spam if v.header == "x-spam-status")
    assert (status.flagged, status.score, status.threshold) == (True, 8.2, 5.0)
    assert status.tests[:2] == ["BAYES_99", "HTML_IMAGE_ONLY_16"] and "RDNS_NONE" in status.tests
    level = next(v for v in a.spam if v.header == "x-spam-level")
    assert level.score == 8.0 and level.flagged
    assert codes(a) == ["headers.spf-softfail", "headers.spam-flagged"]
    flagged = a.findings[1]
    assert {f["header"] for f in flagged.evidence["filters"]} >= {"x-spam-status", "x-spam-flag"}
    # The subject is evidence; no finding repeats it.
    assert all("Last chance" not in f.title + f.detail for f in a.findings)


def test_microsoft_junk_verdicts() -> None:
    a = analyze("microsoft_junk.txt")
    forefront = next(v for v in a.spam if v.header == "x-forefront-antispam-report")
    assert forefront.flagged and forefront.score == 5.0 and forefront.verdict == "SFV:SPM;CAT:SPOOF;SCL:5"
    assert "spoofing" in forefront.meaning
    bcl = next(v for v in a.spam if v.header == "x-microsoft-antispam")
    assert bcl.flagged is False and bcl.score == 0.0
    compauth = primary(a.auth, "compauth")
    assert compauth is not None and compauth.result == "fail" and compauth.authserv_id is None
    assert a.dmarc_disposition == "quarantine"
    assert all(h.by_provider and "Microsoft" in h.by_provider for h in a.hops)
    assert a.sending_ip == "198.51.100.44"
    assert {"headers.spf-fail", "headers.dmarc-fail", "headers.spam-flagged"} <= set(codes(a))


def test_a_hop_at_another_providers_mx_is_reported() -> None:
    a = analyze("foreign_mx.txt", foreign_mx=["mx1.otherprovider.test"])
    assert a.via_foreign_mx and "mx1.otherprovider.test" in a.via_foreign_mx[0]
    assert not a.reached_alibaba
    assert codes(a)[0] == "headers.foreign-mx"
    assert analyze("foreign_mx.txt").via_foreign_mx == []


def test_clean_arrival_has_nothing_to_report() -> None:
    a = analyze("arrived_clean.txt")
    assert codes(a) == [] and a.reached_alibaba and a.spam_flagged is False
    stamp = next(v for v in a.spam if v.header == "x-alimail-antispam")
    assert stamp.flagged is False and stamp.verdict == "AC=PASS;CH=green"
    assert a.alignment is not None and a.alignment.dkim_aligned and a.alignment.spf_aligned


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "from [203.0.113.9] (helo=mail.example.test) by mx.example.net with esmtps (TLS1.3) (Exim 4.96) "
            "(envelope-from <a@example.test>) id 1sE-000; Tue, 04 Jun 2024 10:00:00 +0200",
            ("203.0.113.9", "203.0.113.9", "mx.example.net", "ESMTPS", "2024-06-04T10:00:00+02:00"),
        ),
        (
            "from 30.97.49.16(mailfrom:x@linux.example.test fp:SMTPD_---0Vry_1694571432) "
            "by smtp.aliyun-inc.com; Wed, 13 Sep 2023 10:17:12 +0800",
            ("30.97.49.16", "30.97.49.16", "smtp.aliyun-inc.com", None, "2023-09-13T10:17:12+08:00"),
        ),
        (
            "(qmail 12345 invoked by uid 89); 4 Jun 2024 08:00:00 -0000",
            (None, None, None, None, "2024-06-04T08:00:00+00:00"),
        ),
        ("by mailstore with LMTP id 7; garbage date", (None, None, "mailstore", "LMTP", None)),
    ],
)
def test_received_forms(value: str, expected: tuple[str | None, ...]) -> None:
    hop = parse_received(value)
    assert (
        hop.from_host,
        hop.from_ip,
        hop.by_host,
        hop.protocol,
        hop.when.isoformat() if hop.when else None,
    ) == (expected)


@pytest.mark.parametrize(
    ("header", "value", "flagged", "score"),
    [
        (
            "x-spamd-result",
            "default: True [16.20 / 15.00]; BAYES_SPAM(5.10)[99%]; R_SPF_FAIL(1.00)",
            True,
            16.2,
        ),
        ("x-spamd-result", "default: False [1.40 / 15.00]; MIME_GOOD(-0.10)", False, 1.4),
        ("x-rspamd-action", "no action", False, None),
        ("x-rspamd-action", "add header", True, None),
        ("x-proofpoint-spam-details", "rule=notspam policy=default score=0 mlxscore=0", False, 0.0),
        ("x-proofpoint-spam-details", "rule=spam policy=default score=99", True, 99.0),
        (
            "x-alimail-antispam",
            "AC=CONTINUE;BC=0.9|0.4;CH=green;DS=CONTINUE|ham_system_inform|0.08;",
            False,
            None,
        ),
        ("x-alimail-antispam", "AC=REJECT;CH=red;DS=REJECT|spam_content|0.99;", True, None),
        ("x-ms-exchange-organization-scl", "-1", False, -1.0),
        ("x-gm-spam", "0", False, None),
        ("x-spam-flag", "maybe", None, None),
        ("x-spam-level", "not stars", None, None),
    ],
)
def test_spam_stamps(header: str, value: str, flagged: bool | None, score: float | None) -> None:
    verdict = read_spam(header, value, load_headers())
    assert verdict is not None
    assert (verdict.flagged, verdict.score) == (flagged, score)
    assert verdict.meaning


def test_unknown_fields_are_not_spam_stamps() -> None:
    assert read_spam("x-mailer", "Foxmail 7.2", load_headers()) is None


def test_pasted_block_with_mbox_line_crlf_and_lost_indentation() -> None:
    text = (
        "\r\n\r\nFrom MAILER-DAEMON Fri Jun  7 03:20:01 2024\r\n"
        "Received: from a.example.test (a.example.test [198.51.100.1])\r\n"
        "by mx1.qiye.aliyun.com with ESMTP id 1;\r\n"
        "\tFri, 07 Jun 2024 11:20:08 +0800\r\n"
        "Date: Fri, 7 Jun 2024 03:20:01 +0000\r\n"
    )
    a = analyze_headers(text, mx_hosts=ALIBABA_MX)
    assert len(a.hops) == 1 and a.hops[0].by_host == "mx1.qiye.aliyun.com" and a.hops[0].delay_s == 7
    assert a.reached_alibaba


def test_clock_difference_is_noted_not_counted() -> None:
    text = (
        "Received: from b.test (b.test [198.51.100.2]) by c.test; Mon, 10 Jun 2024 07:00:00 +0000\n"
        "Received: from a.test (a.test [198.51.100.1]) by b.test; Mon, 10 Jun 2024 08:00:00 +0000\n"
    )
    a = analyze_headers(text)
    assert a.hops[1].delay_s is None and "headers.clock-skew" in codes(a)


def test_no_received_fields_is_a_finding() -> None:
    a = analyze_headers("From: a@b.test\nSubject: hi\n")
    assert codes(a) == ["headers.no-received"] and a.hops == [] and a.total_delay_s is None


def test_text_without_fields_is_bad_input() -> None:
    with pytest.raises(InputError) as err:
        analyze_headers("just some words\nand more words\n")
    assert err.value.field == "headers"
    with pytest.raises(InputError):
        analyze_headers("   \n\n")


def test_oversized_block_is_cut_not_refused() -> None:
    limit = load_headers().model.limits.max_chars
    text = "Subject: x\n" + "".join(f"X-Filler-{i}: {'y' * 60}\n" for i in range(limit // 60))
    a = analyze_headers(text)
    assert a.truncated and a.fields <= load_headers().model.limits.max_fields


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                [
                    "Received: from x (y [1.2.3.4]) by z; Mon, 10 Jun 2024 07:00:00 +0000",
                    "Received: by ;;; (((",
                    "Authentication-Results: ; spf= dkim=pass header.d=",
                    "Authentication-Results: a; dmarc=fail (p=",
                    "ARC-Authentication-Results: i=x; ;",
                    "Received-SPF: ",
                    "X-Spam-Status: Yes, score=abc required=",
                    "X-Forefront-Antispam-Report: SFV:;SCL:x;CAT:",
                    "X-Alimail-AntiSpam: AC;DS=|||",
                    "Date: 99 Foo 99999 99:99:99 +9999",
                    "From: <@>",
                    "\tcontinued",
                ]
            ),
        ),
        max_size=30,
    )
)
def test_any_text_gives_an_analysis_or_an_input_error(lines: list[str]) -> None:
    try:
        a = analyze_headers("\n".join(lines))
    except InputError as exc:
        assert exc.field == "headers"
    else:
        assert a.fields >= 1


# --- where the message went: the receiving side, its entry hop, another provider's MX -----------------

GOOGLE_COPY = """Delivered-To: bob@oldgws.test
Received: by 2002:a05:6520:2b8c:b0:27e:8f1a:33c4 with SMTP id bc12csp2841233lkb;
        Tue, 11 Jun 2024 02:14:09 -0700 (PDT)
ARC-Seal: i=1; a=rsa-sha256; t=1718097249; cv=none; d=google.com; s=arc-20160816; b=Qm9n
ARC-Authentication-Results: i=1; mx.google.com;
       spf=pass (google.com: domain of alice@partner.test designates 203.0.113.25 as permitted sender)
       smtp.mailfrom=alice@partner.test
Received: from mail.partner.test (mail.partner.test. [203.0.113.25])
        by mx.google.com with ESMTPS id a640c23a62f3a-a6f0e2f6d2bsi512345966b.412
        for <bob@oldgws.test>; Tue, 11 Jun 2024 02:14:09 -0700 (PDT)
Received: from pc.partner.test (pc.partner.test [198.51.100.200])
        by mail.partner.test (Postfix) with ESMTPSA id 1A2B; Tue, 11 Jun 2024 09:14:07 +0000
Date: Tue, 11 Jun 2024 17:14:05 +0800
From: Alice <alice@partner.test>
"""

QQ_TO_ALIBABA = """Received: from out203-205-221-233.mail.qq.com(mailfrom:123456789@qq.com fp:SMTPD_-X_1)
          by smtp.aliyun-inc.com;
          Wed, 12 Jun 2024 10:02:11 +0800
Received: from LAPTOP-7QK2 ([113.88.12.34])
	by newxmesmtplogicsvrszb9-0.qq.com (NewEsmtp) with SMTP id 3A1B2C3D;
	Wed, 12 Jun 2024 10:02:09 +0800
Date: Wed, 12 Jun 2024 10:02:08 +0800
From: <123456789@qq.com>
"""


def test_a_copy_at_the_old_provider_is_seen_by_its_organisation() -> None:
    # Google's hops say mx.google.com, never the MX host name the domain publishes.
    a = analyze_headers(GOOGLE_COPY, foreign_mx=["aspmx.l.google.com", "alt1.aspmx.l.google.com"])
    assert not a.reached_alibaba and len(a.via_foreign_mx) == 1 and "by mx.google.com" in a.via_foreign_mx[0]
    assert "headers.foreign-mx" in codes(a)
    assert a.sending_ip == "203.0.113.25"  # the hop into Google, not the sender's own machine
    # Gmail seals every message it receives: that is not forwarding.
    assert "headers.arc-forwarded" not in codes(a)


def test_mail_that_reached_alibaba_is_not_at_the_old_provider() -> None:
    a = analyze_headers(QQ_TO_ALIBABA, mx_hosts=ALIBABA_MX, foreign_mx=["mxbiz1.qq.com"])
    assert a.reached_alibaba and a.via_foreign_mx == []
    # Alibaba Mail's hop shows no address; the QQ hop's address is the sender's laptop, not SPF's concern.
    assert a.sending_ip is None


def test_a_seal_before_the_last_receiver_is_forwarding() -> None:
    forwarded = GOOGLE_COPY.replace(
        "Delivered-To: bob@oldgws.test\n",
        "Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69])\n"
        "        by mx1.qiye.aliyun.com with ESMTPS id 77; Tue, 11 Jun 2024 17:14:12 +0800\n",
    )
    a = analyze_headers(forwarded, mx_hosts=ALIBABA_MX)
    assert a.reached_alibaba and a.sending_ip == "209.85.220.69"
    assert "headers.arc-forwarded" in codes(a)
    # A sender's own system sealing what it sends out (nothing authenticated) is not a forwarder.
    origin = forwarded.replace(
        "spf=pass (google.com: domain of alice@partner.test designates 203.0.113.25 as permitted sender)\n"
        "       smtp.mailfrom=alice@partner.test",
        "spf=none; dkim=none; arc=none",
    )
    assert "headers.arc-forwarded" not in codes(analyze_headers(origin, mx_hosts=ALIBABA_MX))


def test_a_bare_score_gives_way_to_the_filters_own_verdict() -> None:
    # The site requires 8 points: the filter let the message through although 6.1 is above the default 5.
    text = (
        "Received: from mail.partner.test (mail.partner.test [203.0.113.25])\n"
        " by mx1.qiye.aliyun.com with ESMTPS id 1; Mon, 10 Jun 2024 16:00:04 +0800\n"
        "X-Spam-Status: No, score=6.1 required=8.0 tests=HTML_MESSAGE\n"
        "X-Spam-Score: 6.1\nX-Spam-Level: ******\nFrom: a@partner.test\n"
    )
    a = analyze_headers(text, mx_hosts=ALIBABA_MX)
    assert a.spam_flagged is False and "headers.spam-flagged" not in codes(a)
    assert [v.flagged for v in a.spam] == [False, True, True]  # each stamp is still reported as read
    # Without the filter's own verdict, the score decides.
    alone = analyze_headers(
        text.replace("X-Spam-Status: No, score=6.1 required=8.0 tests=HTML_MESSAGE\n", "")
    )
    assert alone.spam_flagged is True and "headers.spam-flagged" in codes(alone)
