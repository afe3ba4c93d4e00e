"""Result models of diagnose_missing_mail. Cheap to import: pydantic and other result models only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dns.models import MxCheck, PlannedChange
from alimail_mcp.headers.models import HeaderAnalysis
from alimail_mcp.missing_mail.args import SYMPTOMS, Symptom
from alimail_mcp.models import PathId, ResolverReport, ToolResult

__all__ = ["SYMPTOMS", "Symptom"]


class Evidence(BaseModel):
    """One observation that counts for (weight > 0) or against (weight < 0) a cause."""

    signal: str
    """Stable id of the observation: symptom.*, dns.*, sender.*, headers.*, bounce.*."""
    says: str
    """What was observed, in the engine's words."""
    weight: float
    """Log-odds the observation adds to the cause (skills/missing_mail.yaml)."""
    quote: str | None = None
    """The outside text behind it (a header line, an MX host, a bounce line), truncated: evidence only."""


class LikelyCause(BaseModel):
    rank: int
    id: str
    """Stable cause id (spam.folder, mailbox.pop-deletion, dns.mx-conflict ...)."""
    path: PathId
    skill: str
    title: str
    score: float
    """0..1: how likely the cause is given the evidence (causes are independent; several may hold)."""
    evidence: list[Evidence] = Field(default_factory=list)
    """Observations for the cause, strongest first."""
    against: list[Evidence] = Field(default_factory=list)
    """Observations against it."""
    steps: list[str] = Field(default_factory=list)
    dns_changes: list[PlannedChange] = Field(default_factory=list)
    """For DNS causes: the record changes that remove the cause."""


class NextQuestion(BaseModel):
    id: str
    ask: str
    why: str
    answers: str | None = None
    """The symptom (or input: headers, bounce_text) to pass when asking again with the answer."""
    helps_decide: list[str] = Field(default_factory=list)
    """The leading causes the answer tells apart."""


class SenderChecks(BaseModel):
    """The sender domain's DNS, read live (SPF for the sending server when the headers name it, DMARC)."""

    domain: str
    internal: bool = False
    """The sender is in the same organisation's domain: the message stays inside Alibaba Mail."""
    exists: bool | None = None
    """False when the sender's domain does not exist in DNS (NXDOMAIN); None when not answered."""
    spf_record: bool | None = None
    """Whether the sender domain publishes SPF; None when not looked up or unanswered."""
    sending_ip: str | None = None
    spf_result: str | None = None
    """check_host() for `sending_ip`: pass, fail, softfail, neutral, none, permerror, temperror."""
    dmarc_policy: str | None = None


class BounceReading(BaseModel):
    """The bounce text, read by the bounce classifier of diagnose_send_error."""

    read: bool
    """False when the classifier could not read it (or is not available)."""
    failed: bool = True
    """False when the text reports no failure: a delivery report, an auto-reply or feedback."""
    reason: str | None = None
    cause: str | None = None
    """Cause id of skills/errors.yaml."""
    reply_code: str | None = None
    enhanced_status: str | None = None
    diagnostic: str | None = None
    """The refusing server's words, truncated (evidence)."""
    recipient: str | None = None
    """The address the bounce is about, as written (evidence)."""
    about_this_domain: bool | None = None
    """Whether that address is in the diagnosed domain's organisation; None when the bounce names none."""
    signal: str | None = None
    """The bounce.* signal it gave the ranking."""


class MissingMailDiagnosis(ToolResult):
    """Ranked likely causes of missing inbound mail, with evidence, steps and the next question to ask."""

    domain: str
    sender: str | None = None
    symptoms: list[Symptom] = Field(default_factory=list)
    causes: list[LikelyCause] = Field(default_factory=list)
    """Most likely first."""
    decided: bool
    """True when the evidence establishes the leading cause(s); False: ask `next_question`."""
    next_question: NextQuestion | None = None
    dns_overall: Literal["ok", "problem", "unreachable"]
    resolver: ResolverReport | None = None
    """The resolver the DNS audit asked and whether it answered."""
    mx: MxCheck | None = None
    dns_changes: list[PlannedChange] = Field(default_factory=list)
    """The domain's MX and SPF changes from check_dns."""
    sender_checks: SenderChecks | None = None
    headers: HeaderAnalysis | None = None
    bounce: BounceReading | None = None
