"""Read the webmail record: the DNS check's verdict on mail.<domain> and the addresses it leads to
(IPv4 first, then IPv6, as the outbound policy will choose among them)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.models import CnameRecord
from alimail_mcp.dns.webmail_cname import check_webmail_cname
from alimail_mcp.knowledge.provider import Provider


@dataclass(frozen=True)
class WebmailRecord:
    record: CnameRecord | None
    address: Answer
    site: str | None
    """The site whose webmail the chain reaches, when it reaches one of the sites' webmail names."""
    address6: Answer | None = None
    """The name's IPv6 addresses (AAAA)."""


async def read_record(dns: DnsClient, domain: str, provider: Provider) -> WebmailRecord:
    name = f"{provider.webmail_cname.host}.{domain}"
    check, address, address6 = await asyncio.gather(
        check_webmail_cname(dns, domain, provider=provider), dns.query(name, "A"), dns.query(name, "AAAA")
    )
    chain = [
        *address.cname_chain,
        *([check.webmail.target] if check.webmail and check.webmail.target else []),
    ]
    site = next((s.id for s in provider.sites for hop in chain if hop == s.webmail), None)
    return WebmailRecord(check.webmail, address, site, address6)


def addresses(record: WebmailRecord) -> list[str]:
    answers = (record.address, record.address6)
    return [r for a in answers if a is not None and a.outcome is Outcome.OK for r in a.records]
