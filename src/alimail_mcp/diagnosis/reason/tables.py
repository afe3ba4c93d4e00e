"""skills/reasons.yaml as typed, compiled tables: one matcher per reason, the status-code table."""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import Field, field_validator

from alimail_mcp.diagnosis.patterns import MATCH_CHARS, phrase_table, rx
from alimail_mcp.diagnosis.receiver.registry import receivers
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.strict import StrictModel

ReasonId = Literal[
    "authfailure",
    "badreputation",
    "blocked",
    "contenterror",
    "delivered",
    "exceedlimit",
    "expired",
    "failedstarttls",
    "feedback",
    "filtered",
    "hasmoved",
    "hostunknown",
    "mailboxfull",
    "mailererror",
    "mesgtoobig",
    "networkerror",
    "norelaying",
    "notaccept",
    "notcompliantrfc",
    "onhold",
    "policyviolation",
    "rejected",
    "requireptr",
    "securityerror",
    "spamdetected",
    "speeding",
    "suppressed",
    "suspend",
    "syntaxerror",
    "systemerror",
    "systemfull",
    "toomanyconn",
    "undefined",
    "userunknown",
    "vacation",
    "virusdetected",
]
REASONS: tuple[str, ...] = get_args(ReasonId)
"""Sisimai 5's reason names (5.2.0: `speeding` and `mesgtoobig`, which later releases call
`ratelimited` and `emailtoolarge`). The 29 names of Sisimai 4.25 keep their meaning; the seven new
ones take cases 4.25 gave to blocked, policyviolation, securityerror or toomanyconn."""


def _compiles(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
    return patterns


class ReasonEntry(StrictModel):
    summary: str = Field(min_length=10)
    side: Literal["sender", "recipient", "receiver", "network", "none"]
    retry: bool
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    not_phrases: tuple[str, ...] = ()

    _check = field_validator("patterns")(_compiles)


class MdaEntry(StrictModel):
    marker: str
    reasons: dict[ReasonId, tuple[str, ...]]


class ReceiverTableRow(StrictModel):
    reason: ReasonId
    text: str = Field(min_length=2)
    """A lower-case phrase the error text must contain."""
    status: str = ""
    """An enhanced status prefix (`5.7.` or a full code); empty matches any."""
    reply: str = ""
    status_range: tuple[int, int] | None = None
    """Inclusive range of the status code's last number, with `status` as the prefix."""


class ReceiverTable(StrictModel):
    """How one receiver's replies read; which replies are its own is the registry's word
    (skills/receivers.yaml: `reply_hosts`, else `hosts`)."""

    rows: tuple[ReceiverTableRow, ...] = ()
    codes: dict[str, ReasonId] = Field(default_factory=dict)
    """The receiver's own error codes (found in the text by `code_pattern`) -> reason."""
    code_pattern: str = ""
    code_ranges: tuple[tuple[int, int, ReasonId], ...] = ()
    """Numeric code ranges (inclusive) -> reason, for codes `codes` does not list."""
    code_default: ReasonId | None = None
    """The reason when `code_pattern` matched a code no table lists."""
    phrases: dict[ReasonId, tuple[str, ...]] = Field(default_factory=dict)
    """Phrases matched case-sensitively as the receiver writes them, when no code decided."""
    keep_reason: bool = True
    """When the reader already decided a reason, keep it (most receivers); False lets the table override."""


class ReasonsFile(StrictModel):
    version: int
    status: dict[str, ReasonId]
    reasons: dict[ReasonId, ReasonEntry]
    mda: dict[str, MdaEntry]
    receivers: dict[str, ReceiverTable] = Field(default_factory=dict)
    """Tables by receiver id of skills/receivers.yaml."""

    @field_validator("status")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not rx(r"[245]\.\d{1,3}\.\d{1,3}").fullmatch(code):
                raise ValueError(f"{code!r} is not an enhanced status code")
        return value


class Matcher:
    """Matches lower-cased text (its first MATCH_CHARS characters) against one reason's phrases and
    patterns."""

    __slots__ = ("_not", "_phrases", "_regex")

    def __init__(self, entry: ReasonEntry) -> None:
        self._phrases = tuple(p.lower() for p in entry.phrases)
        self._not = tuple(p.lower() for p in entry.not_phrases)
        self._regex = phrase_table(entry.patterns) if entry.patterns else None

    def __call__(self, text: str) -> bool:
        if not text:
            return False
        text = text[:MATCH_CHARS]
        if self._not and any(p in text for p in self._not):
            return False
        if any(p in text for p in self._phrases):
            return True
        return bool(self._regex and self._regex.search(text))


class Tables:
    def __init__(self, data: ReasonsFile) -> None:
        self.data = data
        self.status = data.status
        self.matchers: dict[str, Matcher] = {name: Matcher(e) for name, e in data.reasons.items()}
        self.cjk_matchers: dict[str, Matcher] = {
            name: Matcher(_non_ascii(e)) for name, e in data.reasons.items()
        }
        self.mda = {
            name: (
                re.compile(entry.marker),
                {r: tuple(p.lower() for p in ps) for r, ps in entry.reasons.items()},
            )
            for name, entry in data.mda.items()
        }

    def match(self, reason: str, text: str) -> bool:
        matcher = self.matchers.get(reason)
        return bool(matcher and matcher(text))

    def match_non_english(self, reason: str, text: str) -> bool:
        """Like `match`, with only the phrases written in Chinese (or another non-Latin script)."""
        matcher = self.cjk_matchers.get(reason)
        return bool(matcher and matcher(text))

    def status_reason(self, status: str) -> str:
        return self.status.get(status, "")


def _non_ascii(entry: ReasonEntry) -> ReasonEntry:
    return entry.model_copy(
        update={
            "phrases": tuple(p for p in entry.phrases if not p.isascii()),
            "patterns": tuple(p for p in entry.patterns if not p.isascii()),
            "not_phrases": (),
        }
    )


@compiled("tables")
def tables() -> Tables:
    from alimail_mcp.knowledge.loader import display_path, read_yaml, skills_dir, validate

    path = skills_dir() / "reasons.yaml"
    data = validate(ReasonsFile, read_yaml(path), path)
    registered = receivers().data.receivers
    unknown = next((name for name in data.receivers if name not in registered), None)
    if unknown is not None:
        problem = f"field receivers.{unknown}: no receiver {unknown} in receivers.yaml"
        raise KnowledgeError(display_path(path), problem)
    return Tables(data)
