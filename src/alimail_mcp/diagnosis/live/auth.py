"""The sender domain's SPF, DKIM and DMARC, audited now with the check_dns engine: which of them fail,
and the exact records to publish."""

from __future__ import annotations

from typing import Literal

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.models import LiveCheck, SpfVerdict
from alimail_mcp.dns.client import DnsClient
from alimail_mcp.errors import InputError
from alimail_mcp.models import Severity

_SENDER = "the sender domain"
_FAILING_SPF = frozenset({"fail", "softfail", "permerror", "none"})
Mechanism = Literal["spf", "dkim", "dmarc"]


async def audit(
    domain: str, ip: str | None, *, settings: Settings | None, client: DnsClient | None
) -> LiveCheck:
    """check_dns for `domain`, with SPF evaluated for `ip` (a failure to run is status error)."""
    from alimail_mcp.dns.audit import audit_domain
    from alimail_mcp.dns.verdict import summary_of

    try:
        result = await audit_domain(domain, sending_ip=ip, settings=settings, client=client)
    except InputError as exc:
        return LiveCheck(
            domain=domain,
            status="error",
            checks=["dns"],
            sending_ip=ip,
            note=f"The DNS check could not run: {exc.rule}.",
        )
    except (OSError, TimeoutError) as exc:
        return LiveCheck(
            domain=domain,
            status="error",
            checks=["dns"],
            sending_ip=ip,
            note=f"The DNS check failed: {type(exc).__name__}.",
        )
    evaluation = result.checks.spf.evaluation
    spf = None
    if evaluation is not None:
        spf = SpfVerdict(
            ip=evaluation.ip,
            domain=evaluation.domain,
            result=evaluation.result,
            decided_by=evaluation.decided_by.term if evaluation.decided_by else None,
            reason=evaluation.reason,
        )
    findings = [f for f in result.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    dkim_found = any(k.valid and not k.revoked for k in result.checks.dkim.keys)
    note = summary_of(
        result.domain,
        result.overall,
        result.findings,
        result.dns_changes,
        dkim_found=dkim_found,
        named=_SENDER,
    )
    failing: list[Mechanism] = []
    if result.checks.spf.status == "error" or (spf is not None and spf.result in _FAILING_SPF):
        failing.append("spf")
    if result.checks.dkim.status == "error" or (
        not dkim_found and result.checks.dkim.status != "unreachable"
    ):
        failing.append("dkim")
    if result.checks.dmarc.status == "error":
        failing.append("dmarc")
    publish = [
        c for c in result.dns_changes if c.action in ("add", "replace") and _auth_record(c.host, c.type)
    ]
    return LiveCheck(
        domain=result.domain,
        status=result.overall,
        checks=["dns"],
        still_present=bool(failing) if result.overall != "unreachable" else None,
        sending_ip=ip,
        spf=spf,
        failing=failing,
        records_to_publish=publish,
        findings=findings,
        note=note,
        resolver=result.resolver,
    )


def _auth_record(host: str, rdtype: str) -> bool:
    """SPF (the TXT at the domain), DKIM (`*._domainkey`) and DMARC (`_dmarc`) records."""
    return rdtype == "TXT" and (host == "@" or host.startswith("_dmarc") or "._domainkey" in host)
