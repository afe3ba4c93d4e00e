"""MX check: which provider receives the domain's mail, against the Alibaba Mail sets in provider.yaml.

A domain may publish any number of MX records, and every host costs two address questions: the check
examines the first MAX_MX_RECORDS by priority, and any further record naming an Alibaba Mail host
(known by name, so it costs nothing to recognise), and says so when it leaves records out.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
from dataclasses import dataclass

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_DELIVERY, excerpt, fault, make, step, subject, unverified
from alimail_mcp.dns.models import MxCheck, MxHost, status_of
from alimail_mcp.dns.names import zone_appended
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import MxSet, Provider
from alimail_mcp.models import DnsChange, Finding

MAX_MX_RECORDS = 10
"""MX records examined, best priority first; Alibaba Mail's largest set has three."""
MAX_ADDRESSES = 10
"""Addresses kept per MX host."""
LISTED = 20
"""Records and host names an evidence list shows."""


@dataclass(frozen=True)
class _Record:
    priority: int
    host: str


async def check_mx(client: DnsClient, domain: str, *, provider: Provider | None = None) -> MxCheck:
    provider = provider or load_provider()
    answer = await client.query(domain, "MX")
    if not answer.outcome.conclusive:
        return MxCheck(status="unreachable", findings=[fault(answer, subject("mx-records"))])
    published = _parse(answer)
    null_mx = [r for r in published if r.host in ("", ".")]
    if answer.outcome is not Outcome.OK or not published or null_mx:
        finding = _missing(answer, domain, provider, null_mx=bool(null_mx))
        return MxCheck(status="error", records=_listed(answer.records), findings=[finding])

    records, left_out = _examined(published, provider)
    hosts = sorted({r.host for r in records})
    lookups = await asyncio.gather(*(_addresses(client, h) for h in hosts))
    known = _provider_names(provider)
    by_host = {h: lk for h, lk in zip(hosts, lookups, strict=True)}
    mx_hosts = [_host(r, by_host[r.host], domain, provider, known) for r in records]
    mx_hosts.sort(key=lambda h: (h.priority, h.host))
    check = _judge(domain, provider, mx_hosts, by_host, known)
    check.records = [f"{r.priority} {excerpt(r.host)}" for r in records]
    if left_out:
        check.findings.append(_too_many(len(published), records, left_out))
        check.status = status_of(check.findings)
    return check


def _examined(records: list[_Record], provider: Provider) -> tuple[list[_Record], list[_Record]]:
    """The records the check examines (the first MAX_MX_RECORDS by priority, then one record per
    further Alibaba Mail host) and the ones it leaves out, both best priority first."""
    ordered = sorted(records, key=lambda r: (r.priority, r.host))
    kept, rest = ordered[:MAX_MX_RECORDS], ordered[MAX_MX_RECORDS:]
    hosts = {r.host for r in kept}
    for record in rest:
        if record.host not in hosts and provider.mx_set_of(record.host) is not None:
            kept.append(record)
            hosts.add(record.host)
    return kept, [r for r in rest if r not in kept]


def _listed(texts: tuple[str, ...] | list[str]) -> list[str]:
    return [excerpt(t) for t in texts[:LISTED]]


def _host(record: _Record, lookup: _Lookup, domain: str, provider: Provider, known: frozenset[str]) -> MxHost:
    """One MX record as the check sees it; an alias of an Alibaba Mail host counts as that host."""
    mx_set = provider.mx_set_of(record.host) or (provider.mx_set_of(lookup.alias) if lookup.alias else None)
    return MxHost(
        host=record.host,
        priority=record.priority,
        provider_set=mx_set.id if mx_set else None,
        alias_of=lookup.alias,
        zone_appended=zone_appended(record.host, domain, known) is not None,
        resolves=lookup.resolves,
        addresses=lookup.addresses,
    )


def _parse(answer: Answer) -> list[_Record]:
    out: list[_Record] = []
    for text in answer.records:
        pref, _, host = text.strip().partition(" ")
        if pref.isascii() and pref.isdigit():
            out.append(_Record(int(pref), host.strip().lower().rstrip(".") or "."))
    return out


@dataclass(frozen=True)
class _Lookup:
    resolves: bool | None
    addresses: list[str]
    alias: str | None
    """The canonical name when the host is an alias (CNAME)."""
    failed: Answer | None


async def _addresses(client: DnsClient, host: str) -> _Lookup:
    if _is_address(host):  # an address is not a host name: senders look it up as a name and find nothing
        return _Lookup(False, [], None, None)
    a, aaaa = await asyncio.gather(client.query(host, "A"), client.query(host, "AAAA"))
    found = [*a.records, *aaaa.records] if a.outcome is Outcome.OK or aaaa.outcome is Outcome.OK else []
    addresses = found[:MAX_ADDRESSES]
    chain = a.cname_chain or aaaa.cname_chain
    alias = chain[-1] if chain else None
    if addresses:
        return _Lookup(True, addresses, alias, None)
    failed = next((x for x in (a, aaaa) if not x.outcome.conclusive), None)
    return _Lookup(None if failed else False, [], alias, failed)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _provider_names(provider: Provider) -> frozenset[str]:
    names = {r.host for s in provider.mx_sets for r in s.records}
    names |= set(provider.webmail_cname.accepted_targets) | {c.target for c in provider.optional_cnames}
    return frozenset(names)


def _judge(
    domain: str,
    provider: Provider,
    hosts: list[MxHost],
    lookups: dict[str, _Lookup],
    known: frozenset[str],
) -> MxCheck:
    ours = [h for h in hosts if h.provider_set]
    appended = [h for h in hosts if h.zone_appended and not h.provider_set]
    # A host that does not resolve receives no mail: it is a dead entry, not another provider; nor is a
    # host in Alibaba Mail's own name space that is not one of the documented ones.
    others = [h for h in hosts if not h.provider_set and not h.zone_appended]
    dead = [h for h in others if h.resolves is False]
    alibaba_like = [h for h in others if _in_provider_space(provider, h.host)]
    foreign = [h for h in others if h.resolves is not False and h not in alibaba_like]
    sets_used = list(dict.fromkeys(h.provider_set for h in ours if h.provider_set))
    in_use = _set_in_use(provider, sets_used)

    findings: list[Finding] = []
    findings += [_appended(domain, h, zone_appended(h.host, domain, known) or h.host) for h in appended]
    if foreign and (ours or appended):
        findings.append(_conflict(domain, foreign, ours))
    elif foreign:
        findings.append(_wrong_provider(domain, provider, foreign))
    distinct = list({h.host: h for h in hosts}.values())
    findings += [_unresolvable(h) for h in distinct if h.resolves is False and h not in appended]
    if len(sets_used) > 1:
        findings.append(_mixed_sets(provider, sets_used))
    if in_use is not None:
        meant = {zone_appended(h.host, domain, known) for h in appended}
        findings += _set_shape(in_use, [h for h in ours if h.provider_set == in_use.id], meant)
        if not in_use.recommended:
            findings.append(_legacy(provider, in_use))
    for host in distinct:
        lookup = lookups[host.host]
        if lookup.alias and host.host not in known:
            kept = bool(host.provider_set) or (host in alibaba_like and host.resolves is not False)
            findings.append(_alias(host, lookup.alias, kept=kept))
        if lookup.failed is not None:
            findings.append(unverified(lookup.failed, subject("mx-host-address")))
    findings += [
        _undocumented(provider, h) for h in distinct if h in alibaba_like and h.resolves is not False
    ]

    return MxCheck(
        status=status_of(findings),
        findings=findings,
        hosts=hosts,
        provider_set=in_use.id if in_use else None,
        provider_set_label=in_use.label if in_use else None,
        recommended=bool(in_use and in_use.recommended),
        foreign_hosts=[h.host for h in foreign],
        dead_hosts=[h.host for h in dead],
    )


def _in_provider_space(provider: Provider, host: str) -> bool:
    """True for a host under the parent name of a documented MX host (`mx4.qiye.aliyun.com`)."""
    parents = {r.host.split(".", 1)[1] for s in provider.mx_sets for r in s.records}
    return any(host.endswith("." + parent) for parent in parents)


def _undocumented(provider: Provider, host: MxHost) -> Finding:
    documented = ", ".join(r.host for r in provider.recommended_mx.records)
    return make(
        "mx.undocumented-host",
        {"quoted_host": host.host, "documented": documented},
        evidence={"host": host.host, "priority": host.priority},
        skill=SKILL_DELIVERY,
    )


def _set_in_use(provider: Provider, ids: list[str]) -> MxSet | None:
    sets = [s for s in provider.mx_sets if s.id in ids]
    return next((s for s in sets if s.recommended), sets[0] if sets else None)


def _mx(host: str, priority: int, action: str = "add", old: str | None = None) -> DnsChange:
    return DnsChange.model_validate(
        {"action": action, "type": "MX", "host": "@", "value": host, "priority": priority, "old_value": old}
    )


def _recommended_steps(provider: Provider) -> list[str]:
    return [step("add-mx", host=r.host, priority=r.priority) for r in provider.recommended_mx.records]


def _missing(answer: Answer, domain: str, provider: Provider, *, null_mx: bool) -> Finding:
    if null_mx:
        key = "mx.missing.null-mx"
    elif answer.outcome is Outcome.NXDOMAIN:
        key = "mx.missing.nxdomain"
    else:
        key = "mx.missing"
    first = provider.recommended_mx.records[0]
    return make(
        key,
        {"domain": domain},
        evidence={"outcome": answer.outcome.value, "records": _listed(answer.records)},
        after=_recommended_steps(provider),
        dns_change=_mx(first.host, first.priority),
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _conflict(domain: str, foreign: list[MxHost], ours: list[MxHost]) -> Finding:
    best_ours = min((h.priority for h in ours), default=None)
    ahead = [h.host for h in foreign if best_ours is None or h.priority <= best_ours]
    return make(
        "mx.conflict.ahead" if ahead else "mx.conflict",
        evidence={"foreign_hosts": [f"{h.priority} {h.host}" for h in foreign], "ahead_of_alibaba": ahead},
        before=[step("delete-mx", quoted_host=h.host, priority=h.priority) for h in foreign],
        dns_change=_mx(foreign[0].host, foreign[0].priority, "delete"),
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _wrong_provider(domain: str, provider: Provider, foreign: list[MxHost]) -> Finding:
    first = provider.recommended_mx.records[0]
    return make(
        "mx.wrong-provider",
        {"domain": domain},
        evidence={"hosts": [f"{h.priority} {h.host}" for h in foreign]},
        after=[*_recommended_steps(provider), *(step("delete-mx-host", quoted_host=h.host) for h in foreign)],
        dns_change=_mx(first.host, first.priority),
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _appended(domain: str, host: MxHost, meant: str) -> Finding:
    return make(
        "mx.zone-appended.unresolvable" if host.resolves is False else "mx.zone-appended",
        {"quoted_meant": meant, "quoted_host": host.host, "priority": host.priority},
        evidence={"host": host.host, "priority": host.priority, "intended": meant, "zone_appended": True},
        dns_change=_mx(meant, host.priority, "replace", host.host),
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _unresolvable(host: MxHost) -> Finding:
    return make(
        "mx.host-unresolvable.address" if _is_address(host.host) else "mx.host-unresolvable",
        {"quoted_host": host.host},
        evidence={"host": host.host, "priority": host.priority},
        dns_change=DnsChange(action="delete", type="MX", host="@", value=host.host, priority=host.priority),
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _too_many(published: int, examined: list[_Record], left_out: list[_Record]) -> Finding:
    return make(
        "mx.too-many-records",
        {"count": published, "examined": len(examined), "limit": MAX_MX_RECORDS},
        evidence={
            "published": published,
            "examined": len(examined),
            "not_examined": [f"{r.priority} {excerpt(r.host)}" for r in left_out[:LISTED]],
        },
        skill=SKILL_DELIVERY,
        needs_admin=True,
    )


def _mixed_sets(provider: Provider, ids: list[str]) -> Finding:
    labels = [s.label for s in provider.mx_sets if s.id in ids]
    return make("mx.mixed-sets", evidence={"sets": labels}, skill=SKILL_DELIVERY, needs_admin=True)


def _set_shape(mx_set: MxSet, hosts: list[MxHost], being_fixed: set[str | None]) -> list[Finding]:
    """Missing hosts of the set in use (not counting ones a zone-appended value meant) and odd priorities."""
    findings: list[Finding] = []
    rank = {r.host: i for i, r in enumerate(mx_set.records)}
    names = {h.host: h.host if h.host in rank else (h.alias_of or h.host) for h in hosts}
    present = set(names.values())
    absent = [r for r in mx_set.records if r.host not in present and r.host not in being_fixed]
    if absent:
        findings.append(
            make(
                "mx.incomplete",
                {"set": mx_set.label},
                evidence={"missing": [f"{r.priority} {r.host}" for r in absent]},
                after=[step("add-mx", host=r.host, priority=r.priority) for r in absent],
                dns_change=_mx(absent[0].host, absent[0].priority),
                skill=SKILL_DELIVERY,
                needs_admin=True,
            )
        )
    published = sorted(hosts, key=lambda h: rank[names[h.host]])
    inverted = any(a.priority > b.priority for a, b in itertools.pairwise(published))
    tied = len({h.priority for h in published}) < len(published)
    dup = len(present) < len(hosts)
    if inverted or tied or dup:
        expected = {r.host: r.priority for r in mx_set.records}
        if inverted:
            key = "mx.priority-odd.reversed"
        elif dup:
            key = "mx.priority-odd.duplicate"
        else:
            key = "mx.priority-odd.tied"
        steps = [
            step("set-mx-priority", quoted_host=h.host, priority=expected[names[h.host]])
            for h in hosts
            if h.priority != expected[names[h.host]]
        ]
        findings.append(
            make(
                key,
                evidence={
                    "published": [f"{h.priority} {h.host}" for h in hosts],
                    "expected": [f"{r.priority} {r.host}" for r in mx_set.records],
                },
                after=steps or [step("delete-duplicate-mx")],
                skill=SKILL_DELIVERY,
                needs_admin=True,
            )
        )
    return findings


def _legacy(provider: Provider, mx_set: MxSet) -> Finding:
    recommended = ", ".join(f"{r.host} ({r.priority})" for r in provider.recommended_mx.records)
    return make(
        "mx.legacy-set",
        {"set": mx_set.label, "recommended": recommended},
        evidence={"set": mx_set.id},
        skill=SKILL_DELIVERY,
    )


def _alias(host: MxHost, target: str, *, kept: bool) -> Finding:
    """An MX host that is a CNAME. Kept hosts (Alibaba Mail's through the alias, or unknown) should point
    at the real host; another provider's alias goes away with its record, so it is only noted."""
    return make(
        "mx.host-cname" if kept else "mx.host-cname.not-kept",
        {"quoted_host": host.host, "quoted_target": target, "priority": host.priority},
        evidence={"host": host.host, "alias_of": target, "priority": host.priority},
        dns_change=_mx(target, host.priority, "replace", host.host) if kept else None,
        skill=SKILL_DELIVERY,
        needs_admin=kept,
    )
