"""route(): a question in English or Chinese -> the intent and path of the knowledge base that answer it.

Offline and deterministic. Evidence comes from two places, both read from skills/:
- weighted terms (error strings, product words, phrases) of every path and intent, matched as
  token sequences, with one-letter typos in long English words tolerated;
- a bag-of-words similarity between the question and each path's own text (English words and
  Chinese character bigrams weighted by how few paths use them).
Mail-relevance and off-topic words (skills/routing.yaml) decide whether to route at all. The index
is built on the first call and cached.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from alimail_mcp.errors import InputError
from alimail_mcp.inputs import bounded_text
from alimail_mcp.knowledge.knowledge_base import KnowledgeBase, PathRef
from alimail_mcp.knowledge.skill_models import TermGroup, TermList
from alimail_mcp.router.args import QUERY_CHARS
from alimail_mcp.router.models import Alternative, Guidance, RouteResult
from alimail_mcp.router.text import deletions, features, is_cjk, term_parts, tokens

_MAIL = -1  # pseudo-targets for routing.yaml's words that are not evidence for one path
_OFF = -2
_ALIBABA = -3  # the provider's own names (provider.yaml aliases)
_OWN = -4
_FLOW = -5
_PRODUCT = -100  # other products: _PRODUCT - i for routing.yaml's other_products[i]
_MIN_TYPO_LEN = 6  # shorter words are too often a real word one letter away from a term
_MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Ranked:
    ref: PathRef
    evidence: float  # term and similarity evidence for the intent and the path
    score: float  # evidence plus the default-path bonus: what ranks the paths
    path_terms: float  # evidence from the path's own terms alone
    subject: float = 0.0  # term evidence for the path or its intent: the question names a subject


@dataclass(frozen=True)
class Ranking:
    paths: list[Ranked]  # best first
    relevance: float  # best evidence plus mail and off-topic words: is this about mail at all?
    names_mail: bool = False  # a mail word occurs, even inside a longer term ("smtp" in a host name)
    off_topic: float = 0.0  # another field's or product's words (negative)
    strongest_off_topic: float = 0.0  # the weight of routing.yaml's heaviest off-topic group
    other_product: str | None = None  # the product the question is about, when it is not Alibaba Mail

    def elsewhere(self) -> bool:
        """True when the question names another product or field as strongly as the heaviest off-topic
        group does and has no mail word at all: a password or login question about DingTalk or a cloud
        server is not about a mailbox. A lighter off-topic word ("Windows") beside path terms is not
        enough."""
        return not self.names_mail and self.off_topic < 0 and self.off_topic <= self.strongest_off_topic

    def without_path_clue(self) -> bool:
        """True when no term of any path of the best path's intent occurs in the question."""
        intent = self.paths[0].ref.intent
        return all(r.path_terms <= 0 for r in self.paths if r.ref.intent is intent)


@dataclass
class _Term:
    parts: int
    targets: list[tuple[int, float]]


class _Node:
    """A trie node over tokens; `ends` lists the (term, part) that end here, `singles` the targets of the
    one-part terms among them."""

    __slots__ = ("children", "ends", "singles")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.ends: list[tuple[int, int]] = []
        self.singles: tuple[int, ...] = ()


class _Index:
    """Terms in a token trie, similarity vectors, and the target numbering: paths, then intents."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.paths = kb.paths
        self.intent_slot = {intent.intent: len(self.paths) + i for i, intent in enumerate(kb.intents)}
        self.trie = _Node()
        self.terms: list[_Term] = []
        self._term_ids: dict[tuple[tuple[str, ...], ...], int] = {}
        for slot, ref in enumerate(self.paths):
            self._add_groups(ref.spec.vocabulary, slot)
        for intent in kb.intents:
            self._add_groups(intent.vocabulary, self.intent_slot[intent.intent])
        self._add_groups(kb.routing.mail_terms, _MAIL)
        self._add_groups(kb.routing.off_topic, _OFF)
        aliases = TermGroup(
            weight=1,
            en=tuple(a for a in kb.provider.aliases if not _has_cjk(a)),
            zh=tuple(a for a in kb.provider.aliases if _has_cjk(a)),
        )
        self._add_groups((aliases,), _MAIL)
        self._add_groups((aliases,), _ALIBABA)
        routing = kb.routing
        self._add_list(routing.own_markers, _OWN)
        self._add_list(routing.mail_flow, _FLOW)
        for i, product in enumerate(routing.other_products):
            self._add_list(product, _PRODUCT - i)
        self.vocab_words = {tok for key in self._term_ids for part in key for tok in part if not is_cjk(tok)}
        self.typo_index: dict[str, str] = {}
        for word in sorted(self.vocab_words, key=lambda w: (len(w), w)):
            if len(word) >= _MIN_TYPO_LEN - 1 and word.isalpha():
                for variant in deletions(word) | {word}:
                    self.typo_index.setdefault(variant, word)
        self.postings, self.idf = _similarity_vectors(self.paths)

    def _add_list(self, terms: TermList, target: int) -> None:
        self._add_groups((TermGroup(weight=1, en=terms.en, zh=terms.zh),), target)

    def _add_groups(self, groups: tuple[TermGroup, ...], target: int) -> None:
        for group in groups:
            for term in group.terms:
                key = tuple(term_parts(term))
                if not key:
                    continue
                term_id = self._term_ids.get(key)
                if term_id is None:
                    term_id = self._term_ids[key] = len(self.terms)
                    self.terms.append(_Term(len(key), []))
                    for part_no, part in enumerate(key):
                        node = self.trie
                        for tok in part:
                            node = node.children.setdefault(tok, _Node())
                        node.ends.append((term_id, part_no))
                self._target(self.terms[term_id], target, group.weight)
                if len(key) == 1:
                    node = self._node(key[0])
                    if target not in node.singles:
                        node.singles += (target,)

    def _node(self, part: tuple[str, ...]) -> _Node:
        node = self.trie
        for tok in part:
            node = node.children[tok]
        return node

    @staticmethod
    def _target(term: _Term, target: int, weight: float) -> None:
        # Terms that stem alike ('blacklist', 'blacklisted') count once per target, at the larger weight.
        for i, (known, old) in enumerate(term.targets):
            if known == target:
                term.targets[i] = (target, max(old, weight, key=abs))
                return
        term.targets.append((target, weight))

    def correct(self, toks: list[str]) -> list[str]:
        """Replace long English words the vocabulary lacks with a vocabulary word one edit away."""
        out = []
        for tok in toks:
            if len(tok) >= _MIN_TYPO_LEN and tok.isalpha() and tok not in self.vocab_words:
                tok = self._nearest(tok) or tok
            out.append(tok)
        return out

    def _nearest(self, tok: str) -> str | None:
        if tok in self.typo_index:
            return self.typo_index[tok]
        for variant in sorted(deletions(tok)):
            if variant in self.vocab_words:
                return variant
        for variant in sorted(deletions(tok)):
            if variant in self.typo_index:
                return self.typo_index[variant]
        return None

    def term_scores(self, toks: list[str]) -> dict[int, float]:
        """Weighted sum of matched terms per target. A phrase inside a longer matched term does not count
        on its own (in "anti-spam level" the word "anti-spam" is no evidence of spam filtering), but it can
        still complete an "a + b" term. Only a term that matched whole hides the phrases inside it: one part
        of an "a + b" term whose other part is absent hides nothing."""
        spans: list[tuple[int, int, list[tuple[int, int]]]] = []
        for start in range(len(toks)):
            node = self.trie
            for end, tok in enumerate(toks[start:], start + 1):
                child = node.children.get(tok)
                if child is None:
                    break
                node = child
                if node.ends:
                    spans.append((start, end, node.ends))
        parts_seen: dict[int, set[int]] = defaultdict(set)
        for _, _, hits in spans:
            for term_id, part_no in hits:
                parts_seen[term_id].add(part_no)
        whole = {t for t, parts in parts_seen.items() if len(parts) == self.terms[t].parts}
        longest = [0] * len(toks)
        for start, end, hits in spans:
            if any(term_id in whole for term_id, _ in hits):
                longest[start] = max(longest[start], end)
        reach_before = [0] * len(toks)  # the furthest end of any whole term's span starting earlier
        for i in range(1, len(toks)):
            reach_before[i] = max(reach_before[i - 1], longest[i - 1])
        found: dict[int, set[int]] = defaultdict(set)
        for start, end, hits in spans:
            inside = longest[start] > end or reach_before[start] >= end
            for term_id, part_no in hits:
                # A word inside a longer phrase still completes an "a + b" term.
                if not inside or self.terms[term_id].parts > 1:
                    found[term_id].add(part_no)
        scores: dict[int, float] = defaultdict(float)
        for term_id, parts in found.items():
            term = self.terms[term_id]
            if len(parts) == term.parts:
                for target, weight in term.targets:
                    scores[target] += weight
        return scores

    def similarity(self, toks: list[str]) -> list[float]:
        query = {f: self.idf[f] for f in set(features(toks)) if f in self.idf}
        norm = math.sqrt(sum(w * w for w in query.values()))
        sims = [0.0] * len(self.paths)
        if not norm:
            return sims
        for feature, weight in query.items():
            for slot, doc_weight in self.postings[feature]:
                sims[slot] += weight * doc_weight / norm
        return sims

    def rank(self, query: str) -> Ranking:
        """Every path ranked best first, and the question's relevance to mail administration."""
        toks = self.correct(tokens(query))
        terms = self.term_scores(toks)
        sims = self.similarity(toks)
        scoring = self.kb.routing.scoring
        ranked = []
        for slot, ref in enumerate(self.paths):
            evidence = (
                terms.get(slot, 0.0)
                + terms.get(self.intent_slot[ref.intent.intent], 0.0)
                + scoring.similarity_weight * sims[slot]
            )
            bonus = scoring.default_bonus if ref.is_default and evidence > 0 else 0.0
            subject = terms.get(slot, 0.0) + terms.get(self.intent_slot[ref.intent.intent], 0.0)
            ranked.append(Ranked(ref, evidence, evidence + bonus, terms.get(slot, 0.0), subject))
        ranked.sort(key=lambda r: -r.score)  # stable: ties keep knowledge-base order
        mail, off_topic = terms.get(_MAIL, 0.0), terms.get(_OFF, 0.0)
        strongest = min((g.weight for g in self.kb.routing.off_topic), default=0.0)
        spans = self.single_spans(toks)
        names_mail = bool(spans.get(_MAIL))
        relevance = ranked[0].evidence + mail + off_topic
        return Ranking(ranked, relevance, names_mail, off_topic, strongest, self.other_product(spans))

    def single_spans(self, toks: list[str]) -> dict[int, list[tuple[int, int]]]:
        """(start, end) of every one-part term in `toks` by target, also inside longer terms: one pass."""
        found: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for start in range(len(toks)):
            node = self.trie
            for end, tok in enumerate(toks[start:], start + 1):
                child = node.children.get(tok)
                if child is None:
                    break
                node = child
                for target in node.singles:
                    found[target].append((start, end))
        return found

    def other_product(self, spans: dict[int, list[tuple[int, int]]]) -> str | None:
        """The product a question is about when it names another product and not Alibaba Mail: as the
        asker's own ("my Gmail"), or with no mail travelling to or from it. None otherwise."""
        if spans.get(_ALIBABA):
            return None
        own_ends = {end for _, end in spans.get(_OWN, ())}
        flow = bool(spans.get(_FLOW))
        for i, product in enumerate(self.kb.routing.other_products):
            for start, _ in spans.get(_PRODUCT - i, ()):
                if product.hosted or start in own_ends or not flow:
                    return product.name
        return None


def _has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def _similarity_vectors(
    paths: tuple[PathRef, ...],
) -> tuple[dict[str, list[tuple[int, float]]], dict[str, float]]:
    """Per feature, the paths whose own text uses it with a tf-idf weight (documents normalised)."""
    counts: list[dict[str, int]] = []
    for ref in paths:
        spec = ref.spec
        text = [spec.title, spec.summary, spec.key_fact, *spec.when_to_use]
        text += [t for g in spec.vocabulary if g.weight > 0 for t in g.terms]
        doc: dict[str, int] = defaultdict(int)
        for feature in features(tokens(" \n ".join(text))):
            doc[feature] += 1
        counts.append(doc)
    df: dict[str, int] = defaultdict(int)
    for doc in counts:
        for feature in doc:
            df[feature] += 1
    idf = {f: math.log(1 + len(paths) / n) for f, n in df.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for slot, doc in enumerate(counts):
        weights = {f: (1 + math.log(c)) * idf[f] for f, c in doc.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for feature, weight in weights.items():
            postings[feature].append((slot, weight / norm))
    return dict(postings), idf


@cache
def _index() -> _Index:
    from alimail_mcp.knowledge.loader import load_knowledge

    return _Index(load_knowledge())


def index_for(kb: KnowledgeBase) -> _Index:
    """An index over another knowledge base (tests); route() uses the shipped one."""
    return _Index(kb)


def route(query: str, *, index: _Index | None = None) -> RouteResult:
    """Route a question (1..4000 characters, English or Chinese) to its intent and path.

    Raises InputError("query", ...) for empty or too long input.
    """
    if not isinstance(query, str):
        raise InputError("query", "must be a string")
    text = bounded_text(query, "query", QUERY_CHARS)
    idx = index or _index()
    ranking = idx.rank(text)
    scoring = idx.kb.routing.scoring
    ranked = ranking.paths
    best = ranked[0]
    # A short question about mail with a subject routes on little evidence; one that only resembles
    # the knowledge base's wording ("a question about email") names no subject and is refused.
    in_scope = ranking.names_mail and ranking.off_topic == 0 and best.subject > 0
    enough = scoring.min_evidence_in_scope if in_scope else scoring.min_evidence
    if (
        ranking.other_product is not None
        or best.evidence < enough
        or (not in_scope and ranking.relevance < scoring.min_relevance)
        or ranking.elsewhere()
    ):
        return _refusal(ranking)
    clueless = ranking.without_path_clue()
    if clueless:
        # The intent is clear but no term names one of its paths: its default path answers.
        default = next(r for r in ranked if r.ref.intent is best.ref.intent and r.ref.is_default)
        best = Ranked(default.ref, best.evidence, best.score, default.path_terms, best.subject)
        ranked = [best] + [r for r in ranked if r is not default]
    confidence = _confidence(best.score, ranked[1].score, scoring.confidence_scale)
    return _routed(idx, best, ranked[1:], confidence, clueless)


async def route_async(query: str) -> RouteResult:
    """route() for async callers: it is pure CPU work of well under a millisecond."""
    return route(query)


def _confidence(best: float, runner_up: float, scale: float) -> float:
    strength = 1 - math.exp(-best / scale)
    margin = (best - max(runner_up, 0.0)) / best if best > 0 else 0.0
    return round(min(1.0, max(0.0, strength * (0.5 + 0.5 * margin))), 3)


def _routed(idx: _Index, best: Ranked, rest: list[Ranked], confidence: float, clueless: bool) -> RouteResult:
    kb = idx.kb
    ref = best.ref
    spec, intent = ref.spec, ref.intent
    alternatives = [
        Alternative(
            intent=r.ref.intent.intent, path=r.ref.spec.id, score=round(confidence * r.score / best.score, 3)
        )
        for r in rest[:_MAX_ALTERNATIVES]
        if r.score > 0
    ]
    sentences = [
        f"{intent.title}: this is the '{spec.title}' path ({intent.intent}/{spec.id}).",
        spec.summary,
    ]
    if clueless:
        sentences.append(
            f"Nothing pointed to a more specific path, so the default applies: {intent.default_reason}"
        )
    elif alternatives and alternatives[0].score >= 0.8 * confidence:
        alt = alternatives[0]
        sentences.append(
            f"The '{kb.path(alt.path).spec.title}' path ({alt.intent}/{alt.path}) fits almost as well."
        )
    next_steps = [f"Read skill://{spec.skill} for the full procedure, console menus and limits."]
    next_steps += [kb.routing.tools[tool] for tool in spec.tools if tool in kb.routing.tools]
    return RouteResult(
        matched=True,
        intent=intent.intent,
        path=spec.id,
        skill=spec.skill,
        confidence=confidence,
        alternatives=alternatives,
        guidance=Guidance(
            steps=list(spec.steps),
            key_facts=[spec.key_fact, *spec.limitations],
            pitfalls=[
                f"Choosing '{kb.path(p.wrong_path).spec.title}' instead: {p.consequence}"
                for p in spec.pitfalls
            ],
        ),
        summary=" ".join(sentences),
        next_steps=next_steps,
    )


def _refusal(ranking: Ranking) -> RouteResult:
    mail_words = ranking.relevance - ranking.paths[0].evidence > 0
    if ranking.other_product is not None:
        summary = (
            f"This question is about {ranking.other_product}, not Alibaba Mail (阿里邮箱, also sold as "
            "DingTalk mail), so it was not routed: that product's own support answers it. The knowledge base "
            "covers sending and receiving problems, DNS records, login recovery and security settings of "
            "Alibaba Mail."
        )
    elif mail_words:
        summary = (
            "The question is about mail but names no problem this knowledge base covers, so it was not "
            "routed. Say what fails or what you want to set up: sending, receiving, DNS records, login or "
            "security."
        )
    else:
        summary = (
            "This question is outside Alibaba Mail (阿里邮箱) administration, so it was not routed. "
            "The knowledge base covers sending and receiving problems, DNS records, login recovery and "
            "security settings of Alibaba Mail."
        )
    return RouteResult(
        matched=False,
        confidence=0.0,
        alternatives=[],
        summary=summary,
        next_steps=[
            "Ask about sending, receiving, DNS records, login or security of an Alibaba Mail domain."
        ],
    )


def ranking(query: str) -> list[tuple[str, str, float]]:
    """Diagnostics: (intent, path, score) for every path, best first."""
    ranked = _index().rank(bounded_text(query, "query", QUERY_CHARS)).paths
    return [(r.ref.intent.intent, r.ref.spec.id, round(r.score, 3)) for r in ranked]
