"""`check_dnssec()`: the chain of trust from the parent's DS records to the zone's DNSKEYs, the
signatures on the records the audit reads (validity window, key, signature) and whether the resolver
validated them (AD).

Every question goes out at once, beside the other checks' (which ask the same MX and TXT questions:
the client shares them). DS and DNSKEY are asked with the CD flag (dns/resolver.py), so a validating
resolver still shows the keys of a zone whose chain is broken. A domain that is not a zone of its own
is judged by the zone its records are signed in, when that is its organisational domain.
"""

from __future__ import annotations

import asyncio
import time

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.dnssec.models import DnssecCheck
from alimail_mcp.dns.finding import SKILL_DELIVERY, fault, make, subject
from alimail_mcp.dns.names import organizational_domain


async def check_dnssec(client: DnsClient, domain: str, *, now: float | None = None) -> DnssecCheck:
    """Audit `domain`'s DNSSEC; `now` (UNIX time) is for tests."""
    org = organizational_domain(domain)
    questions = [(n, t) for n in dict.fromkeys((domain, org)) for t in ("DS", "DNSKEY")]
    questions += [(domain, "MX"), (domain, "TXT"), (f"_dmarc.{domain}", "TXT")]
    answers = dict(
        zip(questions, await asyncio.gather(*(client.query(n, t) for n, t in questions)), strict=True)
    )
    keys_answer = answers[(domain, "DNSKEY")]
    if not keys_answer.outcome.conclusive:
        return DnssecCheck(status="unreachable", findings=[fault(keys_answer, subject("dnssec-keys"))])
    records = [answers[(domain, "MX")], answers[(domain, "TXT")], answers[(f"_dmarc.{domain}", "TXT")]]
    zone = _zone(domain, org, answers, records)
    if zone is None:
        return DnssecCheck(
            status="ok", chain="unsigned", findings=[make("dnssec.unsigned", {}, skill=SKILL_DELIVERY)]
        )
    # The judgement loads dns.dnssec and cryptography and verifies signatures: a worker thread does it.
    return await asyncio.to_thread(
        _judge,
        zone,
        answers[(zone, "DS")],
        answers[(zone, "DNSKEY")],
        [r for r in records if _own(r)],
        [r for r in records[:2] if zone == domain],
        time.time() if now is None else now,
    )


def _zone(domain: str, org: str, answers: dict[tuple[str, str], Answer], records: list[Answer]) -> str | None:
    """The zone to judge: the domain when it publishes keys or has a DS, else its organisational domain
    when that publishes keys and signs the domain's records; None when nothing is signed."""
    if _has(answers[(domain, "DNSKEY")]) or _has(answers[(domain, "DS")]):
        return domain
    if org != domain and _has(answers[(org, "DNSKEY")]):
        signers = {s.split()[7].rstrip(".").lower() for r in records if r.signed for s in r.signed.signatures}
        return org if org in signers else None
    return None


def _has(answer: Answer) -> bool:
    return answer.outcome is Outcome.OK and bool(answer.records)


def _own(answer: Answer) -> bool:
    """Whether `answer`'s records were read at the name asked (not through an alias into another zone)."""
    return answer.outcome is Outcome.OK and not answer.cname_chain


def _judge(
    zone: str, ds: Answer, keys: Answer, records: list[Answer], apex: list[Answer], now: float
) -> DnssecCheck:
    from alimail_mcp.dns.dnssec.judge import judge

    return judge(zone, ds, keys, records, apex_records=apex, now=now)
