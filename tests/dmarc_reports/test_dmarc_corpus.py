"""The public sample reports of ../shared/corpora/dmarc against parsedmarc 11.1.0's reading of them: every
file parsedmarc reads gives the same message, pass and fail counts and per-source counts (the corpus's
own scorer compares them), and the file it refuses is refused. Skipped when ../shared is absent."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.dmarc_reports.analyze import analyze_items


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    folder = shared_dir / "corpora" / "dmarc"
    if not (folder / "score.py").is_file():
        pytest.skip(f"the DMARC corpus is absent from {folder}")
    return folder


def prediction(path: Path) -> dict[str, Any]:
    """One scorer line: the file read offline, on its own, as the command line reads a file."""
    result = asyncio.run(analyze_items([(path.name, path.read_bytes())], live=False))
    if not result.totals.reports:
        return {"file": path.name, "error": "; ".join(e.error for e in result.errors) or "no report"}
    return {
        "file": path.name,
        "messages": result.totals.messages,
        "dmarc_pass": result.totals.dmarc_pass,
        "dmarc_fail": result.totals.dmarc_fail,
        "sources": [{"source_ip": s.source_ip, "messages": s.messages} for s in result.sources],
    }


def test_every_sample_agrees_with_parsedmarc(corpus: Path, tmp_path: Path) -> None:
    lines = [prediction(p) for p in sorted((corpus / "aggregate").iterdir()) if p.is_file()]
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(corpus / "score.py"), str(predictions)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    score = re.search(r"dmarc reports: (\d+)/(\d+) files exact", done.stdout)
    assert score is not None, done.stdout
    assert score.group(1) == score.group(2), done.stdout


def test_every_record_and_the_report_metadata_agree_with_parsedmarc(corpus: Path) -> None:
    """Beyond the scorer: each <record> in order (address, count, the reporter's verdicts, DMARC pass), and
    the reporter, report ID, period and published policy as parsedmarc gives them."""
    from alimail_mcp.dmarc_reports.explain import published
    from alimail_mcp.dmarc_reports.feedback import read_feedback
    from alimail_mcp.dmarc_reports.merge import record_passes
    from alimail_mcp.dmarc_reports.unpack import Budget, Document, unpack

    oracle = [
        json.loads(line) for line in (corpus / "parsedmarc-oracle.jsonl").read_text("utf-8").splitlines()
    ]
    compared = 0
    for want in (row for row in oracle if row["parsed"]):
        path = corpus / "aggregate" / want["file"]
        (document,) = list(unpack(path.read_bytes(), path.name, Budget()))
        assert isinstance(document, Document), want["file"]
        report = read_feedback(document.data)
        got_records = [
            {
                "source_ip": r.source_ip,
                "count": r.count,
                "dkim": r.dkim,
                "spf": r.spf,
                "dmarc_pass": any(record_passes(r, report.domain)),
            }
            for r in report.records
        ]
        want_records = [
            {k: r[k] for k in ("source_ip", "count", "dkim", "spf", "dmarc_pass")} for r in want["records"]
        ]
        assert got_records == want_records, want["file"]
        policy = published(report.policy)
        wanted_policy = want["policy_published"]
        assert (report.org_name, report.report_id, report.begin, report.end, report.domain) == (
            want["org_name"],
            want["report_id"],
            want["begin"],
            want["end"],
            wanted_policy["domain"],
        ), want["file"]
        assert (policy.p, policy.sp, policy.adkim, policy.aspf) == (
            wanted_policy["p"],
            wanted_policy["sp"],
            wanted_policy["adkim"],
            wanted_policy["aspf"],
        ), want["file"]
        compared += 1
    assert compared == 20
