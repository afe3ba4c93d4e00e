"""Held-out-like error texts (tests/data/errors_heldout_like.yaml): real-world wording from big
receivers, gateways, MTAs, mail clients, Alibaba Mail and Chinese notices, labelled before the
engine saw them. The engine must agree on reason, permanence, cause and route above a floor; the
misses are listed when it does not. Each batch is held to the floor on its own, so that a later
batch (written after fixes for an earlier one) keeps measuring how well the rules generalise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from alimail_mcp.diagnosis.catalog import catalog
from alimail_mcp.diagnosis.engine import diagnose_offline
from alimail_mcp.diagnosis.reason.tables import REASONS
from alimail_mcp.knowledge.loader import load_knowledge

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "errors_heldout_like.yaml").read_text(encoding="utf-8")
)["cases"]
FLOORS = {"reason": 0.90, "permanent": 0.90, "cause": 0.85, "route": 0.90}
FIELDS = tuple(FLOORS)


def _causes(case: dict[str, Any]) -> list[str | None]:
    cause = case["cause"]
    return list(cause) if isinstance(cause, list) else [cause]


def _judge(case: dict[str, Any]) -> dict[str, tuple[object, object]]:
    """The fields where the engine disagrees with the labels: {field: (got, wanted)}."""
    result = diagnose_offline(case["text"])
    first = result.recipients[0] if result.recipients else None
    got: dict[str, object] = {
        "reason": first.reason if first else None,
        "permanent": first.permanent if first else None,
        "cause": first.cause if first else None,
        "route": f"{result.intent}/{result.path}" if result.intent else None,
    }
    wanted: dict[str, object] = {field: case[field] for field in FIELDS}
    misses = {
        field: (got[field], wanted[field])
        for field in FIELDS
        if field != "cause" and got[field] != wanted[field]
    }
    if got["cause"] not in _causes(case):
        misses["cause"] = (got["cause"], _causes(case))
    return misses


def test_the_set_is_big_enough_and_ids_are_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


def test_labels_name_things_that_exist() -> None:
    knowledge = load_knowledge()
    routes = {f"{skill.intent}/{spec.id}" for skill in knowledge.intents for spec in skill.paths}
    known = set(catalog().by_id)
    for case in CASES:
        assert case["reason"] in REASONS, case["id"]
        assert case["permanent"] in (True, False, None), case["id"]
        assert all(c is None or c in known for c in _causes(case)), case["id"]
        assert case["route"] is None or case["route"] in routes, case["id"]


@pytest.mark.parametrize("batch", sorted({case.get("batch", 1) for case in CASES}))
def test_agreement_is_above_the_floor(batch: int) -> None:
    cases = [case for case in CASES if case.get("batch", 1) == batch]
    misses = {case["id"]: _judge(case) for case in cases}
    report = "\n".join(
        f"{cid}: " + "; ".join(f"{field} got {got!r} wanted {want!r}" for field, (got, want) in found.items())
        for cid, found in misses.items()
        if found
    )
    for field, floor in FLOORS.items():
        agreed = sum(1 for found in misses.values() if field not in found)
        assert agreed / len(cases) >= floor, f"batch {batch}: {field} {agreed}/{len(cases)}\n{report}"
