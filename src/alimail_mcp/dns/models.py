"""Result models of the DNS checks. Plain pydantic: importing this never loads dnspython."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import DnsChange, Finding

CheckStatus = Literal["ok", "warning", "error", "unreachable"]
"""`unreachable`: the check could not complete (timeout, SERVFAIL); nothing is claimed missing."""


class CheckResult(BaseModel):
    """What one check (mx, spf, dkim, dmarc, webmail_cname) saw and concluded."""

    status: CheckStatus
    records: list[str] = Field(default_factory=list)
    """The records the check read, as published (evidence, not our words)."""
    findings: list[Finding] = Field(default_factory=list)


def status_of(findings: list[Finding], *, unreachable: bool = False) -> CheckStatus:
    """A check's status from its worst finding; `unreachable` when its main question got no answer."""
    severities = {f.severity.value for f in findings}
    if "error" in severities:
        return "error"
    if unreachable:
        return "unreachable"
    return "warning" if "warning" in severities else "ok"


# --- MX -------------------------------------------------------------------------------------------


class MxHost(BaseModel):
    host: str
    priority: int
    provider_set: str | None = None
    """Id of the provider.yaml MX set the host belongs to; None when it is not Alibaba Mail's."""
    alias_of: str | None = None
    """The canonical name when the host is an alias (CNAME); an alias of an Alibaba Mail host counts as it."""
    zone_appended: bool = False
    """The value is a full name with the zone appended by the DNS panel (`mx1.qiye.aliyun.com.<zone>`)."""
    resolves: bool | None = None
    """Whether the host has A/AAAA records; None when that could not be found out."""
    addresses: list[str] = Field(default_factory=list)


class MxCheck(CheckResult):
    hosts: list[MxHost] = Field(default_factory=list)
    provider_set: str | None = None
    """The Alibaba Mail set in use (provider.yaml id), None when none is."""
    provider_set_label: str | None = None
    recommended: bool = False
    """True when the set in use is the one provider.yaml recommends."""
    foreign_hosts: list[str] = Field(default_factory=list)
    """MX hosts of other providers."""
    dead_hosts: list[str] = Field(default_factory=list)
    """MX hosts that are not Alibaba Mail's and do not resolve (they receive nothing)."""


# --- DKIM -----------------------------------------------------------------------------------------


class DkimKey(BaseModel):
    selector: str
    name: str
    found: bool | None = None
    """None when the question got no answer (timeout, SERVFAIL)."""
    key_type: str | None = None
    key_bits: int | None = None
    revoked: bool = False
    testing: bool = False
    valid: bool = False
    record: str | None = None
    """The published record (evidence, truncated)."""


class DkimCheck(CheckResult):
    selectors_given: bool = False
    """True when the caller named the selectors; False when common selectors were tried."""
    keys: list[DkimKey] = Field(default_factory=list)
    """Every selector tried, found or not."""


# --- DMARC ----------------------------------------------------------------------------------------


class ReportDestination(BaseModel):
    uri: str
    domain: str
    external: bool
    authorized: bool | None = None
    """External destinations: whether `<domain>._report._dmarc.<dest>` authorises them; None if unknown."""


class DmarcCheck(CheckResult):
    record_domain: str | None = None
    """Where the policy record was found: the domain itself, or its organisational domain."""
    organizational_domain: str = ""
    inherited: bool = False
    """True when the policy comes from the organisational domain's record."""
    policy: str | None = None
    """The policy that applies to the audited domain (p, or sp/np when inherited)."""
    tags: dict[str, str] = Field(default_factory=dict)
    report_destinations: list[ReportDestination] = Field(default_factory=list)
    report_destinations_left_out: int = 0
    """Report domains past the first ten, not checked (receivers need only send to two)."""


# --- webmail CNAME --------------------------------------------------------------------------------

CnameState = Literal[
    "ok", "accepted", "missing", "wrong-target", "address-record", "zone-appended", "unknown"
]


class CnameRecord(BaseModel):
    host: str
    """Host record relative to the domain (`mail`, `smtp`)."""
    name: str
    target: str | None = None
    expected: str
    state: CnameState
    addresses: list[str] = Field(default_factory=list)
    """A records published instead of a CNAME (the first ten; the finding's evidence counts them all)."""


class WebmailCheck(CheckResult):
    webmail: CnameRecord | None = None
    optional: list[CnameRecord] = Field(default_factory=list)


# --- TLS-RPT and BIMI ----------------------------------------------------------------------------


class TlsRptCheck(CheckResult):
    record: str | None = None
    rua: list[str] = Field(default_factory=list)
    """Where reports go, as published."""


class BimiCheck(CheckResult):
    record_domain: str | None = None
    """Where the record was found: the domain, or its organisational domain."""
    record: str | None = None
    logo: str | None = None
    """The l= URL (the SVG logo), as published."""
    certificate: str | None = None
    """The a= URL (the mark certificate, VMC or CMC), as published."""
    declined: bool = False
    """The record declines to show a logo (empty l=)."""


# --- propagation ----------------------------------------------------------------------------------


class RecordView(BaseModel):
    server: str
    outcome: str
    records: list[str] = Field(default_factory=list)
    ttl: int | None = None


class PropagationDifference(BaseModel):
    name: str
    type: str
    resolver: RecordView
    authoritative: list[RecordView]
    wait_s: int | None = None
    """Seconds until every cache holding the old answer must have dropped it (from the TTLs seen)."""


class PropagationCheck(CheckResult):
    zone: str | None = None
    nameservers: list[str] = Field(default_factory=list)
    servers_asked: list[str] = Field(default_factory=list)
    compared: int = 0
    """How many (name, type) answers were compared with the authoritative servers."""
    differences: list[PropagationDifference] = Field(default_factory=list)
    max_wait_s: int | None = None
    official_max_hours: int = 0
    seed_auth_records_hours: int = 0


# --- the plan -------------------------------------------------------------------------------------


class AlidnsRecord(BaseModel):
    """The change as the Alibaba Cloud DNS console / API fields."""

    DomainName: str
    RR: str
    Type: str
    Value: str
    Priority: int | None = None
    TTL: int | None = None


class PlannedChange(DnsChange):
    """One step of the plan: the record, why, and how to make it in Alibaba Cloud DNS."""

    zone: str
    reason: str
    """The finding code this change resolves."""
    alidns: AlidnsRecord
    command: str
    """The `aliyun alidns ...` command line; `<RecordId>` is a placeholder filled from find_command."""
    find_command: str | None = None
    """For replace/delete: the `aliyun alidns DescribeSubDomainRecords ...` line that shows the RecordId."""
