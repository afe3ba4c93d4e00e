"""Result models of analyze_dmarc_reports. Plain pydantic: cheap to import (plan_secure_setup's result
uses `PolicyReadiness`, and the server builds the output schema from them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import ToolResult

SenderClass = Literal["alibaba-mail", "authorized", "unknown"]
"""alibaba-mail: the address passes SPF against Alibaba Mail's include (checked live); authorized: it
passes the domain's own SPF record, or its mail carries an aligned DKIM signature; unknown: neither."""
PolicyWord = Literal["none", "quarantine", "reject"]
SpfWord = Literal["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]


class PublishedPolicy(BaseModel):
    """The DMARC record the reporter found (policy_published), values as the report gives them."""

    p: str | None = None
    sp: str | None = None
    pct: int | None = None
    """None when the report leaves it out (100 then applies; RFC 9990 reports have no pct)."""
    adkim: str | None = None
    aspf: str | None = None
    np: str | None = None
    fo: str | None = None


class ReportSummary(BaseModel):
    """One aggregate report: who sent it, the period, the domain and policy, how many messages."""

    org_name: str
    """The reporting organisation (the domain of its address when the report leaves the name empty)."""
    report_id: str
    begin: int
    """Start of the period, Unix time (UTC), as the report gives it."""
    end: int
    begin_date: str
    """The same as ISO 8601 (UTC)."""
    end_date: str
    domain: str
    """The domain whose policy the report is about (policy_published/domain)."""
    policy: PublishedPolicy
    messages: int
    dmarc_pass: int
    dmarc_fail: int
    records: int
    """<record> elements in the report (several may be for one address)."""
    source: str
    """Where it was read: `reports[0]`, `reports[1] > google.zip > google.com!example.com!....xml`."""
    repaired: list[str] = Field(default_factory=list)
    """What had to be mended to read a report that is not well-formed XML."""
    duplicate: bool = False
    """The same report (reporter and report ID) was given earlier: not counted again."""


class SourceSummary(BaseModel):
    """One sending address for one domain, every record and report of it added together."""

    source_ip: str
    domain: str
    messages: int
    dmarc_pass: int
    dmarc_fail: int
    spf_aligned: int
    """Messages whose SPF passed for a domain aligned with the From domain (the reporter's verdict)."""
    dkim_aligned: int
    """Messages with a DKIM signature that passed for a domain aligned with the From domain."""
    sender: SenderClass
    spf_alibaba_mail: SpfWord | None = None
    """SPF check_host() of the address against Alibaba Mail's include, live; None when not checked."""
    spf_domain: SpfWord | None = None
    """SPF check_host() of the address against the domain's own record, live; None when not checked."""
    forwarded: bool = False
    """Its mail looks forwarded: SPF failed while the domain's DKIM signature passed (or the reporter
    says so), from an address that is neither Alibaba Mail's nor in the domain's SPF record."""
    authenticated_elsewhere: bool = False
    """Its mail passed SPF or DKIM for some other domain: a real mail service (a third-party sender),
    not a forger who authenticates as nothing."""
    reports: int = 1
    """Reports it appears in."""
    spf_domains: list[str] = Field(default_factory=list)
    """Envelope (SPF) domains its mail was checked for, with their results (evidence, at most 5)."""
    dkim_domains: list[str] = Field(default_factory=list)
    """DKIM signing domains and selectors seen, with their results (evidence, at most 5)."""


class Totals(BaseModel):
    messages: int = 0
    dmarc_pass: int = 0
    dmarc_fail: int = 0
    reports: int = 0
    """Reports counted (duplicates left out)."""
    sources: int = 0


class Period(BaseModel):
    begin: int
    end: int
    begin_date: str
    end_date: str
    days: float


class Blocker(BaseModel):
    """A legitimate source whose mail still fails DMARC, and what makes it pass."""

    source_ip: str
    sender: SenderClass
    messages: int
    dmarc_fail: int
    problem: str
    fix: list[str] = Field(default_factory=list)


class PolicyReadiness(BaseModel):
    """Whether the domain's DMARC policy can go one step stricter now, judged by the reports."""

    domain: str | None = None
    current: PolicyWord | None = None
    """The policy the latest report shows (None when the reports give none)."""
    current_pct: int = 100
    next: PolicyWord | None = None
    """The next stage: quarantine after none, reject after quarantine; the same policy at 100% when
    only a pct sample gets it; None at p=reject for all mail."""
    next_record: str | None = None
    """The DMARC record that takes the next step (its rua= is the provider's default report address:
    keep yours)."""
    ready: bool = False
    """Every legitimate source passed aligned SPF or DKIM over the reports' period (and there was mail)."""
    blockers: list[Blocker] = Field(default_factory=list)
    """The legitimate sources still failing, most failing mail first (at most 50 listed)."""
    blocked_sources: int = 0
    """How many sources block the step (all of them, listed or not)."""
    period: Period | None = None


class ReportError(BaseModel):
    """An item, or a file inside it, that gave no report; the other reports still count."""

    source: str
    error: str
    refused: bool = False
    """Refused as unsafe (a DTD or entity declarations, a decompression bomb)."""


class DmarcReportsResult(ToolResult):
    """DMARC aggregate reports read and merged: the reports, the sending sources with who they are, the
    totals, and whether the policy can move on."""

    domain: str | None = None
    """The domain analysed: the one asked for, else the one most of the mail was for."""
    reports: list[ReportSummary] = Field(default_factory=list)
    sources: list[SourceSummary] = Field(default_factory=list)
    """By messages, most first."""
    totals: Totals = Field(default_factory=Totals)
    policy_readiness: PolicyReadiness = Field(default_factory=PolicyReadiness)
    errors: list[ReportError] = Field(default_factory=list)
    live_checks: bool = True
    """Sender classes come from live SPF checks (False: offline, every address not DKIM-aligned is
    `unknown`)."""
