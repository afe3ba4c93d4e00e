"""The error catalog (skills/errors.yaml): typed, validated, compiled, and the matcher that finds
the cause of an error text at a given receiver."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from alimail_mcp.diagnosis.patterns import MATCH_CHARS, phrase_table, rx
from alimail_mcp.diagnosis.reason.tables import ReasonId
from alimail_mcp.diagnosis.receiver.registry import Receiver, lower_case_regexes, receivers
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import IntentId, PathId

try:  # the regex parser is internal to `re`; without it every pattern simply runs
    import re._constants as _constants  # type: ignore[import-not-found]
    import re._parser as _parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    _constants = _parser = None

LiveKind = Literal["dns", "ptr", "blocklist"]
"""dns: the sender domain's SPF/DKIM/DMARC/MX audit; ptr: the sending IP's reverse DNS; blocklist: the
IP or domain named in the bounce on public blocklists."""

_ID = re.compile(r"^[a-z]+\.[a-z0-9-]+$|^unclassified$")
_CODE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")


class CauseMatch(StrictModel):
    receiver: str | None = None
    status: tuple[str, ...] = ()
    reply: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    app_message: bool = False
    """Only for what a mail client, an app or webmail shows: a text on its own (not a recipient read
    from a bounce) that carries no SMTP reply code or enhanced status. Broad wording is safe there."""

    _check = field_validator("en", "zh")(lower_case_regexes)

    @field_validator("status")
    @classmethod
    def _statuses(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not _CODE.match(code):
                raise ValueError(f"{code!r} is not an enhanced status code like 5.7.26")
        return codes

    @field_validator("reply")
    @classmethod
    def _replies(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not rx(r"[245]\d\d").fullmatch(code):
                raise ValueError(f"{code!r} is not an SMTP reply code like 550")
        return codes

    @property
    def empty(self) -> bool:
        return not (self.status or self.reply or self.en or self.zh)


class CauseRoute(StrictModel):
    intent: IntentId
    path: PathId
    skill: str = Field(pattern=r"^alimail/(?:guide|troubleshooting)/[a-z0-9-]+$")


class Cause(StrictModel):
    id: str
    title: str = Field(min_length=5)
    match: CauseMatch = CauseMatch()
    also: tuple[CauseMatch, ...] = ()
    """Further sets of conditions, any of which also selects this cause."""
    fallback_for: tuple[ReasonId, ...] = ()
    explains: tuple[ReasonId, ...] = ()
    """Other reasons a bounce may be given for this cause, when its text names the cause."""
    reason: ReasonId
    override: bool = False
    permanent: bool | None = None
    retry: bool
    live: tuple[LiveKind, ...] = ()
    """The checks of what this cause blames, run live (see diagnosis.live)."""
    needs_admin: bool
    route: CauseRoute
    summary: str = Field(min_length=20)
    steps: tuple[str, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not a cause id like alimail.spf-failed")
        return value

    @model_validator(mode="after")
    def _matchable(self) -> Cause:
        if self.match.empty and not self.fallback_for:
            raise ValueError(f"{self.id}: needs status, reply or patterns to match (or fallback_for)")
        if any(block.empty for block in self.also):
            raise ValueError(f"{self.id}: every `also` entry needs status, reply or patterns to match")
        return self

    @property
    def matches(self) -> tuple[CauseMatch, ...]:
        """Every set of conditions that selects this cause (`match`, then `also`)."""
        return (self.match, *self.also)


class IncomingRoutes(StrictModel):
    """Where a refusal by Alibaba Mail's own MX hosts points (mail travelling to an Alibaba Mail mailbox)."""

    mailbox: CauseRoute
    delivery: CauseRoute
    filtering: CauseRoute
    by_reason: dict[ReasonId, CauseRoute]
    default: CauseRoute


class CatalogFile(StrictModel):
    version: int
    incoming: IncomingRoutes
    receivers: dict[str, Receiver]
    """The receiver registry (skills/receivers.yaml), put in by the loader: causes name receivers from it."""
    causes: tuple[Cause, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _links(self) -> CatalogFile:
        seen: set[str] = set()
        for cause in self.causes:
            if cause.id in seen:
                raise ValueError(f"cause id {cause.id} appears twice")
            seen.add(cause.id)
            for block in cause.matches:
                if block.receiver and block.receiver not in self.receivers:
                    raise ValueError(f"{cause.id}: unknown receiver {block.receiver}")
        return self


@dataclass(frozen=True, slots=True)
class _Compiled:
    cause: Cause
    match: CauseMatch
    text: re.Pattern[str] | None
    status: frozenset[str]
    reply: frozenset[str]
    needles: tuple[str, ...] | None
    """Substrings one of which any text the patterns match contains (None: no such set known)."""
    ascii_text: re.Pattern[str] | None
    """The patterns that can match a text in ASCII (most of them are tried on ASCII texts only)."""
    ascii_needles: tuple[str, ...] | None


class Catalog:
    """The catalog, compiled: `find()` gives the best cause for an error, `fallback()` one per reason."""

    def __init__(self, data: CatalogFile) -> None:
        self.data = data
        registry = receivers()
        # Each receiver's (hosts, markers) patterns, as the header analysis reads them.
        self.receivers = {name: (hosts, registry.markers.get(name)) for name, hosts in registry.hosts.items()}
        self._entries = [
            _compile(cause, block) for cause in data.causes for block in cause.matches if not block.empty
        ]
        self._fallbacks: dict[str, Cause] = {}
        for cause in data.causes:
            for reason in cause.fallback_for:
                self._fallbacks.setdefault(reason, cause)
        self.by_id = {cause.id: cause for cause in data.causes}

    def find(
        self,
        text: str,
        *,
        status: str = "",
        reply: str = "",
        receiver: str | None = None,
        app_message: bool = False,
    ) -> Cause | None:
        """The most specific cause whose conditions all hold (None when none does).

        Specificity: receiver, then status, then text (a specific cause before a reason's generic
        one), then reply; among equals the longer matched phrase, then file order. `text` is lower-cased here
        and read up to MATCH_CHARS characters.
        `app_message`: the text is a client's, an app's or webmail's own message (see CauseMatch).
        """
        text = text[:MATCH_CHARS].lower()
        best: tuple[int, int, int] | None = None
        found: Cause | None = None
        ascii = text.isascii()
        for order, entry in enumerate(self._entries):
            if entry.match.app_message and not app_message:
                continue
            scored = _score(entry, text, status, reply, receiver, ascii=ascii)
            if scored is not None and (best is None or (*scored, -order) > best):
                best, found = (*scored, -order), entry.cause
        return found

    def fallback(self, reason: str) -> Cause | None:
        return self._fallbacks.get(reason)


def _compile(cause: Cause, block: CauseMatch) -> _Compiled:
    patterns = (*block.en, *block.zh)
    ascii_patterns = tuple(p for p in patterns if p.isascii() or not _needs_non_ascii(p))
    text, needles = _union(patterns), _needles(patterns)
    if ascii_patterns != patterns:
        ascii_text, ascii_needles = _union(ascii_patterns), _needles(ascii_patterns)
    else:
        ascii_text, ascii_needles = text, needles
    status, reply = frozenset(block.status), frozenset(block.reply)
    return _Compiled(cause, block, text, status, reply, needles, ascii_text, ascii_needles)


def _union(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return phrase_table(patterns) if patterns else None


def _score(
    entry: _Compiled, text: str, status: str, reply: str, receiver: str | None, *, ascii: bool
) -> tuple[int, int] | None:
    match = entry.match
    score = 0
    if match.receiver:
        if match.receiver != receiver:
            return None
        score += 16
    if not entry.cause.fallback_for:
        score += 2  # a specific cause before a reason's generic explanation
    if entry.text is not None:
        pattern, needles = (entry.ascii_text, entry.ascii_needles) if ascii else (entry.text, entry.needles)
        if pattern is None or (needles is not None and not any(n in text for n in needles)):
            return None
        found = pattern.search(text)
        if not found:
            return None
        score += 3
        # With the text matched, codes only have to agree when the error carries them.
        if entry.status and status and status not in entry.status:
            return None
        if entry.reply and reply and reply not in entry.reply:
            return None
        score += 4 * (status in entry.status) + (reply in entry.reply)
        return score, found.end() - found.start()
    if entry.status:
        if status not in entry.status:
            return None
        score += 4
    if entry.reply:
        if reply not in entry.reply:
            return None
        score += 1
    return score, 0


def _needs_non_ascii(pattern: str) -> bool:
    """Whether every text `pattern` matches has a non-ASCII character (a Chinese phrase does)."""
    if _parser is None:
        return False
    return _requires_non_ascii(list(_parser.parse(pattern)))


def _requires_non_ascii(items: list[Any]) -> bool:
    for op, arg in items:
        if op is _constants.LITERAL and arg > 127:
            return True
        if op is _constants.SUBPATTERN and _requires_non_ascii(list(arg[3])):
            return True
        if op is _constants.BRANCH and all(_requires_non_ascii(list(b)) for b in arg[1]):
            return True
        repeated = op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and arg[0] >= 1
        if repeated and _requires_non_ascii(list(arg[2])):
            return True
        if op is _constants.IN and all(o is _constants.LITERAL and a > 127 for o, a in arg):
            return True
    return False


def _needles(patterns: tuple[str, ...]) -> tuple[str, ...] | None:
    """A cheap pre-check for a set of patterns: for each, a literal it cannot match without.

    Derived from the parsed pattern (the longest run of literal characters of each top-level
    branch); None when some branch has no literal, then the pattern is always run.
    """
    if not patterns or _parser is None:
        return None
    needles: list[str] = []
    for pattern in patterns:
        found = _literals(list(_parser.parse(pattern)))
        if found is None:
            return None
        needles.extend(found)
    return tuple(needles)


def _literals(items: list[Any]) -> list[str] | None:
    """Needles for a parsed sequence: a run of literals, or a required group's own needles."""
    if len(items) == 1 and items[0][0] is _constants.BRANCH:
        out: list[str] = []
        for branch in items[0][1][1]:
            found = _literals(list(branch))
            if found is None:
                return None
            out.extend(found)
        return out
    candidates: list[list[str]] = []
    run = ""
    for op, arg in items:
        if op is _constants.LITERAL:
            run += chr(arg)
            continue
        if run:
            candidates.append([run])
            run = ""
        if op is _constants.SUBPATTERN:
            found = _literals(list(arg[3]))
            if found:
                candidates.append(found)
    if run:
        candidates.append([run])
    usable = [c for c in candidates if min(len(n) for n in c) >= 2]
    return max(usable, key=lambda c: min(len(n) for n in c)) if usable else None


@compiled("catalog")
def catalog() -> Catalog:
    from alimail_mcp.knowledge.loader import display_path, load_provider, read_yaml, skills_dir, validate

    path = skills_dir() / "errors.yaml"
    data = _fill(read_yaml(path), load_provider(), path)
    if isinstance(data, dict):
        if "receivers" in data:
            raise KnowledgeError(
                display_path(path), "field receivers: receivers are defined in receivers.yaml"
            )
        data = {**data, "receivers": receivers().data.receivers}
    return Catalog(validate(CatalogFile, data, path))


def _fill(data: Any, provider: Any, path: Path) -> Any:
    """Put provider values into `{{name}}` placeholders (the same names skill files use)."""
    from alimail_mcp.knowledge.facts import fill_tree, provider_facts

    # Provider templates name the customer's domain as {domain}; steps say <domain>.
    facts = {name: value.replace("{domain}", "<domain>") for name, value in provider_facts(provider).items()}
    return fill_tree(data, facts, path.name)
