"""Live checks: when a failure is about the sender's authentication, audit the sender domain's DNS
with the check_dns engine and, when the bounce names the sending IP, evaluate SPF for that IP.

The DNS engine is imported inside `check()` so that importing the diagnosis package stays cheap.
"""

from __future__ import annotations

import ipaddress
import re

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.classify import Analysis, Classified
from alimail_mcp.diagnosis.fact import NOT_FAILURES
from alimail_mcp.diagnosis.models import LiveCheck, SpfVerdict
from alimail_mcp.dns.client import DnsClient
from alimail_mcp.errors import InputError
from alimail_mcp.models import Severity

_AUTH_WORDS = re.compile(r"\b(?:spf|dkim|dmarc|unauthenticated|authenticat\w*)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\[([0-9a-fA-F:.]{3,45})\]")
_NAMED_IP = re.compile(
    r"(?:sending ip|ip address|client[- ]ip|source ip|from ip|connecting ip|sender ip|remote ip)"
    r"\s*[:=]?\s*\[?([0-9a-fA-F:.]{3,45})\]?",
    re.IGNORECASE,
)
_HOST_THEN_IP = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\s*\[([0-9a-fA-F:.]{3,45})\]")
_SENDER = "the sender domain"


def wants_dns(analysis: Analysis) -> bool:
    """True when some failed recipient's cause is about the sender's DNS (SPF, DKIM, DMARC ...)."""
    return any(_about_dns(item) for item in analysis.items)


def _about_dns(item: Classified) -> bool:
    if item.fact.reason in NOT_FAILURES:
        return False
    if item.cause is not None and item.cause.live == "dns":
        return True
    return bool(_AUTH_WORDS.search(item.fact.diagnosis))


def sending_ip(analysis: Analysis) -> str | None:
    """The sending server's IP when the error text names it (not the remote host's own address)."""
    for item in analysis.items:
        if not _about_dns(item):
            continue
        text = item.fact.diagnosis
        remote = {m.group(1) for m in _HOST_THEN_IP.finditer(text)}
        for match in (*_NAMED_IP.finditer(text), *_BRACKETED.finditer(text)):
            candidate = match.group(1).strip(".")
            if candidate in remote:
                continue
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                continue
    return None


async def check(
    domain: str, ip: str | None, *, settings: Settings | None, client: DnsClient | None
) -> LiveCheck:
    """Run check_dns for `domain`, with SPF evaluated for `ip` (a failure to run is status error)."""
    from alimail_mcp.dns.audit import audit_domain
    from alimail_mcp.dns.verdict import summary_of

    try:
        audit = await audit_domain(domain, sending_ip=ip, settings=settings, client=client)
    except InputError as exc:
        return LiveCheck(
            domain=domain, status="error", sending_ip=ip, note=f"The DNS check could not run: {exc.rule}."
        )
    except (OSError, TimeoutError) as exc:
        return LiveCheck(
            domain=domain, status="error", sending_ip=ip, note=f"The DNS check failed: {type(exc).__name__}."
        )
    evaluation = audit.checks.spf.evaluation
    spf = None
    if evaluation is not None:
        spf = SpfVerdict(
            ip=evaluation.ip,
            domain=evaluation.domain,
            result=evaluation.result,
            decided_by=evaluation.decided_by.term if evaluation.decided_by else None,
            reason=evaluation.reason,
        )
    findings = [f for f in audit.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    # The domain may come from the bounce (the returned message's From): the note does not name it.
    dkim_found = any(k.valid and not k.revoked for k in audit.checks.dkim.keys)
    note = summary_of(
        audit.domain, audit.overall, audit.findings, audit.dns_changes, dkim_found=dkim_found, named=_SENDER
    )
    return LiveCheck(
        domain=audit.domain,
        status=audit.overall,
        sending_ip=ip,
        spf=spf,
        findings=findings,
        note=note,
        resolver=audit.resolver,
    )
