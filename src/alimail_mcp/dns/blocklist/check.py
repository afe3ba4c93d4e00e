"""`check_blocklists()`: sending IPs and domains against the DNS blocklists, every question at once.

A listing is claimed only from a return code the list documents as one (skills/blocklists.yaml). A
refusal code (Spamhaus's 127.255.255.x for a public resolver or too many queries), a question without
an answer (timeout, SERVFAIL, refused) and an answer the list does not document are "unverified",
never "listed"; NXDOMAIN (or a name without an A record) is "not listed".

The engine function is shared: check_dns runs it for the audited domain and its sending IPs, and a
bounce that names an IP or a domain can be checked with the same call.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence

from alimail_mcp.dns.blocklist.lists import Blocklist, active_lists, read_answer
from alimail_mcp.dns.blocklist.models import BlocklistCheck, ListingResult
from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_DELIVERY, make
from alimail_mcp.dns.models import status_of
from alimail_mcp.models import Finding

MAX_IPS = 10
MAX_DOMAINS = 4
MAX_NAME = 253
"""Longest name DNS can carry (without the trailing dot)."""


async def check_blocklists(
    client: DnsClient,
    *,
    domains: Sequence[str] = (),
    ips: Sequence[str] = (),
    lists: Sequence[Blocklist] | None = None,
) -> BlocklistCheck:
    """Look `ips` up in the IP lists and `domains` in the domain lists (`lists`: default, the knowledge
    base's with the environment's zone overrides). Addresses must be valid (ValueError otherwise);
    at most MAX_IPS addresses and MAX_DOMAINS domains are looked up."""
    if lists is None:
        from alimail_mcp.config import load_settings

        lists = active_lists(load_settings().blocklist_zones)
    addresses = list(dict.fromkeys(_canonical(ip) for ip in ips))[:MAX_IPS]
    names = list(dict.fromkeys(d.strip().lower().rstrip(".") for d in domains if d.strip()))[:MAX_DOMAINS]
    pairs = [(ip, b) for ip in addresses for b in lists if b.kind == "ip"]
    pairs += [(name, b) for name in names for b in lists if b.kind == "domain"]
    results = list(await asyncio.gather(*(_look_up(client, target, b) for target, b in pairs)))
    findings = _findings(results)
    asked = [r for r in results if r.state != "not-applicable"]
    return BlocklistCheck(
        status=status_of(findings, unreachable=bool(asked) and all(r.state == "unverified" for r in asked)),
        findings=findings,
        ips=addresses,
        domains=names,
        results=results,
        listed=any(r.state == "listed" for r in results),
    )


def query_name(target: str, blocklist: Blocklist) -> str:
    """The name to ask: an address's octets (IPv4) or nibbles (IPv6) reversed, or the domain, before the
    list's zone."""
    if blocklist.kind == "domain":
        return f"{target}.{blocklist.zone}"
    pointer = ipaddress.ip_address(target).reverse_pointer
    return f"{pointer.rsplit('.', 2)[0]}.{blocklist.zone}"


def _canonical(ip: str) -> str:
    address = ipaddress.ip_address(ip.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)  # the lists hold the IPv4 address itself
    return str(address)


async def _look_up(client: DnsClient, target: str, blocklist: Blocklist) -> ListingResult:
    base = ListingResult(
        target=target,
        kind=blocklist.kind,
        list_id=blocklist.id,
        list_name=blocklist.name,
        zone=blocklist.zone,
        state="not-applicable",
    )
    if blocklist.kind == "ip" and ":" in target and not blocklist.ipv6:
        return base
    name = query_name(target, blocklist)
    if len(name) > MAX_NAME:  # no such question can be asked: not "not listed"
        return base.model_copy(
            update={"state": "unverified", "unverified_by": "no-answer", "reason": "name too long"}
        )
    answer = await client.query(name, "A")
    return _result(base.model_copy(update={"query": name}), answer, blocklist)


def _result(base: ListingResult, answer: Answer, blocklist: Blocklist) -> ListingResult:
    if answer.outcome in (Outcome.NXDOMAIN, Outcome.NODATA):
        return base.model_copy(update={"state": "not-listed"})
    if not answer.outcome.conclusive:
        update: dict[str, object] = {"unverified_by": "no-answer", "reason": answer.outcome.value}
        return base.model_copy(update={"state": "unverified", **update})
    reading = read_answer(blocklist, answer.records)
    update = {"answers": list(answer.records)[:10]}
    if reading.refusal is not None:
        update |= {"state": "unverified", "unverified_by": "refusal", "reason": reading.refusal}
    elif reading.listed or reading.policy:
        update |= {
            "state": "listed" if reading.listed else "policy",
            "meanings": list(reading.listed),
            "policy_meanings": list(reading.policy),
            "delist": blocklist.delist,
        }
    else:
        update |= {"state": "unverified", "unverified_by": "unreadable", "reason": _UNREADABLE}
    return base.model_copy(update=update)


_UNREADABLE = "not one of the list's return codes (some resolvers answer every unknown name)"


# --- findings -------------------------------------------------------------------------------------


def _findings(results: list[ListingResult]) -> list[Finding]:
    findings: list[Finding] = []
    for result in results:
        if result.meanings:
            findings.append(_listed(result))
        if result.policy_meanings:
            findings.append(_policy(result))
    by_kind: dict[str, list[ListingResult]] = {}
    for result in results:
        if result.unverified_by is not None:
            by_kind.setdefault(result.unverified_by, []).append(result)
    for kind, group in by_kind.items():
        findings.append(_unverified(_UNVERIFIED[kind], group))
    return findings


_UNVERIFIED = {
    "refusal": "blocklist.unverified.refusal",
    "no-answer": "blocklist.unverified.no-answer",
    "unreadable": "blocklist.unverified.unreadable",
}


def _evidence(result: ListingResult) -> dict[str, object]:
    return {
        "target": result.target,
        "list": result.list_name,
        "zone": result.zone,
        "query": result.query,
        "answers": result.answers,
        "meanings": [*result.meanings, *result.policy_meanings],
    }


def _listed(result: ListingResult) -> Finding:
    key = "blocklist.listed.ip" if result.kind == "ip" else "blocklist.listed.domain"
    values = {"list": result.list_name, "delist": result.delist}
    return make(key, values, evidence=_evidence(result), skill=SKILL_DELIVERY)


def _policy(result: ListingResult) -> Finding:
    values = {"list": result.list_name, "delist": result.delist}
    return make("blocklist.policy-listed", values, evidence=_evidence(result), skill=SKILL_DELIVERY)


def _unverified(key: str, group: list[ListingResult]) -> Finding:
    lists = ", ".join(dict.fromkeys(r.list_name for r in group))
    evidence = {
        "lookups": [
            {
                "target": r.target,
                "list": r.list_name,
                "query": r.query,
                "answers": r.answers,
                "reason": r.reason,
            }
            for r in group[:20]
        ],
        "count": len(group),
    }
    return make(key, {"lists": lists, "count": len(group)}, evidence=evidence, skill=SKILL_DELIVERY)
