"""The sending IP's reverse DNS, looked up now: a PTR name that resolves back to the IP (forward-
confirmed), as receivers that refuse with `requireptr` demand."""

from __future__ import annotations

import asyncio
import ipaddress

from alimail_mcp.diagnosis.models import PtrCheck
from alimail_mcp.dns.client import DnsClient, Outcome
from alimail_mcp.outbound import OutboundPolicy

MAX_NAMES = 3
"""PTR names followed back to their addresses."""


async def check_ptr(ip: str, client: DnsClient, policy: OutboundPolicy) -> PtrCheck:
    address = ipaddress.ip_address(ip)
    if not policy.check(ip).allowed:
        # A name for a private or reserved address says nothing about what the receiver saw.
        return PtrCheck(ip=ip, status="not-public")
    answer = await client.query(address.reverse_pointer, "PTR")
    if answer.outcome in (Outcome.NXDOMAIN, Outcome.NODATA):
        return PtrCheck(ip=ip, status="missing")
    if answer.outcome is not Outcome.OK:
        return PtrCheck(ip=ip, status="unreachable")
    names = list(answer.records[:MAX_NAMES])
    rdtype = "A" if address.version == 4 else "AAAA"
    forward = await asyncio.gather(*(client.query(name, rdtype) for name in names))
    back = {ipaddress.ip_address(r) for a in forward if a.outcome is Outcome.OK for r in a.records}
    if address in back:
        return PtrCheck(ip=ip, status="ok", names=names)
    if all(a.outcome is Outcome.OK or a.outcome in (Outcome.NXDOMAIN, Outcome.NODATA) for a in forward):
        return PtrCheck(ip=ip, status="mismatch", names=names)
    return PtrCheck(ip=ip, status="unreachable", names=names)
