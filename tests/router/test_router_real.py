"""route_query on real users' questions collected from public pages (tests/data/routing_real_{en,zh}.jsonl,
each with its source address, labelled before the router saw them). Rows marked "fresh" were never tuned
on: their floor guards against regressions only, and sits at the figure first measured on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.router.route import route

DATA = Path(__file__).parents[1] / "data"
BATCHES = {
    "real": [DATA / "routing_real_en.jsonl", DATA / "routing_real_zh.jsonl"],
    "real2": [DATA / "routing_real2_en.jsonl", DATA / "routing_real2_zh.jsonl"],
}


def _rows(split: str, batch: str = "real") -> list[dict[str, Any]]:
    paths = BATCHES[batch]
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [json.loads(line) for line in lines]
    return [r for r in rows if (r.get("split") == "fresh") == (split == "fresh")]


def _accuracy(rows: list[dict[str, Any]]) -> dict[str, float]:
    hits: dict[str, list[bool]] = {"en": [], "zh": [], "none": []}
    for row in rows:
        result = route(row["query"])
        if row["intent"] == "none":
            hits["none"].append(not result.matched)
            continue
        got = f"{result.intent}/{result.path}"
        right = got == f"{row['intent']}/{row['path']}" or got in row["also"]
        hits[row["lang"]].append(result.matched and right)
    return {k: sum(v) / len(v) for k, v in hits.items()}


@pytest.mark.parametrize("batch", BATCHES)
def test_every_row_has_a_source_and_a_label(batch: str) -> None:
    rows = _rows("tune", batch) + _rows("fresh", batch)
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    for lang in ("en", "zh"):
        assert sum(r["lang"] == lang and r["intent"] != "none" for r in rows) >= 60, lang
    for row in rows:
        assert row["source"].startswith("http"), row["id"]
        assert (row["intent"] == "none") == (row["path"] == "none"), row["id"]


@pytest.mark.parametrize(
    ("batch", "split", "floor"),
    [
        ("real", "tune", {"en": 0.95, "zh": 0.95, "none": 0.90}),
        ("real", "fresh", {"en": 0.76, "zh": 0.85, "none": 0.88}),
        ("real2", "tune", {"en": 0.94, "zh": 0.95, "none": 0.64}),
        ("real2", "fresh", {"en": 0.91, "zh": 0.91, "none": 0.77}),
    ],
)
def test_real_questions_accuracy_floor(batch: str, split: str, floor: dict[str, float]) -> None:
    accuracy = _accuracy(_rows(split, batch))
    for key, least in floor.items():
        assert accuracy[key] >= least, (key, accuracy)
