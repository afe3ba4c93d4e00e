"""Result models of the message-header analysis. Plain pydantic, cheap to import.

Everything read from a header block is evidence from outside: the fields below hold it truncated,
and the texts in `meaning` and in findings are the engine's own words from skills/headers.yaml.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import Finding

AuthMethod = Literal["spf", "dkim", "dmarc", "arc", "compauth"]
AuthSource = Literal["authentication-results", "arc-authentication-results", "received-spf"]


class Hop(BaseModel):
    """One Received field: a server handing the message to the next, oldest hop first."""

    number: int
    """1 for the first hand-over (the bottom Received field), counting up towards the mailbox."""
    from_host: str | None = None
    """The name the sending side gave (HELO) or its reverse DNS name, as written (evidence)."""
    from_ip: str | None = None
    by_host: str | None = None
    """The server that received the message at this hop, as written (evidence)."""
    by_provider: str | None = None
    """Who runs `by_host` when it is a known mail provider (Alibaba Mail, Gmail / Google Workspace ...)."""
    protocol: str | None = None
    """The `with` clause: SMTP, ESMTP, ESMTPS (TLS), ESMTPSA (authenticated), LMTP, HTTP ..."""
    received_at: str | None = None
    """When this hop took the message, ISO 8601 with the offset the server wrote; None if unreadable."""
    delay_s: int | None = None
    """Seconds since the previous hop (or since the Date field for the first one); None if unknown."""
    delayed: bool = False
    """The delay is above the notable threshold of skills/headers.yaml."""
    raw: str = ""
    """The field as written, truncated (evidence)."""


class AuthVerdict(BaseModel):
    """One authentication result a receiving server recorded (RFC 8601, ARC, Received-SPF)."""

    method: AuthMethod
    result: str
    """pass, fail, softfail, neutral, none, temperror, permerror, policy ... (lower case)."""
    source: AuthSource
    position: int
    """0 for the topmost field of its kind (the server nearest the mailbox), counting down."""
    authserv_id: str | None = None
    """The server that recorded it (evidence); Microsoft 365 writes none."""
    instance: int | None = None
    """ARC instance (i=) for ARC-Authentication-Results."""
    domain: str | None = None
    """The identity checked: smtp.mailfrom (SPF), header.d (DKIM), header.from (DMARC)."""
    properties: dict[str, str] = Field(default_factory=dict)
    """Other ptype.property values and DMARC's p / sp / dis, truncated (evidence)."""
    meaning: str = ""


class Alignment(BaseModel):
    """DMARC identifier alignment worked out from the verdicts (relaxed: same organisational domain)."""

    from_domain: str | None = None
    spf_domain: str | None = None
    dkim_domains: list[str] = Field(default_factory=list)
    """Domains of DKIM signatures that passed."""
    spf_aligned: bool | None = None
    dkim_aligned: bool | None = None


class SpamVerdict(BaseModel):
    """One spam-filter stamp found in the headers."""

    header: str
    system: str
    """Who writes the field (SpamAssassin, Rspamd, Microsoft 365, Alibaba Mail ...)."""
    score: float | None = None
    threshold: float | None = None
    flagged: bool | None = None
    """True: the filter judged the message spam; False: not spam; None: the field does not say."""
    verdict: str | None = None
    """The filter's own code, as written (SFV:SPM, AC=PASS, no action ...), truncated (evidence)."""
    tests: list[str] = Field(default_factory=list)
    """Rules or categories the filter listed (first ones), as written (evidence)."""
    meaning: str = ""
    raw: str = ""


class MessageIdentity(BaseModel):
    """The message's own fields, as written (evidence, truncated)."""

    from_address: str | None = None
    from_domain: str | None = None
    return_path: str | None = None
    to: str | None = None
    subject: str | None = None
    date: str | None = None
    message_id: str | None = None


class HeaderAnalysis(BaseModel):
    """What a raw header block says about a message's way to the mailbox."""

    fields: int
    """Header fields read."""
    truncated: bool = False
    """The block was longer than what is read; the rest was ignored."""
    message: MessageIdentity = Field(default_factory=MessageIdentity)
    hops: list[Hop] = Field(default_factory=list)
    total_delay_s: int | None = None
    """From the Date field (or the first hop) to the last hop; None when the times cannot be read."""
    slowest_hop: int | None = None
    """The `number` of the hop with the longest delay, when one is above the notable threshold."""
    reached_alibaba: bool = False
    """A hop was received by Alibaba Mail's servers (the domain's Alibaba Mail MX or its own hosts)."""
    via_foreign_mx: list[str] = Field(default_factory=list)
    """Hops received by MX hosts of another provider that the domain publishes (evidence)."""
    auth: list[AuthVerdict] = Field(default_factory=list)
    alignment: Alignment | None = None
    dmarc_disposition: Literal["none", "quarantine", "reject"] | None = None
    """What the receiver says it did under the sender's DMARC policy (Gmail dis=, Microsoft action=)."""
    spam: list[SpamVerdict] = Field(default_factory=list)
    spam_flagged: bool | None = None
    """True when any filter flagged it; False when filters spoke and none did; None when none spoke."""
    sending_ip: str | None = None
    """The address of the server that handed the message to the receiving side, when it can be told."""
    findings: list[Finding] = Field(default_factory=list)
    """Codes headers.*: what stands out (delays, failed checks, spam verdicts)."""
