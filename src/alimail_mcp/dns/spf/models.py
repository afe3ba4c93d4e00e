"""Result models of SPF evaluation and of the SPF check. Plain pydantic: cheap to import."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dns.models import CheckResult
from alimail_mcp.models import DnsChange

SpfResultCode = Literal["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]
AllQualifier = Literal["+all", "-all", "~all", "?all"]


class SpfStep(BaseModel):
    """One term evaluated by check_host(), in evaluation order (an include's own steps come first)."""

    domain: str
    """The domain whose record holds the term."""
    term: str
    """The term as published (truncated); `(default)` when no term matched."""
    outcome: Literal["match", "no-match", "error", "default"]
    depth: int = 0
    """0 for the checked domain's record (and the records it redirects to), +1 per include."""
    detail: str = ""
    """The engine's words only; the names are in `domain` and `term`."""


class SpfResult(BaseModel):
    """The outcome of RFC 7208 check_host() for one IP address."""

    result: SpfResultCode
    ip: str
    domain: str
    sender: str
    reason: str
    """Why, in the engine's words; the names and terms it is about follow as quoted values."""
    explanation: str | None = None
    """The domain's exp= text, expanded, on fail; None otherwise or when it could not be used."""
    decided_by: SpfStep | None = None
    """The step of the checked domain's record that gave the result (None: nothing matched)."""
    trace: list[SpfStep] = Field(default_factory=list)
    """The last 200 steps at most (a record may list thousands of terms; the deciding steps come last)."""
    lookups: int = 0
    """DNS-querying terms evaluated (limit 10)."""
    void_lookups: int = 0
    """Lookups that found nothing (limit 2)."""


IncludeStatus = Literal[
    "ok", "no-record", "multiple", "syntax", "loop", "unreachable", "dynamic", "repeated", "not-followed"
]


class SpfInclude(BaseModel):
    """A record reached through include: or redirect=, with what it reaches in turn."""

    domain: str
    via: Literal["include", "redirect"]
    qualifier: Literal["+", "-", "~", "?"] = "+"
    status: IncludeStatus
    """`dynamic`: the target has macros, so it depends on the message and is not followed; `repeated`:
    the target is listed, with what it reaches, where the walk met it first; `not-followed`: past the
    walk's limits (see spf.walk-truncated)."""
    record: str | None = None
    lookups: int = 0
    """DNS-querying terms in this record itself (its includes count in their own entries)."""
    includes: list[SpfInclude] = Field(default_factory=list)


class SpfCheck(CheckResult):
    """What the SPF check saw: the record, its include tree, counts and the optional evaluation."""

    record: str | None = None
    """The domain's v=spf1 record (the first, when there are several)."""
    lookups: int = 0
    """DNS-querying terms through every include, as a receiver evaluating all of them counts (limit 10)."""
    void_lookups: int = 0
    """Names the record refers to that do not exist or have no records (limit 2)."""
    includes: list[SpfInclude] = Field(default_factory=list)
    authorizes_alimail: bool = False
    """An include Alibaba Mail accepts is reached (through nested includes too)."""
    all_qualifier: AllQualifier | None = None
    """How mail from unlisted servers is treated (following redirect=); None: no `all`, so neutral."""
    evaluation: SpfResult | None = None
    """check_host() for the first `sending_ip`, when one was given."""
    evaluations: list[SpfResult] = Field(default_factory=list)
    """check_host() for each `sending_ip` given, in order."""
    recommended_record: str | None = None
    """The one record the domain should publish, when it differs from what is published."""
    changes: list[DnsChange] = Field(default_factory=list)
    """The record changes that get there: replace (or add) the record, delete any extra ones."""
