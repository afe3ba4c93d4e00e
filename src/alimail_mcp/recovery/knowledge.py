"""Typed model of skills/recovery.yaml, with its phrases compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.recovery.models import RecoveryPath

FILE = "recovery.yaml"
Value = bool | str | None


class Conditional(StrictModel):
    """A text kept only when every named fact has one of the listed values (None = not known)."""

    text: str
    when: dict[str, tuple[Value, ...]] = Field(default_factory=dict)

    def applies(self, facts: dict[str, Value]) -> bool:
        return all(facts.get(name) in allowed for name, allowed in self.when.items())


class FactGroup(StrictModel):
    value: bool
    phrases: tuple[str, ...] = Field(min_length=1)


class AgoPattern(StrictModel):
    pattern: str
    unit: Literal["minutes", "hours"] | None = None
    minutes: int | None = None
    plus_minutes: int = 0
    """Added to the duration: "一个半小时前" is one hour plus thirty minutes."""
    until: bool = False
    """The duration is the time left until the lock lifts, not the time since it began."""


class Times(StrictModel):
    clock: tuple[str, ...]
    am_words: tuple[str, ...]
    pm_words: tuple[str, ...]
    noon_words: tuple[str, ...]
    named_times: dict[str, int] = Field(default_factory=dict)
    yesterday_words: tuple[str, ...] = ()
    now_words: tuple[str, ...] = ()
    number_words: dict[str, int] = Field(default_factory=dict)
    ago: tuple[AgoPattern, ...]


class AccountStateDef(StrictModel):
    id: str
    phrases: tuple[str, ...] = Field(min_length=1)
    reason: str
    admin_steps: tuple[str, ...] = Field(min_length=1)


class PathDef(StrictModel):
    intent: Literal["recover-access", "resolve-failure"]
    skill: str
    summary: tuple[Conditional, ...] = Field(min_length=1)
    steps: tuple[Conditional, ...] = Field(min_length=1)


class FallbackDef(Conditional):
    path: RecoveryPath


class FindingDef(StrictModel):
    severity: Literal["error", "warning", "info", "ok"]
    title: str
    detail: str = ""


class RecoveryModel(StrictModel):
    words: dict[str, str] = Field(default_factory=dict)
    facts: dict[str, tuple[FactGroup, ...]]
    times: Times
    account_states: tuple[AccountStateDef, ...]
    paths: dict[RecoveryPath, PathDef]
    admin_steps: dict[RecoveryPath, tuple[str, ...]]
    what_to_send_admin: tuple[Conditional, ...]
    fallbacks: dict[RecoveryPath, tuple[FallbackDef, ...]]
    findings: dict[str, FindingDef]


@dataclass(frozen=True)
class CompiledFact:
    name: str
    groups: tuple[tuple[bool, tuple[re.Pattern[str], ...]], ...]


@dataclass(frozen=True)
class CompiledState:
    definition: AccountStateDef
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CompiledAgo:
    pattern: re.Pattern[str]
    unit: Literal["minutes", "hours"] | None
    minutes: int | None
    plus_minutes: int
    until: bool


@dataclass(frozen=True)
class RecoveryKnowledge:
    model: RecoveryModel
    facts: tuple[CompiledFact, ...]
    states: tuple[CompiledState, ...]
    clock: tuple[re.Pattern[str], ...]
    ago: tuple[CompiledAgo, ...]


@compiled("recovery")
def load_recovery() -> RecoveryKnowledge:
    path = skills_dir() / FILE
    model = validate(RecoveryModel, read_yaml(path), path)
    missing = {"self-service-reset", "unlock-account", "qr-login", "contact-admin", "webmail-service"} - set(
        model.paths
    )
    if missing:
        raise KnowledgeError(FILE, f"paths: missing {', '.join(sorted(missing))}")
    words = {**model.words, "number": number_pattern(model.times.number_words)}

    def compile_(pattern: str, where: str) -> re.Pattern[str]:
        return _compile(_expand(pattern, words, where), where)

    facts = tuple(
        CompiledFact(
            name, tuple((g.value, tuple(compile_(p, f"facts.{name}") for p in g.phrases)) for g in groups)
        )
        for name, groups in model.facts.items()
    )
    states = tuple(
        CompiledState(s, tuple(compile_(p, f"account_states.{s.id}") for p in s.phrases))
        for s in model.account_states
    )
    clock = tuple(compile_(p, "times.clock") for p in model.times.clock)
    ago = tuple(
        CompiledAgo(compile_(a.pattern, "times.ago"), a.unit, a.minutes, a.plus_minutes, a.until)
        for a in model.times.ago
    )
    return RecoveryKnowledge(model, facts, states, clock, ago)


CHINESE_NUMERALS = "零〇一二两三四五六七八九十百"
_WORD_REF = re.compile(r"(?<!\(\?)(?<!\(\?P)<([a-z_]+)>")  # not a group name: (?P<n> or (?<!


def number_pattern(number_words: dict[str, int]) -> str:
    """Digits, Chinese numerals, or one of the knowledge base's number words (longest first)."""
    names = sorted(number_words, key=lambda w: (-len(w), w))
    spelled = "".join(f"|{re.escape(w)}(?![a-z])" for w in names)
    return f"(?:\\d+|[{CHINESE_NUMERALS}]+{spelled})"


def _expand(pattern: str, words: dict[str, str], where: str) -> str:
    """Replace each <name> with the `words` entry of that name, as a non-capturing group."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            raise KnowledgeError(FILE, f"{where}: phrase {pattern!r} names <{name}>, which is not in words")
        return f"(?:{words[name]})"

    return _WORD_REF.sub(one, pattern)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise KnowledgeError(
            FILE, f"{where}: phrase {pattern!r} is not a valid regular expression: {exc}"
        ) from None
