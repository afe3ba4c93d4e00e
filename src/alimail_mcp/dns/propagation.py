"""Propagation: ask the domain's own authoritative nameservers directly and compare their answers with
the resolver's, to tell a change not yet visible everywhere, and how long caches may still hold the old data.

Only answers that come from the zone itself are compared (MX, TXT, CNAME at names inside the zone);
an address that the resolver reached by following an alias out of the zone is not the zone's data.

The nameservers asked are chosen by whoever runs the domain's DNS, so their addresses pass the outbound
policy (outbound.py) first: one that is not on the public internet is reported and never sent a
packet. How many NS hosts are looked up and how many addresses are asked are both capped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from itertools import zip_longest
from typing import Protocol, runtime_checkable

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_DELIVERY, excerpt, make, subject, unverified
from alimail_mcp.dns.models import PropagationCheck, PropagationDifference, RecordView, status_of
from alimail_mcp.dns.names import organizational_domain
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding
from alimail_mcp.outbound import OutboundPolicy, Target

COMPARED_TYPES = ("MX", "TXT", "CNAME")
MAX_SERVERS = 4
"""Authoritative addresses asked at most; more add queries without telling more."""
MAX_NS_HOSTS = 8
"""NS hosts whose addresses are looked up at most (two questions each): a zone may list many."""


@runtime_checkable
class DirectAsker(Protocol):
    """A client that can ask one nameserver directly (dns/resolver.py's ResolverClient can)."""

    async def query_at(self, server: str, port: int, name: str, rdtype: str) -> Answer: ...


async def compare_authoritative(
    client: DnsClient,
    direct: DirectAsker,
    domain: str,
    questions: Sequence[tuple[str, str]],
    *,
    port: int = 53,
    provider: Provider | None = None,
    outbound: OutboundPolicy | None = None,
) -> PropagationCheck:
    """Compare the resolver's answers to `questions` with each authoritative server's answers.

    `port` is where the authoritative servers are asked (53; tests point it at their own server).
    `outbound`: which of their addresses may be asked (default: the environment's policy).
    """
    outbound = outbound or OutboundPolicy.from_settings()
    provider = provider or load_provider()
    bounds = provider.limits.propagation
    base = {
        "official_max_hours": bounds.official_max_hours,
        "seed_auth_records_hours": bounds.seed_auth_records_hours,
    }
    seen = asyncio.gather(*(client.query(n, t) for n, t in questions))
    zone, ns_hosts, failure = await _find_zone(client, domain)
    if zone is None:
        await seen
        lost = [unverified(failure, subject("nameservers"))] if failure else []
        return PropagationCheck(status=status_of(lost, unreachable=True), findings=lost, **base)
    addresses = await _addresses(client, ns_hosts[:MAX_NS_HOSTS])
    resolver_answers = await seen
    wanted = [a for a in resolver_answers if _in_zone(a.name, zone) and a.rdtype in COMPARED_TYPES]
    wanted = [a for a in wanted if a.outcome.conclusive and not a.cname_chain]
    checked = [(host, outbound.check(addr)) for host, addr in addresses]
    refused = [(host, t) for host, t in checked if not t.allowed]
    servers = [t.require() for _, t in _spread([(h, t) for h, t in checked if t.allowed])][:MAX_SERVERS]
    grid = await asyncio.gather(
        *(asyncio.gather(*(direct.query_at(s, port, a.name, a.rdtype) for s in servers)) for a in wanted)
    )
    differences: list[PropagationDifference] = []
    findings: list[Finding] = []
    silent: set[str] = set()
    for resolver, answers in zip(wanted, grid, strict=True):
        usable = [
            (s, a)
            for s, a in zip(servers, answers, strict=True)
            if a.outcome.conclusive and not a.cname_chain
        ]
        silent |= {s for s, a in zip(servers, answers, strict=True) if not a.outcome.conclusive}
        diff = _difference(resolver, usable, port)
        if diff is not None:
            differences.append(diff)
    findings += _findings(differences)
    if refused:
        findings.append(_refused(refused, zone))
    if silent:
        findings.append(_silent(sorted(silent), zone))
    if not servers and not refused:
        findings.append(_silent([h for h in ns_hosts], zone))
    waits = [d.wait_s for d in differences if d.wait_s is not None]
    return PropagationCheck(
        status=status_of(findings, unreachable=not servers),
        records=[f"{zone} NS {h}" for h in ns_hosts],
        findings=findings,
        zone=zone,
        nameservers=list(ns_hosts),
        servers_asked=[_where(s, port) for s in servers],
        compared=len(wanted),
        differences=differences,
        max_wait_s=max(waits) if waits else None,
        **base,
    )


async def _find_zone(client: DnsClient, domain: str) -> tuple[str | None, list[str], Answer | None]:
    """The deepest name from `domain` up to its organisational domain that has NS records."""
    org = organizational_domain(domain)
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels) - len(org.split(".")) + 1)]
    answers = await asyncio.gather(*(client.query(n, "NS") for n in names))
    for name, answer in zip(names, answers, strict=True):
        if answer.outcome is Outcome.OK and answer.records:
            return name, sorted({r.lower().rstrip(".") for r in answer.records}), None
        if not answer.outcome.conclusive:
            return None, [], answer
    return None, [], None


async def _addresses(client: DnsClient, hosts: list[str]) -> list[tuple[str, str]]:
    """(host, address) for each NS host: its IPv4 addresses, else its IPv6 ones."""
    pairs = await asyncio.gather(
        *(asyncio.gather(client.query(h, "A"), client.query(h, "AAAA")) for h in hosts)
    )
    out: list[tuple[str, str]] = []
    for host, (a, aaaa) in zip(hosts, pairs, strict=True):
        chosen = a.records if a.outcome is Outcome.OK else aaaa.records if aaaa.outcome is Outcome.OK else ()
        out += [(host, addr) for addr in chosen if (host, addr) not in out]
    return out


def _spread(pairs: list[tuple[str, Target]]) -> list[tuple[str, Target]]:
    """The first address of every host, then the second of every host ...: the servers asked are as
    many different hosts as there are."""
    hosts = list(dict.fromkeys(host for host, _ in pairs))
    per_host = [[p for p in pairs if p[0] == host] for host in hosts]
    return [pair for rank in zip_longest(*per_host) for pair in rank if pair is not None]


def _in_zone(name: str, zone: str) -> bool:
    name = name.lower().rstrip(".")
    return name == zone or name.endswith("." + zone)


def _view(server: str, answer: Answer) -> RecordView:
    records = sorted(excerpt(r) for r in answer.records) if answer.outcome is Outcome.OK else []
    return RecordView(server=server, outcome=answer.outcome.value, records=records, ttl=answer.ttl)


def _difference(
    resolver: Answer, usable: list[tuple[str, Answer]], port: int
) -> PropagationDifference | None:
    mine = _view(resolver.server or "resolver", resolver)
    theirs = [_view(_where(s, port), a) for s, a in usable]
    if not theirs or all(t.records == mine.records for t in theirs):
        return None
    ttls = [t for t in (mine.ttl, *(v.ttl for v in theirs)) if t is not None]
    return PropagationDifference(
        name=resolver.name,
        type=resolver.rdtype,
        resolver=mine,
        authoritative=theirs,
        wait_s=max(ttls) if ttls else None,
    )


def _where(server: str, port: int) -> str:
    host = f"[{server}]" if ":" in server else server
    return f"{host}:{port}"


def _findings(differences: list[PropagationDifference]) -> list[Finding]:
    out: list[Finding] = []
    for diff in differences:
        agree = len({tuple(v.records) for v in diff.authoritative}) == 1
        if not agree:
            key = "dns.nameservers-disagree"
        else:
            key = "dns.propagation-pending" if diff.wait_s is not None else "dns.propagation-pending.no-ttl"
        wait = _duration(diff.wait_s) if diff.wait_s is not None else None
        evidence = {
            "resolver": diff.resolver.model_dump(),
            "authoritative": [v.model_dump() for v in diff.authoritative],
        }
        values = {"type": diff.type, "name": diff.name, "wait": wait}
        out.append(make(key, values, evidence=evidence, skill=SKILL_DELIVERY))
    return out


def _refused(refused: list[tuple[str, Target]], zone: str) -> Finding:
    kinds = ", ".join(dict.fromkeys(t.refused or "" for _, t in refused))
    evidence = {"servers": [{"host": host, **t.evidence()} for host, t in refused]}
    return make("dns.target-refused", {"zone": zone, "kinds": kinds}, evidence=evidence, skill=SKILL_DELIVERY)


def _silent(servers: list[str], zone: str) -> Finding:
    return make(
        "dns.authoritative-unreachable", {"zone": zone}, evidence={"servers": servers}, skill=SKILL_DELIVERY
    )


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600, 1):g} h"
