"""The check_dns result: what `audit_domain()` returns and the tool's output schema is built from.

Cheap to import (pydantic models only): the server builds the output schema at start-up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dns.blocklist.models import BlocklistCheck
from alimail_mcp.dns.dnssec.models import DnssecCheck
from alimail_mcp.dns.models import (
    BimiCheck,
    DkimCheck,
    DmarcCheck,
    MxCheck,
    PlannedChange,
    PropagationCheck,
    TlsRptCheck,
    WebmailCheck,
)
from alimail_mcp.dns.mta_sts.models import MtaStsCheck
from alimail_mcp.dns.spf.models import SpfCheck
from alimail_mcp.models import ResolverReport, ToolResult

Overall = Literal["ok", "problem", "unreachable"]


class DnsChecks(BaseModel):
    mx: MxCheck
    spf: SpfCheck
    dkim: DkimCheck
    dmarc: DmarcCheck
    webmail_cname: WebmailCheck
    blocklist: BlocklistCheck
    """The domain (and its organisational domain) in the domain lists, each sending IP in the IP lists."""
    mta_sts: MtaStsCheck
    tls_rpt: TlsRptCheck
    bimi: BimiCheck
    dnssec: DnssecCheck


class DnsAuditResult(ToolResult):
    """A domain's DNS against the Alibaba Mail profile, and the plan to fix it."""

    domain: str
    """The audited domain, lower-case ASCII (IDN converted to punycode)."""
    overall: Overall
    """ok: nothing to fix; problem: findings to act on; unreachable: the audit could not complete."""
    checks: DnsChecks
    dns_changes: list[PlannedChange] = Field(default_factory=list)
    """The records to add, replace or delete, in order, each with its Alibaba Cloud DNS form."""
    propagation: PropagationCheck | None = None
    """Resolver vs the domain's authoritative servers (when compare_authoritative was asked)."""
    elapsed_ms: int
    queries: int
    """DNS questions sent (identical ones shared)."""
    resolver: ResolverReport | None = None
    """The resolver asked and whether it answered; when it did not, the one finding is
    dns.resolver-not-answering (or dns.no-route) and nothing is said about the domain."""
