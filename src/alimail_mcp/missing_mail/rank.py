"""Ranking causes from signals (logistic of prior plus evidence weights, skills/missing_mail.yaml),
deciding whether the evidence settles it, and choosing the question whose answer separates the
leading candidates most."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

from alimail_mcp.missing_mail.knowledge import CauseSpec, MissingMailKnowledge, QuestionSpec
from alimail_mcp.missing_mail.models import Evidence
from alimail_mcp.missing_mail.signals import Observed

_AFFECTS_WEIGHT = 3.0
"""What a question given as `affects` is worth per share of the candidates it covers (log-odds scale)."""


@dataclass
class Scored:
    spec: CauseSpec
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    against: list[Evidence] = field(default_factory=list)


def rank(observed: Observed, kb: MissingMailKnowledge) -> list[Scored]:
    """Every cause with its score and its evidence for and against, most likely first (ties: file order)."""
    scored: list[Scored] = []
    for spec in kb.causes:
        logit = spec.prior
        item = Scored(spec, 0.0)
        for signal, weight in spec.evidence.items():
            if signal not in observed:
                continue
            logit += weight
            evidence = Evidence(signal=signal, says=kb.signals[signal], weight=weight, quote=observed[signal])
            (item.evidence if weight > 0 else item.against).append(evidence)
        item.score = round(1 / (1 + math.exp(-logit)), 3)
        item.evidence.sort(key=lambda e: -e.weight)
        item.against.sort(key=lambda e: e.weight)
        scored.append(item)
    order = {spec.id: i for i, spec in enumerate(kb.causes)}
    scored.sort(key=lambda s: (-s.score, order[s.spec.id]))
    return scored


def is_decided(ranked: list[Scored], kb: MissingMailKnowledge) -> bool:
    d = kb.decision
    if not ranked:
        return False
    top = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return top >= d.confirmed or (top >= d.decided and top - second >= d.margin)


def confirmed(ranked: list[Scored], kb: MissingMailKnowledge) -> list[Scored]:
    return [s for s in ranked if s.score >= kb.decision.confirmed]


def candidates(ranked: list[Scored], kb: MissingMailKnowledge) -> list[Scored]:
    """The leading causes the next question should tell apart (at least two when there are two)."""
    d = kb.decision
    top = ranked[0].score if ranked else 0.0
    near = [s for s in ranked[: d.candidates] if s.score >= top - d.window]
    return near if len(near) >= 2 else ranked[: max(2, min(d.candidates, len(ranked)))]


def choose_question(
    ranked: list[Scored],
    kb: MissingMailKnowledge,
    symptoms: Collection[str],
    inputs: Collection[str],
) -> tuple[QuestionSpec, list[str]] | None:
    """The open question whose answer spreads the leading candidates' scores furthest; with the causes it
    moves. None when every useful question has been answered."""
    leading = candidates(ranked, kb)
    total = sum(s.score for s in leading) or 1.0
    best: tuple[float, int, QuestionSpec, list[str]] | None = None
    for order, question in enumerate(kb.questions):
        if not _open(question, symptoms, inputs):
            continue
        if question.affects:
            # The answer singles out one of the causes it names: worth as much as the share it covers.
            moved = [s.spec.id for s in leading if s.spec.id in question.affects]
            spread = _AFFECTS_WEIGHT * sum(s.score / total for s in leading if s.spec.id in question.affects)
        else:
            weights = {s.spec.id: _moves(question, s.spec) for s in leading}
            mean = sum(s.score / total * weights[s.spec.id] for s in leading)
            spread = sum(s.score / total * abs(weights[s.spec.id] - mean) for s in leading)
            moved = [s.spec.id for s in leading if weights[s.spec.id] != 0]
        if spread > 0 and (best is None or (spread, -order) > (best[0], -best[1])):
            best = (spread, order, question, moved)
    return (best[2], best[3]) if best else None


def _open(question: QuestionSpec, symptoms: Collection[str], inputs: Collection[str]) -> bool:
    if any(s in symptoms for s in question.unless):
        return False
    if question.needs and not any(s in symptoms for s in question.needs):
        return False
    return question.unless_input is None or question.unless_input not in inputs


def _moves(question: QuestionSpec, cause: CauseSpec) -> float:
    return cause.evidence.get(question.signal or "", 0.0)
