"""Typed models of the skill files: intent skills with their paths, detail skills, routing vocabulary."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from alimail_mcp.knowledge.strict import StrictModel
from alimail_mcp.models import IntentId, PathId

ToolName = Literal[
    "check_dns", "diagnose_send_error", "recover_access", "check_client_settings", "check_webmail"
]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]")


class TermList(StrictModel):
    """Routing terms in English and Chinese, matched as whole words (English) or character runs (Chinese)."""

    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()

    @field_validator("en", "zh", mode="before")
    @classmethod
    def _codes_as_text(cls, terms: object) -> object:
        # An unquoted reply code such as 550 reads as a YAML integer; it is a term all the same.
        if isinstance(terms, list):
            return [str(t) if isinstance(t, int) and not isinstance(t, bool) else t for t in terms]
        return terms

    @field_validator("en")
    @classmethod
    def _english(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in terms:
            if _CJK.search(term) or not _WORD.search(term):
                raise ValueError(
                    f"English term {term!r} must have letters or digits and no Chinese characters"
                )
        return terms

    @field_validator("zh")
    @classmethod
    def _chinese(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in terms:
            if not _CJK.search(term):
                raise ValueError(f"Chinese term {term!r} has no Chinese characters (put it under en)")
        return terms

    @model_validator(mode="after")
    def _not_empty(self) -> TermList:
        if not self.en and not self.zh:
            raise ValueError("a term group needs en or zh terms")
        return self

    @property
    def terms(self) -> tuple[str, ...]:
        return self.en + self.zh


class TermGroup(TermList):
    """Routing terms sharing one weight; negative weights count against the target."""

    weight: float = Field(ge=-5, le=5)

    @field_validator("weight")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("weight must not be 0")
        return value


class OtherProduct(TermList):
    """A product that is not Alibaba Mail, by the names people use for it; a refusal names it by `name`."""

    name: str = Field(min_length=1)
    hosted: bool = False
    """A mail service a company runs its domain on: named without Alibaba Mail, it is the asker's own."""


class Pitfall(StrictModel):
    """What goes wrong when this path's situation is handled with `wrong_path` instead."""

    wrong_path: PathId
    consequence: str = Field(min_length=1)


class PathSpec(StrictModel):
    id: PathId
    title: str = Field(min_length=1)
    skill: str = Field(pattern=r"^alimail/(guide|troubleshooting)/[a-z0-9-]+$")
    summary: str = Field(min_length=1)
    when_to_use: tuple[str, ...] = Field(min_length=1)
    when_not_to_use: tuple[str, ...] = Field(min_length=1)
    limitations: tuple[str, ...] = Field(min_length=1)
    key_fact: str = Field(min_length=1)
    steps: tuple[str, ...] = Field(min_length=2)
    pitfalls: tuple[Pitfall, ...] = Field(min_length=1)
    tools: tuple[ToolName, ...] = ()
    vocabulary: tuple[TermGroup, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _bilingual(self) -> PathSpec:
        if not any(g.en for g in self.vocabulary) or not any(g.zh for g in self.vocabulary):
            raise ValueError(f"path {self.id}: vocabulary needs both en and zh terms")
        if any(p.wrong_path == self.id for p in self.pitfalls):
            raise ValueError(f"path {self.id}: a pitfall cannot name the path itself")
        return self


class IntentSkill(StrictModel):
    """One intent skill file: front matter fields plus the markdown `body`."""

    id: str = Field(pattern=r"^alimail/alimail-[a-z-]+$")
    intent: IntentId
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    typical_questions: tuple[str, ...] = Field(min_length=2)
    default_path: PathId
    default_reason: str = Field(min_length=1)
    vocabulary: tuple[TermGroup, ...] = ()
    paths: tuple[PathSpec, ...] = Field(min_length=1)
    body: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> IntentSkill:
        if self.id != f"alimail/alimail-{self.intent}":
            raise ValueError(f"id must be alimail/alimail-{self.intent} for intent {self.intent}")
        ids = [p.id for p in self.paths]
        if len(set(ids)) != len(ids):
            raise ValueError("path ids repeat")
        if self.default_path not in ids:
            raise ValueError(f"default_path {self.default_path} is not one of this intent's paths {ids}")
        for path in self.paths:
            for pit in path.pitfalls:
                if pit.wrong_path not in ids:
                    raise ValueError(
                        f"path {path.id}: pitfall names {pit.wrong_path}, not a path of this intent"
                    )
        return self

    def path(self, path_id: str) -> PathSpec:
        return next(p for p in self.paths if p.id == path_id)


class DetailSkill(StrictModel):
    """A guide or troubleshooting skill: a title, a description and a markdown body of steps."""

    id: str = Field(pattern=r"^alimail/(guide|troubleshooting)/[a-z0-9-]+$")
    kind: Literal["guide", "troubleshooting"]
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    body: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> DetailSkill:
        if self.id.split("/")[1] != self.kind:
            raise ValueError(f"id {self.id} does not match kind {self.kind}")
        if not re.search(r"^\s*1\. ", self.body, re.MULTILINE):
            raise ValueError("body needs numbered steps (a line starting with '1. ')")
        return self


class Scoring(StrictModel):
    default_bonus: float = Field(ge=0)
    min_evidence: float = Field(gt=0)
    min_evidence_in_scope: float = Field(gt=0)
    min_relevance: float = Field(gt=0)
    similarity_weight: float = Field(ge=0)
    confidence_scale: float = Field(gt=0)


class RoutingVocabulary(StrictModel):
    """skills/routing.yaml: mail-relevance and off-topic words, tool hints and scoring constants."""

    mail_terms: tuple[TermGroup, ...] = Field(min_length=1)
    off_topic: tuple[TermGroup, ...] = Field(min_length=1)
    other_products: tuple[OtherProduct, ...] = ()
    own_markers: TermList
    """Words that make a product named right after them the asker's own ("my Gmail", "我的QQ邮箱")."""
    mail_flow: TermList
    """Words of mail travelling between the asker and someone else: with them, another product named
    is the other end of the flow ("our mail to Gmail bounces"), not the subject of the question."""
    tools: dict[ToolName, str]
    scoring: Scoring

    @field_validator("off_topic")
    @classmethod
    def _negative(cls, groups: tuple[TermGroup, ...]) -> tuple[TermGroup, ...]:
        if any(g.weight >= 0 for g in groups):
            raise ValueError("off-topic weights must be negative")
        return groups
