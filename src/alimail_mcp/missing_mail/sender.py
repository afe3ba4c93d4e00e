"""The sender's side, read live: whether the sender is inside the organisation, its SPF verdict for the
server the headers name, and its DMARC policy."""

from __future__ import annotations

import asyncio
import contextlib

from alimail_mcp.dns.client import DnsClient
from alimail_mcp.dns.names import organizational_domain
from alimail_mcp.missing_mail.models import SenderChecks


async def check_sender(
    client: DnsClient,
    domain: str,
    sender_domain: str,
    *,
    address: str | None,
    sending_ip: str | None,
    budget: float,
) -> SenderChecks:
    if organizational_domain(sender_domain) == organizational_domain(domain):
        return SenderChecks(domain=sender_domain, internal=True)
    checks = SenderChecks(domain=sender_domain, sending_ip=sending_ip)
    with contextlib.suppress(TimeoutError):  # what was not answered in time stays unknown (None)
        await asyncio.wait_for(_fill(client, checks, address), budget)
    return checks


async def _fill(client: DnsClient, checks: SenderChecks, address: str | None) -> None:
    from alimail_mcp.dns.client import Outcome
    from alimail_mcp.dns.dmarc import check_dmarc
    from alimail_mcp.dns.spf import is_spf

    dmarc = asyncio.ensure_future(check_dmarc(client, checks.domain))
    answer = await client.query(checks.domain, "TXT")
    if answer.outcome is Outcome.NXDOMAIN:
        checks.exists = False  # a domain that does not exist has no SPF to fail; say nothing about it
    elif answer.outcome.conclusive:
        checks.exists = True
        checks.spf_record = any(is_spf(r) for r in answer.records)
        if checks.spf_record and checks.sending_ip:
            from alimail_mcp.dns.spf import check_host

            result = await check_host(client, checks.sending_ip, checks.domain, address or "")
            checks.spf_result = result.result
    found = await dmarc
    checks.dmarc_policy = found.policy
