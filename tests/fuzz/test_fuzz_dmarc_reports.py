"""Fuzzing the DMARC report reader: any text, bytes or mangled report gives a result whose totals add up,
with what could not be read listed in errors, never an exception (InputError only for the arguments)."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from alimail_mcp.dmarc_reports.analyze import analyze_dmarc_reports, analyze_items
from alimail_mcp.errors import InputError
from tests.support.dmarc_reports import Row, b64, gz, report_xml
from tests.support.fuzzing import tried

REPORT = report_xml("example.test", [Row("203.0.113.5", 3), Row("192.0.2.7", 2, "fail", "fail")])


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """The sample report with a slice cut out, a piece of text put in, or both."""
    text = REPORT
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 200)))
    piece = draw(
        st.sampled_from(["", "<", "&", "&amp;", "<!DOCTYPE x>", "</record>", "<record>", "\x00", "é"])
    )
    return text[:start] + piece + text[end:]


ITEMS = st.one_of(st.text(min_size=1, max_size=300), mangled(), mangled().map(lambda t: b64(gz(t))))


@given(st.lists(ITEMS, min_size=1, max_size=3))
def test_any_report_text(items: list[str]) -> None:
    tried("dmarc_reports.analyze")
    try:
        result = asyncio.run(analyze_dmarc_reports(items, live=False))
    except InputError as exc:
        assert exc.field == "reports"
        return
    totals = result.totals
    assert totals.messages == totals.dmarc_pass + totals.dmarc_fail == sum(s.messages for s in result.sources)
    assert result.summary


@given(st.binary(max_size=400))
def test_any_file_bytes(data: bytes) -> None:
    tried("dmarc_reports.files")
    result = asyncio.run(analyze_items([("file", data)], live=False))
    assert result.totals.reports or result.errors
