"""The ranking on its own: the knowledge file's links, and properties that hold for any evidence."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from alimail_mcp.missing_mail import signals as signals_module
from alimail_mcp.missing_mail.knowledge import load_missing_mail
from alimail_mcp.missing_mail.models import SYMPTOMS
from alimail_mcp.missing_mail.rank import choose_question, is_decided, rank

KB = load_missing_mail()
ALL_SIGNALS = sorted(KB.signals)


def test_every_signal_the_code_emits_is_defined_and_weighed() -> None:
    source = Path(signals_module.__file__).read_text(encoding="utf-8")
    emitted = set(re.findall(r'observed\["([a-z]+\.[a-z-]+)"\]', source)) | {"bounce.read"}
    emitted |= {f"symptom.{s}" for s in SYMPTOMS if s != "bounce_text"}
    emitted |= set(KB.bounce_causes.values()) | set(KB.bounce_reasons.values()) | {"bounce.temporary"}
    assert emitted <= set(KB.signals), emitted - set(KB.signals)
    weighed = {signal for cause in KB.causes for signal in cause.evidence}
    assert set(KB.signals) <= weighed | {"symptom.bounce_text"}, set(KB.signals) - weighed


def test_every_path_has_causes_and_every_symptom_has_a_question() -> None:
    assert {c.path for c in KB.causes} == {"mailbox-settings", "dns-delivery", "spam-filtering"}
    asked = {q.signal for q in KB.questions if q.signal}
    for symptom in ("uses_pop_client", "mailbox_full", "has_rules_or_forwarding", "found_in_spam"):
        assert f"symptom.{symptom}" in asked


def test_each_symptom_alone_leads_to_its_own_cause() -> None:
    expected = {
        "uses_pop_client": "mailbox.pop-deletion",
        "mailbox_full": "mailbox.full",
        "has_rules_or_forwarding": "mailbox.rules-forwarding",
        "found_in_spam": "spam.folder",
    }
    for symptom, cause in expected.items():
        ranked = rank({f"symptom.{symptom}": None, "dns.mx-ok": None}, KB)
        assert ranked[0].spec.id == cause and is_decided(ranked, KB), symptom


signal_sets = st.sets(st.sampled_from(ALL_SIGNALS), max_size=8)


@settings(max_examples=200, deadline=None)
@given(signal_sets)
def test_scores_are_probabilities_in_order(observed: set[str]) -> None:
    ranked = rank(dict.fromkeys(observed), KB)
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores) and len(ranked) == len(KB.causes)
    for item in ranked:
        assert {e.signal for e in (*item.evidence, *item.against)} <= observed
        assert all(e.weight > 0 for e in item.evidence) and all(e.weight < 0 for e in item.against)


@settings(max_examples=200, deadline=None)
@given(signal_sets, st.sampled_from(ALL_SIGNALS))
def test_more_evidence_moves_each_cause_the_way_its_weight_says(observed: set[str], added: str) -> None:
    before = {s.spec.id: s.score for s in rank(dict.fromkeys(observed - {added}), KB)}
    after = {s.spec.id: s.score for s in rank(dict.fromkeys(observed | {added}), KB)}
    for cause in KB.causes:
        weight = cause.evidence.get(added, 0)
        if weight > 0:
            assert after[cause.id] >= before[cause.id]
        elif weight < 0:
            assert after[cause.id] <= before[cause.id]
        else:
            assert after[cause.id] == before[cause.id]


@settings(max_examples=200, deadline=None)
@given(
    signal_sets,
    st.sets(st.sampled_from(SYMPTOMS), max_size=4),
    st.sets(st.sampled_from(["headers", "bounce_text"])),
)
def test_the_question_is_always_an_open_one(observed: set[str], symptoms: set[str], inputs: set[str]) -> None:
    ranked = rank(dict.fromkeys(observed | {f"symptom.{s}" for s in symptoms}), KB)
    chosen = choose_question(ranked, KB, symptoms, inputs)
    if chosen is None:
        return
    question, moved = chosen
    assert not set(question.unless) & symptoms
    assert not question.needs or set(question.needs) & symptoms
    assert question.unless_input not in inputs
    assert moved and set(moved) <= {s.spec.id for s in ranked}


def test_bounce_causes_name_causes_of_the_error_catalog() -> None:
    from alimail_mcp.diagnosis.catalog import catalog
    from alimail_mcp.diagnosis.reason.tables import tables

    assert set(KB.bounce_causes) <= set(catalog().by_id), set(KB.bounce_causes) - set(catalog().by_id)
    reasons = set(tables().data.reasons)
    assert set(KB.bounce_reasons) <= reasons, set(KB.bounce_reasons) - reasons
