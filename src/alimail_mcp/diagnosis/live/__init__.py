"""Live checks of what a bounce blames, run now, each one's result evidence in the diagnosis:

- `dns`: the sender domain's SPF/DKIM/DMARC/MX audit (check_dns), which mechanism fails and the exact
  records to publish, for authentication failures;
- `ptr`: the sending IP's reverse DNS, for `requireptr`;
- `blocklist`: the IP or domain the bounce names (or the sending IP) on public blocklists, for
  `blocked` and `badreputation`; the look-up itself plugs in at `live.blocklist.default_lookup()`.

Which checks run comes from the causes (`live:` in skills/errors.yaml) and the reasons of the failed
recipients. The DNS engine is imported only when a check runs, so importing diagnosis stays cheap.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field

from alimail_mcp.config import Settings, load_settings
from alimail_mcp.diagnosis.classify import Analysis, Classified
from alimail_mcp.diagnosis.live.blocklist import BlocklistLookup, default_lookup
from alimail_mcp.diagnosis.live.evidence import MAX_TARGETS, failed, listed_domains, sending_ip
from alimail_mcp.diagnosis.models import LiveCheck, PtrCheck
from alimail_mcp.dns.client import DnsClient

__all__ = ["BlocklistLookup", "LivePlan", "default_lookup", "plan", "run"]

_AUTH_WORDS = re.compile(r"\b(?:spf|dkim|dmarc|unauthenticated|authenticat\w*)\b", re.IGNORECASE)
_BY_REASON = {"authfailure": "dns", "requireptr": "ptr", "blocked": "blocklist", "badreputation": "blocklist"}


@dataclass(slots=True)
class LivePlan:
    """What to check now, and the targets the bounce gives."""

    kinds: list[str] = field(default_factory=list)
    domain: str | None = None
    ip: str | None = None
    domains: list[str] = field(default_factory=list)
    """Domains the bounce names as listed (for the blocklist look-up)."""


def plan(analysis: Analysis, sender_domain: str | None) -> LivePlan | None:
    """The checks the failed recipients call for (None when nothing can be checked)."""
    items = failed(analysis)
    kinds: list[str] = []
    for item in items:
        for kind in _kinds(item):
            if kind not in kinds:
                kinds.append(kind)
    ip = sending_ip(items)
    wanted = LivePlan(domain=sender_domain, ip=ip, domains=listed_domains(items))
    wanted.kinds = [k for k in kinds if _possible(k, wanted)]
    return wanted if wanted.kinds else None


def _kinds(item: Classified) -> list[str]:
    kinds: list[str] = list(item.cause.live) if item.cause is not None else []
    by_reason = _BY_REASON.get(item.fact.reason)
    if by_reason:
        kinds.append(by_reason)
    if _AUTH_WORDS.search(item.fact.diagnosis[:4000]):
        kinds.append("dns")
    return kinds


def _possible(kind: str, wanted: LivePlan) -> bool:
    if kind == "dns":
        return wanted.domain is not None
    if kind == "ptr":
        return wanted.ip is not None
    return wanted.ip is not None or bool(wanted.domains)


async def run(
    wanted: LivePlan,
    *,
    settings: Settings | None,
    client: DnsClient | None,
    blocklist: BlocklistLookup | None = None,
) -> LiveCheck:
    """Run the planned checks concurrently and merge them into one result."""
    from alimail_mcp.diagnosis.live.auth import audit
    from alimail_mcp.diagnosis.live.ptr import check_ptr
    from alimail_mcp.outbound import OutboundPolicy

    settings = settings or load_settings()
    dns_client = client if client is not None else _network_client(settings)
    lookup = blocklist or default_lookup()
    jobs: dict[str, Awaitable[object]] = {}
    if "dns" in wanted.kinds and wanted.domain:
        jobs["dns"] = audit(wanted.domain, wanted.ip, settings=settings, client=client)
    if "ptr" in wanted.kinds and wanted.ip:
        policy = OutboundPolicy.from_settings(settings)
        jobs["ptr"] = asyncio.wait_for(check_ptr(wanted.ip, dns_client, policy), settings.dns_budget)
    if "blocklist" in wanted.kinds:
        ips = [wanted.ip] if wanted.ip else []
        jobs["blocklist"] = lookup(ips, wanted.domains[:MAX_TARGETS], settings=settings, client=client)
    done = dict(zip(jobs, await asyncio.gather(*jobs.values(), return_exceptions=True), strict=True))
    return _merged(wanted, done)


def _merged(wanted: LivePlan, done: Mapping[str, object]) -> LiveCheck:
    audit_result = done.get("dns")
    result = (
        audit_result if isinstance(audit_result, LiveCheck) else LiveCheck(domain=wanted.domain, status="ok")
    )
    if "dns" in done and not isinstance(audit_result, LiveCheck):
        result.status, result.note = "error", "The DNS check failed."
    result.sending_ip = result.sending_ip or wanted.ip
    result.checks = [k for k in ("dns", "ptr", "blocklist") if k in done]
    present: list[bool | None] = [result.still_present] if "dns" in done else []
    ptr = done.get("ptr")
    if "ptr" in done:
        result.ptr = ptr if isinstance(ptr, PtrCheck) else PtrCheck(ip=wanted.ip or "", status="unreachable")
        present.append(_ptr_present(result.ptr))
    listed = done.get("blocklist")
    if "blocklist" in done and not isinstance(listed, BaseException):
        from alimail_mcp.diagnosis.models import BlocklistResult

        if isinstance(listed, BlocklistResult):
            result.blocklist = listed
            present.append(_listed_present(listed))
    result.still_present = True if True in present else (None if None in present or not present else False)
    if result.status != "error":
        if result.still_present:
            result.status = "problem"
        elif result.still_present is None and result.status == "ok" and present:
            result.status = "unreachable" if _unreachable(result) else "ok"
    return result


def _ptr_present(ptr: PtrCheck) -> bool | None:
    return {"ok": False, "missing": True, "mismatch": True}.get(ptr.status)


def _listed_present(listed: object) -> bool | None:
    from alimail_mcp.diagnosis.models import BlocklistResult

    if not isinstance(listed, BlocklistResult) or not listed.checked:
        return None
    if any(item.status == "listed" for item in listed.listings):
        return True
    return False if all(item.status == "not-listed" for item in listed.listings) else None


def _unreachable(result: LiveCheck) -> bool:
    return result.ptr is not None and result.ptr.status == "unreachable"


def _network_client(settings: Settings) -> DnsClient:
    from alimail_mcp.dns.resolver import ResolverClient

    return ResolverClient.from_settings(settings)
