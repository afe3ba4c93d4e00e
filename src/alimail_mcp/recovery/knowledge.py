"""Typed model of skills/recovery.yaml, with its phrases compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.recovery.models import RecoveryPath

FILE = "recovery.yaml"
Value = bool | str | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditional(_Strict):
    """A text kept only when every named fact has one of the listed values (None = not known)."""

    text: str
    when: dict[str, tuple[Value, ...]] = Field(default_factory=dict)

    def applies(self, facts: dict[str, Value]) -> bool:
        return all(facts.get(name) in allowed for name, allowed in self.when.items())


class FactGroup(_Strict):
    value: bool
    phrases: tuple[str, ...] = Field(min_length=1)


class AgoPattern(_Strict):
    pattern: str
    unit: Literal["minutes", "hours"] | None = None
    minutes: int | None = None


class Times(_Strict):
    clock: tuple[str, ...]
    am_words: tuple[str, ...]
    pm_words: tuple[str, ...]
    noon_words: tuple[str, ...]
    ago: tuple[AgoPattern, ...]


class AccountStateDef(_Strict):
    id: str
    phrases: tuple[str, ...] = Field(min_length=1)
    reason: str
    admin_steps: tuple[str, ...] = Field(min_length=1)


class PathDef(_Strict):
    intent: Literal["recover-access", "resolve-failure"]
    skill: str
    summary: tuple[Conditional, ...] = Field(min_length=1)
    steps: tuple[Conditional, ...] = Field(min_length=1)


class FallbackDef(Conditional):
    path: RecoveryPath


class FindingDef(_Strict):
    severity: Literal["error", "warning", "info", "ok"]
    title: str
    detail: str = ""


class RecoveryModel(_Strict):
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


@dataclass(frozen=True)
class RecoveryKnowledge:
    model: RecoveryModel
    facts: tuple[CompiledFact, ...]
    states: tuple[CompiledState, ...]
    clock: tuple[re.Pattern[str], ...]
    ago: tuple[CompiledAgo, ...]


@cache
def load_recovery() -> RecoveryKnowledge:
    path = skills_dir() / FILE
    model = validate(RecoveryModel, read_yaml(path), path)
    missing = {"self-service-reset", "unlock-account", "qr-login", "contact-admin", "webmail-service"} - set(
        model.paths
    )
    if missing:
        raise KnowledgeError(FILE, f"paths: missing {', '.join(sorted(missing))}")
    facts = tuple(
        CompiledFact(
            name, tuple((g.value, tuple(_compile(p, f"facts.{name}") for p in g.phrases)) for g in groups)
        )
        for name, groups in model.facts.items()
    )
    states = tuple(
        CompiledState(s, tuple(_compile(p, f"account_states.{s.id}") for p in s.phrases))
        for s in model.account_states
    )
    clock = tuple(_compile(p, "times.clock") for p in model.times.clock)
    ago = tuple(CompiledAgo(_compile(a.pattern, "times.ago"), a.unit, a.minutes) for a in model.times.ago)
    return RecoveryKnowledge(model, facts, states, clock, ago)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise KnowledgeError(
            FILE, f"{where}: phrase {pattern!r} is not a valid regular expression: {exc}"
        ) from None
