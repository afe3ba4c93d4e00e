"""Reading reports offline: the forms they come in, the XML variants, what is refused as unsafe, and how
records and reports add up."""

from __future__ import annotations

import asyncio
import gzip
import time
import zipfile
from typing import Any

import pytest

from alimail_mcp.dmarc_reports import unpack
from alimail_mcp.dmarc_reports.analyze import analyze_dmarc_reports, analyze_items
from alimail_mcp.dmarc_reports.feedback import ReportError, read_feedback
from alimail_mcp.dmarc_reports.models import DmarcReportsResult
from alimail_mcp.errors import InputError
from tests.support.dmarc_reports import (
    Row,
    b64,
    forwarded_email,
    gz,
    report_email,
    report_xml,
    zipped,
)

DOMAIN = "example.test"
ROWS = [Row("203.0.113.5", 3), Row("192.0.2.7", 2, dkim="fail", spf="fail")]
XML = report_xml(DOMAIN, ROWS)


def analyze(reports: list[str], **options: Any) -> DmarcReportsResult:
    return asyncio.run(analyze_dmarc_reports(reports, live=False, **options))


def counts(result: DmarcReportsResult) -> tuple[int, int, int]:
    return result.totals.messages, result.totals.dmarc_pass, result.totals.dmarc_fail


# --- forms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda: XML, id="xml-text"),
        pytest.param(lambda: b64(XML), id="base64-xml"),
        pytest.param(lambda: b64(gz(XML)), id="base64-gzip"),
        pytest.param(lambda: b64(zipped({"receiver.test!example.test!1!2.xml": XML})), id="base64-zip"),
        pytest.param(lambda: report_email({"r.xml.gz": gz(XML)}).decode(), id="email-gzip"),
        pytest.param(lambda: report_email({"r.zip": zipped({"r.xml": XML})}).decode(), id="email-zip"),
        pytest.param(lambda: report_email({"r.xml": XML.encode()}).decode(), id="email-xml"),
        pytest.param(
            lambda: forwarded_email(report_email({"r.zip": zipped({"r.xml": XML})})).decode(), id="forwarded"
        ),
    ],
)
def test_every_form_gives_the_same_report(form: Any) -> None:
    result = analyze([form()])
    assert not result.errors, result.errors
    assert counts(result) == (5, 3, 2)
    assert [(s.source_ip, s.messages) for s in result.sources] == [("203.0.113.5", 3), ("192.0.2.7", 2)]
    report = result.reports[0]
    assert (report.org_name, report.report_id, report.domain, report.policy.p) == (
        "receiver.test",
        "r-1",
        DOMAIN,
        "none",
    )
    assert report.begin_date == "2024-06-01T00:00:00Z"


def test_an_email_with_several_reports_and_a_logo_counts_each_report() -> None:
    other = report_xml(DOMAIN, [Row("198.51.100.1", 4)], report_id="r-2")
    email = report_email({"a.xml.gz": gz(XML), "b.zip": zipped({"b.xml": other}), "logo.png": b"\x89PNG\r\n"})
    result = analyze([email.decode()])
    assert not result.errors
    assert result.totals.reports == 2 and result.totals.messages == 9


def test_an_mbox_of_report_emails_is_read_by_the_command_line_reader() -> None:
    first = report_email({"a.xml": XML.encode()})
    second = report_email({"b.xml": report_xml(DOMAIN, [Row("198.51.100.1", 4)], report_id="r-2").encode()})
    chatter = report_email({})
    separator = b"\nFrom a@b Mon Jun  3 11:00:00 2024\n"
    mbox = b"From a@b Mon Jun  3 10:00:00 2024\n" + first + separator + chatter + separator + second
    result = asyncio.run(analyze_items([("reports.mbox", mbox)], live=False))
    assert result.totals.reports == 2 and result.totals.messages == 9
    assert result.reports[1].source.startswith("reports.mbox > message 3 > b.xml")
    assert [e.source for e in result.errors] == ["reports.mbox > message 2"]


def test_an_email_without_a_report_is_an_error_and_the_others_count() -> None:
    email = report_email({}).decode()
    result = analyze([email, XML])
    assert result.totals.messages == 5
    assert [e.source for e in result.errors] == ["reports[0]"]
    assert "no report" in result.errors[0].error


def test_rfc9990_namespace_prefix_and_upper_case_results_read_alike() -> None:
    prefixed = report_xml(DOMAIN, ROWS, prefix="dmarc:")
    shouting = XML.replace("<dkim>pass</dkim>", "<dkim>Pass</dkim>").replace("<p>none</p>", "<p>None</p>")
    for text in (prefixed, shouting):
        result = analyze([text])
        assert counts(result) == (5, 3, 2), text[:80]
        assert result.reports[0].policy.p == "none"


def test_an_old_draft_without_verdicts_is_judged_from_the_authentication_results() -> None:
    draft = (
        "<feedback><report_metadata><org_name>acme.test</org_name><report_id>1</report_id>"
        "<date_range><begin>1</begin><end>2</end></date_range></report_metadata>"
        f"<policy_published><domain>{DOMAIN}</domain><p>none</p></policy_published>"
        "<record><row><source_ip>192.0.2.1</source_ip><count>2</count></row>"
        f"<identities><header_from>{DOMAIN}</header_from></identities><auth_results>"
        f"<dkim><domain>{DOMAIN}</domain><result>pass</result></dkim>"
        "<spf><domain>other.test</domain><result>pass</result></spf></auth_results></record></feedback>"
    )
    result = analyze([draft])
    assert counts(result) == (2, 2, 0)
    assert result.sources[0].dkim_aligned == 2 and result.sources[0].spf_aligned == 0


def test_an_empty_organisation_name_is_the_reporters_domain() -> None:
    text = XML.replace("<org_name>receiver.test</org_name>", "<org_name></org_name>").replace(
        "dmarc@receiver.test", "Reports <dmarc@Mail.Reporter.test>"
    )
    report = read_feedback(text.encode())
    assert report.org_name == "mail.reporter.test"


@pytest.mark.parametrize(
    ("broken", "repair"),
    [
        (XML.replace("<feedback>", "<wrapper><feedback>"), "followed"),
        (XML + "<trailing/>", "followed"),
        (XML.replace("dmarc@receiver.test", "Reports <dmarc@receiver.test> & co"), "escaped"),
        (XML.encode().replace(b"receiver.test</org_name>", b"receiver\xff.test</org_name>"), "UTF-8"),
    ],
)
def test_reports_that_are_not_quite_xml_are_read_after_a_named_repair(
    broken: str | bytes, repair: str
) -> None:
    data = broken if isinstance(broken, bytes) else broken.encode()
    report = read_feedback(data)
    assert sum(r.count for r in report.records) == 5
    assert any(repair in text for text in report.repaired), report.repaired


# --- what is refused ---------------------------------------------------------------------------------


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE feedback ['
    '<!ENTITY a0 "dmarc">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    + "]><feedback><report_metadata><org_name>&a9;</org_name></report_metadata></feedback>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><feedback>&x;</feedback>'
)


@pytest.mark.parametrize(
    "attack", [BILLION_LAUGHS, EXTERNAL, b64(BILLION_LAUGHS.encode("utf-16")), b64(gz(EXTERNAL))]
)
def test_entity_declarations_are_refused_at_once_and_the_other_reports_count(attack: str) -> None:
    started = time.perf_counter()
    result = analyze([attack, XML])
    assert time.perf_counter() - started < 2
    assert result.totals.messages == 5
    (error,) = result.errors
    assert error.refused and error.source == "reports[0]"
    assert "document type" in error.error
    assert "dmarc_report.refused" in [f.code for f in result.findings]


def test_a_gzip_bomb_is_refused_by_its_expanded_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unpack, "MAX_DOCUMENT_BYTES", 1_000_000)
    bomb = gzip.compress(b"<feedback>" + b" " * 20_000_000, compresslevel=9)
    assert len(bomb) < 40_000
    result = analyze([b64(bomb), XML])
    assert result.totals.messages == 5
    assert result.errors[0].refused and "expands beyond" in result.errors[0].error


def test_a_zip_bomb_is_refused_by_what_it_expands_to_not_what_it_declares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(unpack, "MAX_DOCUMENT_BYTES", 1_000_000)
    bomb = zipped({"a.xml": XML, "big.xml": b"<feedback>" + b" " * 5_000_000})
    result = analyze([b64(bomb)])
    assert result.totals.messages == 5  # the member before the bomb still counts
    assert [(e.source, e.refused) for e in result.errors] == [("reports[0] > big.xml", True)]


def test_everything_a_call_expands_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unpack, "MAX_TOTAL_BYTES", len(XML) * 3 + 10)
    result = analyze([b64(gz(XML))] * 5)
    assert result.totals.reports == 1  # the same report, given five times: the rest are duplicates
    refused = [e for e in result.errors if e.refused]
    assert refused and all("in all" in e.error for e in refused)


def test_more_records_than_a_call_reads_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from alimail_mcp.dmarc_reports import analyze as analyze_module

    monkeypatch.setattr(analyze_module, "MAX_RECORDS", 3)
    result = analyze([XML, report_xml(DOMAIN, ROWS, report_id="r-2")])
    assert result.totals.messages == 5  # the first report's 2 records fit; the second would make 4
    assert result.errors[0].refused and "more records than one call reads" in result.errors[0].error


def test_repairing_markup_takes_linear_time_on_a_hostile_line() -> None:
    hostile = XML.replace("<email>", "<email>x</y>" * 300_000 + "<email>", 1)
    started = time.perf_counter()
    with pytest.raises(ReportError, match="not well-formed"):
        read_feedback(hostile.encode())
    assert time.perf_counter() - started < 5


def test_a_damaged_archive_and_a_truncated_report_are_errors_beside_good_reports() -> None:
    damaged = zipped({"a.xml": XML})[:-30]
    truncated = XML[: len(XML) // 2]
    cut_gzip = gz(XML)[:-20]
    result = analyze([b64(damaged), truncated, b64(cut_gzip), "this is not a report", XML])
    assert result.totals.messages == 5
    assert [e.source for e in result.errors] == ["reports[0]", "reports[1]", "reports[2]", "reports[3]"]
    assert not any(e.refused for e in result.errors)
    assert "not well-formed" in result.errors[1].error


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("<source_ip>999.1.1.1</source_ip>", "not an IP address"),
        ("<source_ip></source_ip>", "no source_ip"),
        ("<count>many</count>", "not a whole number"),
        ("<count>-3</count>", "negative"),
    ],
)
def test_a_record_with_a_bad_field_makes_its_report_an_error(record: str, message: str) -> None:
    field = record.split(">")[0] + ">"
    end = record.split("</")[1]
    original = XML[XML.index(field) : XML.index(f"</{end}") + len(end) + 2]
    with pytest.raises(ReportError, match=message):
        read_feedback(XML.replace(original, record, 1).encode())


def test_deep_nesting_is_an_error_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ReportError, match="nests elements more than"):
        read_feedback(b"<feedback>" + b"<a>" * 1_000_000)
    assert time.perf_counter() - started < 1


def test_a_report_without_a_domain_or_period_is_an_error() -> None:
    with pytest.raises(ReportError, match="no domain"):
        read_feedback(XML.replace(f"<domain>{DOMAIN}</domain>", "", 1).encode())
    with pytest.raises(ReportError, match="begin"):
        read_feedback(XML.replace("<begin>1717200000</begin>", "").encode())
    with pytest.raises(ReportError, match="root element is <html>"):
        read_feedback(b"<html><body>hello</body></html>")


def test_bad_arguments_name_the_field() -> None:
    for reports in ([], [""], ["x" * 10] * 201):
        with pytest.raises(InputError) as err:
            analyze(reports)
        assert err.value.field == "reports"
    with pytest.raises(InputError) as err:
        analyze([XML], domain="not a domain")
    assert err.value.field == "domain"


# --- adding up ---------------------------------------------------------------------------------------


def test_records_of_one_address_and_reports_of_one_domain_are_added_up() -> None:
    first = report_xml(
        DOMAIN,
        [Row("203.0.113.5", 3), Row("203.0.113.5", 4, dkim="fail"), Row("192.0.2.7", 1, "fail", "fail")],
    )
    second = report_xml(
        DOMAIN,
        [Row("203.0.113.5", 10), Row("2001:DB8::0:1", 2, dkim="fail", spf="fail")],
        org="other.test",
        report_id="x-9",
        begin=1717286400,
        end=1717372799,
    )
    result = analyze([first, second])
    by_ip = {s.source_ip: s for s in result.sources}
    assert list(by_ip) == ["203.0.113.5", "2001:db8::1", "192.0.2.7"]
    merged = by_ip["203.0.113.5"]
    assert (merged.messages, merged.dmarc_pass, merged.dkim_aligned, merged.spf_aligned, merged.reports) == (
        17,
        17,
        13,
        17,
        2,
    )
    assert counts(result) == (20, 17, 3)
    assert result.totals.reports == 2 and result.totals.sources == 3
    period = result.policy_readiness.period
    assert period is not None and (period.begin, period.end, period.days) == (1717200000, 1717372799, 2.0)


def test_a_report_given_twice_is_counted_once() -> None:
    result = analyze([XML, b64(gz(XML)), report_email({"r.xml": XML.encode()}).decode()])
    assert result.totals.reports == 1 and result.totals.messages == 5
    assert [r.duplicate for r in result.reports] == [False, True, True]
    assert "dmarc_report.duplicate" in [f.code for f in result.findings]


def test_reports_about_other_domains_are_left_out_when_a_domain_is_given() -> None:
    other = report_xml("other.test", [Row("192.0.2.50", 50)], report_id="o-1")
    sub = report_xml(f"mail.{DOMAIN}", [Row("192.0.2.60", 1)], report_id="s-1")
    result = analyze([XML, other, sub], domain=DOMAIN.upper())
    assert result.domain == DOMAIN
    assert result.totals.messages == 6 and {r.domain for r in result.reports} == {DOMAIN, f"mail.{DOMAIN}"}
    assert "dmarc_report.other-domains" in [f.code for f in result.findings]
    everything = analyze([XML, other])
    assert everything.domain == "other.test"  # most of the mail
    assert "dmarc_report.several-domains" in [f.code for f in everything.findings]


def test_a_zip_with_many_members_and_a_deep_nesting_are_refused_in_time() -> None:
    many = zipped({f"{i}.xml": XML for i in range(unpack.MAX_MEMBERS + 1)})
    nested = XML.encode()
    for _ in range(unpack.MAX_NESTING + 2):
        nested = gz(nested)
    result = analyze([b64(many), b64(nested)])
    assert [e.source for e in result.errors] == ["reports[0]", "reports[1]"]
    assert "more than" in result.errors[0].error and "nest" in result.errors[1].error


def test_a_zip_member_name_cannot_bend_the_label() -> None:
    archive = zipped({"../../etc/evil\nname.xml": XML})
    with zipfile.ZipFile(__import__("io").BytesIO(archive)) as check:
        assert check.namelist()
    result = analyze([b64(archive)])
    assert result.reports[0].source == "reports[0] > evil?name.xml"
