"""Result models of diagnose_send_error. Plain pydantic, cheap to import (the server builds the
tool's output schema from them at start-up)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import Finding, ResolverReport, ToolResult

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


class LiveCheck(BaseModel):
    """The sender domain's DNS, checked because the failure is about authentication."""

    domain: str
    status: Literal["ok", "problem", "unreachable", "error"]
    """ok/problem/unreachable: the check_dns verdict; error: the check could not run."""
    sending_ip: str | None = None
    spf: SpfVerdict | None = None
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
