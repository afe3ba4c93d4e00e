"""Result models of diagnose_send_error. Plain pydantic, cheap to import (the server builds the
tool's output schema from them at start-up)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import DnsChange, Finding, ResolverReport, ToolResult

InputKind = Literal["bounce", "error_text", "not_a_failure", "unrecognized"]
"""bounce: a bounce message was read; error_text: a reply line, webmail or client message;
not_a_failure: an auto-reply, a feedback report or a delivery report; unrecognized: nothing found."""


class RecipientDiagnosis(BaseModel):
    """One recipient's failure (or not-failure), read from the bounce or the error text."""

    recipient: str | None = None
    """The address that failed, when the text names it."""
    reason: str
    """Bounce reason in Sisimai's vocabulary (userunknown, mailboxfull, blocked ...)."""
    permanent: bool | None = None
    """True: the same message fails again unchanged; False: temporary; None: not a failure or unknown."""
    retry_helps: bool = False
    """Whether sending again later, unchanged, can succeed."""
    reply_code: str | None = None
    """SMTP reply code, e.g. 550."""
    enhanced_status: str | None = None
    """RFC 3463 enhanced status code, e.g. 5.7.26."""
    cause: str | None = None
    """Id of the cause in the error catalog (skills/errors.yaml), e.g. google.authentication-required."""
    receiver: str | None = None
    """Who refused it, when recognised (google, microsoft, yahoo, alibaba, netease, tencent)."""
    remote_host: str | None = None
    smtp_command: str | None = None
    """The SMTP command the error answered (HELO, EHLO, MAIL, RCPT, DATA)."""
    diagnostic: str = ""
    """The error text as the server wrote it: quoted evidence, truncated."""
    date: str | None = None
    source: str = ""
    """Which reader understood the input (postfix, exim, rfc3464, text ...)."""


class SpfVerdict(BaseModel):
    """SPF evaluated for the sending IP named in the bounce (RFC 7208 check_host)."""

    ip: str
    domain: str
    result: str
    """pass, fail, softfail, neutral, none, permerror, temperror."""
    decided_by: str | None = None
    """The term of the domain's record that decided (e.g. `-all`), when one did."""
    reason: str = ""


class PtrCheck(BaseModel):
    """The sending IP's reverse DNS, looked up now (what a `requireptr` refusal blames)."""

    ip: str
    status: Literal["ok", "missing", "mismatch", "unreachable", "not-public"]
    """ok: a PTR name that resolves back to the IP; missing: no PTR record; mismatch: the name does not
    point back to the IP; unreachable: no answer in time; not-public: a private or reserved address,
    not looked up."""
    names: list[str] = Field(default_factory=list)
    """The PTR names found (evidence)."""


class BlocklistListing(BaseModel):
    target: str
    """The IP address or domain looked up (evidence)."""
    status: Literal["listed", "not-listed", "unverified"]
    lists: list[str] = Field(default_factory=list)
    """The blocklists that list it."""


class BlocklistResult(BaseModel):
    """IP addresses and domains the bounce names, looked up on public blocklists now."""

    checked: bool
    """False when no blocklist look-up ran (then every target is `unverified`)."""
    targets: list[str] = Field(default_factory=list)
    listings: list[BlocklistListing] = Field(default_factory=list)
    note: str = ""


class LiveCheck(BaseModel):
    """What the bounce blames, checked live now: the sender domain's SPF/DKIM/DMARC (`dns`), the sending
    IP's reverse DNS (`ptr`), the IP or domain on blocklists (`blocklist`)."""

    domain: str | None = None
    """The sender domain audited (None when only the sending IP was checked)."""
    status: Literal["ok", "problem", "unreachable", "error"]
    """problem: some check shows what the bounce blames now; ok: none does; unreachable: a check could
    not complete; error: a check could not run."""
    checks: list[Literal["dns", "ptr", "blocklist"]] = Field(default_factory=list)
    """The live checks that ran."""
    still_present: bool | None = None
    """Whether the problem the bounce blames is still there now (None: could not tell)."""
    sending_ip: str | None = None
    spf: SpfVerdict | None = None
    failing: list[Literal["spf", "dkim", "dmarc"]] = Field(default_factory=list)
    """Which of the sender domain's SPF, DKIM and DMARC fail now."""
    records_to_publish: list[DnsChange] = Field(default_factory=list)
    """The exact records to add or replace in the sender domain's DNS (from the check_dns plan)."""
    ptr: PtrCheck | None = None
    blocklist: BlocklistResult | None = None
    findings: list[Finding] = Field(default_factory=list)
    """check_dns findings that need action (warnings and errors)."""
    note: str = ""
    resolver: ResolverReport | None = None
    """The resolver asked and whether it answered."""


class DiagnosisResult(ToolResult):
    """What failed, why, whether retrying helps, and what to do."""

    kind: InputKind
    recipients: list[RecipientDiagnosis] = Field(default_factory=list)
    """One entry per recipient, in the bounce's order (at most 200; see recipients_total)."""
    recipients_total: int = 0
    """How many recipients the input named (more than listed when it names over 200)."""
    retry_helps: bool = False
    """True when every failed recipient can succeed later without a change."""
    sender_domain: str | None = None
    """The sending domain: the `domain` argument, else the returned message's From."""
    live: LiveCheck | None = None
    """DNS checks of the sender domain, when they ran."""
