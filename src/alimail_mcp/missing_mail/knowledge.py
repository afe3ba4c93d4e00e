"""Typed model of skills/missing_mail.yaml, provider values filled in, cross-references checked."""

from __future__ import annotations

import re

from pydantic import Field

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree, provider_facts
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.missing_mail.models import Symptom
from alimail_mcp.models import PathId

FILE = "missing_mail.yaml"
SKILLS: dict[str, str] = {
    "mailbox-settings": "alimail/troubleshooting/alimail-email",
    "dns-delivery": "alimail/troubleshooting/alimail-email-delivery",
    "spam-filtering": "alimail/troubleshooting/alimail-security",
}


class Decision(StrictModel):
    confirmed: float = Field(gt=0, lt=1)
    decided: float = Field(gt=0, lt=1)
    margin: float = Field(ge=0, lt=1)
    candidates: int = Field(ge=2)
    window: float = Field(gt=0, lt=1)
    listed: int = Field(ge=3)
    floor: float = Field(ge=0, lt=1)


class CauseSpec(StrictModel):
    id: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    path: PathId
    title: str
    prior: float
    evidence: dict[str, float] = Field(min_length=1)
    steps: tuple[str, ...] = Field(min_length=1)
    dns_reasons: tuple[str, ...] = ()
    """check_dns finding codes whose planned changes remove this cause."""


class QuestionSpec(StrictModel):
    id: str
    ask: str
    why: str
    signal: str | None = None
    affects: tuple[str, ...] = ()
    unless: tuple[Symptom, ...] = ()
    needs: tuple[Symptom, ...] = ()
    """The question applies only when one of these symptoms was reported."""
    unless_input: str | None = Field(default=None, pattern=r"^(headers|bounce_text)$")


class BouncePhrase(StrictModel):
    signal: str
    pattern: str
    """A regular expression (case-insensitive) for the refusing server's words."""


class BounceWords(StrictModel):
    generic_causes: tuple[str, ...]
    """Error-catalog causes too broad to name a missing-mail cause on their own."""
    refine: tuple[str, ...]
    """Signals the phrases may replace (the generic ones)."""
    phrases: tuple[BouncePhrase, ...]
    """First match wins."""


class Summaries(StrictModel):
    top: str
    also: str
    evidence: str
    undecided: str
    nothing: str
    dns_problem: str
    resolver: str


class MissingMailKnowledge(StrictModel):
    decision: Decision
    symptoms: dict[Symptom, str]
    signals: dict[str, str]
    bounce_causes: dict[str, str]
    bounce_reasons: dict[str, str]
    bounce_words: BounceWords
    causes: tuple[CauseSpec, ...] = Field(min_length=1)
    questions: tuple[QuestionSpec, ...] = Field(min_length=1)
    summary: Summaries

    def cause(self, cause_id: str) -> CauseSpec:
        return next(c for c in self.causes if c.id == cause_id)


@compiled("missing_mail")
def load_missing_mail() -> MissingMailKnowledge:
    path = skills_dir() / FILE
    data = fill_tree(read_yaml(path), provider_facts(load_provider()), FILE)
    kb = validate(MissingMailKnowledge, data, path)
    _check_links(kb)
    return kb


def _check_links(kb: MissingMailKnowledge) -> None:
    """Every signal a cause, a question or the bounce maps name is defined; every question's causes exist."""
    signals = set(kb.signals)
    causes = {c.id for c in kb.causes}
    if len(causes) != len(kb.causes):
        raise KnowledgeError(FILE, "field causes: an id appears twice")
    for cause in kb.causes:
        unknown = set(cause.evidence) - signals
        if unknown:
            raise KnowledgeError(
                FILE, f"field causes.{cause.id}.evidence: unknown signal {sorted(unknown)[0]}"
            )
    for name, mapping in (("bounce_causes", kb.bounce_causes), ("bounce_reasons", kb.bounce_reasons)):
        bad = set(mapping.values()) - signals
        if bad:
            raise KnowledgeError(FILE, f"field {name}: unknown signal {sorted(bad)[0]}")
    words = kb.bounce_words
    bad = ({p.signal for p in words.phrases} | set(words.refine)) - signals
    if bad:
        raise KnowledgeError(FILE, f"field bounce_words: unknown signal {sorted(bad)[0]}")
    for number, phrase in enumerate(words.phrases):
        try:
            re.compile(phrase.pattern)
        except re.error as exc:
            raise KnowledgeError(
                FILE, f"field bounce_words.phrases.{number}.pattern: not a regular expression: {exc}"
            ) from None
    for q in kb.questions:
        if (q.signal is None) == (not q.affects):
            raise KnowledgeError(FILE, f"field questions.{q.id}: give either signal or affects")
        if q.signal is not None and q.signal not in signals:
            raise KnowledgeError(FILE, f"field questions.{q.id}.signal: unknown signal {q.signal}")
        bad_causes = set(q.affects) - causes
        if bad_causes:
            raise KnowledgeError(
                FILE, f"field questions.{q.id}.affects: unknown cause {sorted(bad_causes)[0]}"
            )
