"""Agreement with Sisimai on the shared bounce corpus (skipped when ../shared is absent): Sisimai 5.2.0's
labels, and Sisimai 4.25's on the files where both versions agree. Floors, not the figures
(bench/bounce_agreement.py prints those)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from alimail_mcp.diagnosis.classify import analyze

FLOOR = 0.97
AGREED_FLOOR = 0.99
ORACLE = "sisimai5-oracle.jsonl"
OLD_ORACLE = "sisimai-oracle.jsonl"


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpora" / "bounces"
    if not (path / "eml").is_dir():
        pytest.skip(f"bounce corpus {path} is absent")
    return path


def _expected(corpus: Path, oracle: str = ORACLE) -> dict[str, str | None]:
    rows: dict[str, list[str | None]] = {}
    for line in (corpus / oracle).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.setdefault(row["file"], []).append(row["reason"])
    return {name: Counter(reasons).most_common(1)[0][0] for name, reasons in rows.items()}


def _predicted(path: Path) -> str | None:
    reasons = Counter(item.fact.reason for item in analyze(path.read_bytes()).items)
    return reasons.most_common(1)[0][0] if reasons else None


def test_agreement_floor(corpus: Path) -> None:
    expected = _expected(corpus)
    scored = {name: reason for name, reason in expected.items() if reason is not None}
    agree = sum(_predicted(corpus / "eml" / name) == reason for name, reason in scored.items())
    assert agree / len(scored) >= FLOOR, f"{agree}/{len(scored)} agree with Sisimai"


def test_agreement_where_both_sisimai_versions_agree(corpus: Path) -> None:
    new, old = _expected(corpus), _expected(corpus, OLD_ORACLE)
    both = {name: reason for name, reason in new.items() if reason is not None and old.get(name) == reason}
    agree = sum(_predicted(corpus / "eml" / name) == reason for name, reason in both.items())
    assert agree / len(both) >= AGREED_FLOOR, f"{agree}/{len(both)} agree where Sisimai 4.25 and 5.2 agree"


def test_files_sisimai_could_not_parse(corpus: Path) -> None:
    expected = _expected(corpus, OLD_ORACLE)
    unparsed = [n for n, r in expected.items() if r is None and not n.startswith("not-")]
    parsed = [n for n in unparsed if _predicted(corpus / "eml" / n)]
    assert len(parsed) >= 30, f"parsed {len(parsed)} of {len(unparsed)}"
