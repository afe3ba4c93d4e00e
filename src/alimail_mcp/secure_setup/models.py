"""Result models of plan_secure_setup. Cheap to import: pydantic and the shared and DNS result models only
(no cryptography, no dnspython); the server builds the tool's output schema from them at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dmarc_reports.models import PolicyReadiness
from alimail_mcp.dns.models import PlannedChange
from alimail_mcp.models import DnsChange, Finding, ResolverReport, ToolResult
from alimail_mcp.secure_setup.args import GoalId

EditionId = Literal["standard", "premium", "enterprise", "ai-premium"]
StepId = Literal["spf", "dkim", "dmarc-none", "dmarc-quarantine", "dmarc-reject"]
StepStatus = Literal["done", "to-do", "fix", "later", "unknown"]
"""done: nothing to change; to-do: missing, set it up now; fix: present but wrong, change it now;
later: scheduled for `not_before`; unknown: the DNS answer needed to judge it did not come."""


class PropagationBound(BaseModel):
    """How long until receivers see a record change."""

    typical_minutes: list[int] | None = None
    """[low, high] quoted by product notes for SPF (none for DKIM/DMARC)."""
    seed_hours: int
    """Upper bound product notes quote for SPF/DKIM/DMARC records."""
    official_max_hours: int
    """Upper bound Alibaba Cloud documents for any DNS change."""
    pending_wait_s: int | None = None
    """When a change is already on its way: seconds until every cached old answer has expired."""
    text: str


class PlanStep(BaseModel):
    """One step of the domain authentication plan, in the order to take them."""

    order: int
    id: StepId
    title: str
    status: StepStatus
    where: Literal["dns", "admin-console"]
    """Where the step is done: the DNS provider, or the Alibaba Mail admin console first."""
    why: str
    actions: list[str] = Field(default_factory=list)
    records: list[DnsChange] = Field(default_factory=list)
    """The record(s) the step publishes. DKIM's value is a template: the key comes from the admin console."""
    dns_changes: list[PlannedChange] = Field(default_factory=list)
    """The exact changes with their Alibaba Cloud DNS form (`aliyun alidns ...`), where they can be known."""
    not_before: str | None = None
    """For staged DMARC steps: the earliest date (ISO 8601) to take the step, counting from `today`."""
    condition: str | None = None
    """What must hold before the step is taken."""
    propagation: PropagationBound | None = None
    resolves: list[str] = Field(default_factory=list)
    """Codes of the check_dns findings this step deals with."""
    needs_admin: bool = True


class Requirement(BaseModel):
    id: Literal["edition", "admin-enabled", "pkcs12", "certificate-limit", "certificate"]
    text: str
    met: bool | None = None
    """True / False when it can be told from the input; None when only the user can check it."""


class CertificateCheck(BaseModel):
    """An S/MIME certificate read with `cryptography`: dates, addresses, key and usages, and its problems."""

    source: Literal["pem", "der", "pkcs12"]
    subject: str
    """RFC 4514 form, as issued (evidence, truncated)."""
    issuer: str
    serial: str
    """Hexadecimal."""
    sha256_fingerprint: str
    not_before: str
    not_after: str
    days_left: int
    """Whole days until expiry at the time of the check (negative once expired)."""
    emails: list[str] = Field(default_factory=list)
    """Addresses in the subject (emailAddress) and the subject alternative name (rfc822Name)."""
    mailbox: str | None = None
    mailbox_matches: bool | None = None
    """Whether `mailbox` is among `emails`; None when no mailbox was given."""
    key_type: str
    """RSA, EC, Ed25519, Ed448, DSA."""
    key_bits: int | None = None
    key_usage: list[str] | None = None
    """Key Usage bits set (digitalSignature, keyEncipherment ...); None when absent (any use)."""
    extended_key_usage: list[str] | None = None
    """Extended Key Usage purposes (emailProtection, clientAuth ...); None when absent (any purpose)."""
    signature_hash: str | None = None
    self_signed: bool
    is_ca: bool = False
    has_private_key: bool | None = None
    """For PKCS#12 files: whether the file holds the private key; None for a certificate alone."""
    extra_certificates: int = 0
    """Other certificates in the file or text (the issuing chain)."""
    fit: bool
    """No error-level problem: the certificate can be used for S/MIME as far as these checks go."""
    findings: list[Finding] = Field(default_factory=list)
    """Codes smime.*."""


class SmimeEligibility(BaseModel):
    edition: EditionId | None = None
    eligible: bool | None = None
    """True on the edition that includes S/MIME; False on others; None when the edition was not given."""
    requirements: list[Requirement] = Field(default_factory=list)
    max_certificates_per_mailbox: int
    steps: list[str] = Field(default_factory=list)
    certificate: CertificateCheck | None = None


class FilterOption(BaseModel):
    name: str
    what: str
    cost: str
    advice: str


class SenderFilterAdvice(BaseModel):
    strict_mode: FilterOption
    permanently_delete_spam: FilterOption
    whitelist_first: list[str] = Field(default_factory=list)
    """What to put on the whitelist before any stricter setting, most important first."""
    own_senders: list[str] = Field(default_factory=list)
    """Other sending services the domain's SPF record authorises (evidence from DNS)."""
    order: list[str] = Field(default_factory=list)
    entry_rules: list[str] = Field(default_factory=list)


class SecureSetupPlan(ToolResult):
    """The ordered plan to secure a domain's mail: authentication records, S/MIME and sender filters."""

    domain: str
    edition: EditionId | None = None
    goals: list[GoalId] = Field(default_factory=list)
    today: str
    """The date the DMARC stages are counted from (ISO 8601)."""
    dns_overall: Literal["ok", "problem", "unreachable"] | None = None
    resolver: ResolverReport | None = None
    """The resolver the DNS audit asked and whether it answered."""
    """The check_dns verdict; None when anti-spoofing was not a goal and DNS was not checked."""
    authentication_steps: list[PlanStep] = Field(default_factory=list)
    """SPF, then DKIM, then DMARC at p=none, p=quarantine and p=reject."""
    dns_changes: list[PlannedChange] = Field(default_factory=list)
    """Every change check_dns plans for the domain, including MX and webmail records outside these steps."""
    dmarc_readiness: PolicyReadiness | None = None
    """What the DMARC aggregate reports given say about the next DMARC stage (None without reports)."""
    smime: SmimeEligibility | None = None
    sender_filters: SenderFilterAdvice | None = None
