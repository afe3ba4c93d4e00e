"""The SPF check of an audit: the domain's record, its include tree walked concurrently, the limits a
receiver applies, whether Alibaba Mail is authorised, and the one record the domain should publish.

The walk asks every independent question at once (each include level is one round trip) and, when
a sending IP is given, check_host() runs beside it on the same client, so they share answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import excerpt, fault, out_of_reach, subject, unverified
from alimail_mcp.dns.models import CheckStatus
from alimail_mcp.dns.spf import findings, macros
from alimail_mcp.dns.spf.evaluate import check_host, parse_ip
from alimail_mcp.dns.spf.models import AllQualifier, IncludeStatus, SpfCheck, SpfInclude, SpfResult
from alimail_mcp.dns.spf.record import (
    Mechanism,
    Modifier,
    Qualifier,
    SpfRecord,
    SpfSyntaxError,
    intended_spf,
    near_spf,
    parse_lenient,
    spf_records,
)
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding, Severity

MAX_DEPTH = 12
"""Include chains deeper than this are not followed (a receiver stops at 10 lookups anyway)."""
_VOID = (Outcome.NXDOMAIN, Outcome.NODATA)
Via = Literal["include", "redirect"]


@dataclass
class _Walk:
    """What walking a record's include tree found, summed over the whole tree."""

    client: DnsClient
    lookups: int = 0
    void: list[str] = field(default_factory=list)
    void_terms: set[str] = field(default_factory=set)
    """Terms of the domain's own record that name nothing (safe to drop)."""
    loops: list[str] = field(default_factory=list)
    faults: list[tuple[Answer, str]] = field(default_factory=list)
    """Targets whose record could not be read (timeout, SERVFAIL): receivers fail on them too."""
    refused: list[tuple[Answer, str]] = field(default_factory=list)
    """Targets the resolver would not answer for (an authoritative-only server): left unverified."""
    records: dict[str, SpfRecord] = field(default_factory=dict)

    async def terms(
        self, domain: str, record: SpfRecord, path: tuple[str, ...]
    ) -> tuple[list[SpfInclude], int]:
        """Follow a record's reachable includes and redirect, check its names; (includes, own lookups)."""
        reachable, redirect = record.reachable, record.effective_redirect
        own = sum(1 for m in reachable if m.costs_lookup) + (1 if redirect is not None else 0)
        self.lookups += own
        follows = [
            self.follow(m.domain_text or "", "include", m.qualifier, path)
            for m in reachable
            if m.name == "include"
        ]
        if redirect is not None:
            follows.append(self.follow(redirect.value, "redirect", "+", path))
        checks = [
            self.void_check(m, domain, top=len(path) == 1)
            for m in reachable
            if m.name in ("a", "mx", "exists")
        ]
        included, _ = await asyncio.gather(asyncio.gather(*follows), asyncio.gather(*checks))
        return list(included), own

    async def follow(self, spec: str, via: Via, qualifier: Qualifier, path: tuple[str, ...]) -> SpfInclude:
        def node(domain: str, status: IncludeStatus, **more: Any) -> SpfInclude:
            return SpfInclude(domain=domain, via=via, qualifier=qualifier, status=status, **more)

        target = _static_name(spec)
        if target is None:
            return node(spec[:120], "dynamic")
        if target in path or len(path) > MAX_DEPTH:
            self.loops.append(" -> ".join((*path, target)))
            return node(target, "loop")
        answer = await self.client.query(target, "TXT")
        if not answer.outcome.conclusive:
            lost = self.refused if out_of_reach(answer) else self.faults
            what = subject("spf-include-target") if via == "include" else subject("spf-redirect-target")
            lost.append((answer, what))
            return node(target, "unreachable")
        published = spf_records(answer.records)
        if not published:
            if answer.outcome in _VOID:
                self.void.append(target)
            return node(target, "no-record")
        record, errors = parse_lenient(published[0])
        self.records[target] = record
        includes, own = await self.terms(target, record, (*path, target))
        status: IncludeStatus = "multiple" if len(published) > 1 else "syntax" if errors else "ok"
        return node(target, status, record=excerpt(published[0]), lookups=own, includes=includes)

    async def void_check(self, mechanism: Mechanism, domain: str, *, top: bool) -> None:
        """A term naming a host with no records authorises nothing and spends a void lookup."""
        name = domain if mechanism.domain_text is None else _static_name(mechanism.domain_text)
        if name is None:
            return
        types = {"a": ("A", "AAAA"), "mx": ("MX",), "exists": ("A",)}[mechanism.name]
        answers = await asyncio.gather(*(self.client.query(name, t) for t in types))
        if all(a.outcome in _VOID for a in answers):
            self.void.append(f"{name} ({mechanism.text[:60]})")
            if top:
                self.void_terms.add(mechanism.text.lower())


async def check_spf(client: DnsClient, domain: str, *, sending_ip: str | None = None) -> SpfCheck:
    """Audit `domain`'s SPF for Alibaba Mail; evaluate check_host() for `sending_ip` when given.

    Raises InputError for a `sending_ip` that is not an address; DNS failures become findings.
    """
    ip = parse_ip(sending_ip, "sending_ip") if sending_ip else None
    domain = domain.strip().lower().removesuffix(".")
    provider = load_provider()
    evaluation = (
        asyncio.ensure_future(check_host(client, str(ip), domain, helo=domain)) if ip is not None else None
    )
    answer = await client.query(domain, "TXT")
    published = spf_records(answer.records)
    if not answer.outcome.conclusive:
        result = SpfCheck(status="unreachable", findings=[fault(answer, subject("spf-record"))])
    elif not published and (near := near_spf(answer.records)):
        result = _malformed_version(domain, near, provider)
    elif not published:
        change = DnsChange(action="add", type="TXT", host="@", value=provider.spf.recommended_record)
        result = SpfCheck(status="error", findings=[findings.missing(domain, change)], changes=[change])
    else:
        result = await _audit(client, domain, published, provider)
    if evaluation is not None:
        result.evaluation = await evaluation
        if result.evaluation.explanation:  # the domain's exp= text: outside text, shown as evidence
            result.evaluation.explanation = excerpt(result.evaluation.explanation)
        _add_evaluation_finding(result, domain, provider)
    return result


def _malformed_version(domain: str, near: list[str], provider: Provider) -> SpfCheck:
    """The domain's SPF record exists but its version tag is mistyped (`v=spf1include:`, `V = spf1`,
    quoted), so receivers see no SPF at all: a syntax error whose fix is the record as meant."""
    meant = recommend([intended_spf(near[0])], domain, provider)
    change = DnsChange(action="replace", type="TXT", host="@", value=meant, old_value=near[0])
    error = SpfSyntaxError("the record must start with 'v=spf1' followed by a space (RFC 7208 4.5)")
    return SpfCheck(
        status="error",
        records=near,
        findings=[findings.syntax(domain, near[0], [error], change)],
        record=near[0],
        recommended_record=meant,
        changes=[change, *(DnsChange(action="delete", type="TXT", host="@", value=t) for t in near[1:])],
    )


async def _audit(client: DnsClient, domain: str, published: list[str], provider: Provider) -> SpfCheck:
    record, errors = parse_lenient(published[0])
    walk = _Walk(client)
    includes, _ = await walk.terms(domain, record, (domain,))
    accepted = {name.lower() for name in provider.spf.accepted_includes}
    authorizes = _authorizes(includes, accepted)
    qualifier, all_known = _all_qualifier(record, walk.records)
    recommended = recommend(
        published,
        domain,
        provider,
        drop_terms=walk.void_terms if len(walk.void) > 2 else (),
        drop_targets={i.domain for i in includes if i.status == "no-record"},
        add_include=not authorizes,
    )
    changes = _changes(published, recommended)
    verdict = _Verdict(domain, published, record, walk, includes, changes[0] if changes else None)
    found = verdict.findings(
        errors, provider, authorizes=authorizes, qualifier=qualifier, all_known=all_known
    )
    if not any(f.dns_change for f in found):
        changes = []  # only findings call for a change; a record that merely reads differently stays
    return SpfCheck(
        status=_status(found),
        records=published,
        findings=found,
        record=published[0],
        lookups=walk.lookups,
        void_lookups=len(walk.void),
        includes=includes,
        authorizes_alimail=authorizes,
        all_qualifier=qualifier,
        recommended_record=recommended if changes else None,
        changes=changes,
    )


@dataclass
class _Verdict:
    """The findings about one published record, from what walking it found."""

    domain: str
    published: list[str]
    record: SpfRecord
    walk: _Walk
    includes: list[SpfInclude]
    change: DnsChange | None

    def findings(
        self,
        errors: list[SpfSyntaxError],
        provider: Provider,
        *,
        authorizes: bool,
        qualifier: AllQualifier | None,
        all_known: bool,
    ) -> list[Finding]:
        domain, text, walk, change = self.domain, self.published[0], self.walk, self.change
        accepted = {name.lower() for name in provider.spf.accepted_includes}
        # Failed lookups leave the outcome open; targets the resolver refused count as not authorising
        # Alibaba Mail (they are other parties' records) and are reported as unverified.
        complete = not walk.faults
        found: list[Finding] = []
        if len(self.published) > 1:
            found.append(findings.multiple(domain, self.published, change))
        if errors:
            found.append(findings.syntax(domain, text, errors, change))
        if not authorizes and complete and not _mentions(self.published[1:], accepted):
            found.append(findings.missing_alimail_include(domain, text, provider, change))
        if qualifier == "+all":
            found.append(findings.plus_all(domain, text, change))
        if walk.lookups > 10:
            found.append(findings.too_many_lookups(domain, text, walk.lookups, _names(self.includes)))
        if len(walk.void) > 2:
            found.append(findings.void_lookups(domain, text, walk.void, change if walk.void_terms else None))
        if walk.loops:
            self_loop = any(i.status == "loop" and i.domain == domain for i in self.includes)
            found.append(findings.loop(domain, walk.loops, change if self_loop else None))
        for include in _broken(self.includes):  # only the domain's own includes of nothing are ours to drop
            droppable = include in self.includes and include.status == "no-record"
            found.append(findings.broken_include(domain, include, change if droppable else None))
        # The record's own ~all/?all is known whatever its includes hold; one reached by redirect only
        # when every record on the way was read.
        if qualifier in ("~all", "?all", None) and all_known:
            found.append(findings.soft_all(domain, text, qualifier, change))
        found += [fault(answer, what) for answer, what in walk.faults]
        found += [unverified(answer, what) for answer, what in walk.refused]
        return found


def recommend(
    published: Sequence[str],
    domain: str,
    provider: Provider,
    *,
    drop_terms: Collection[str] = (),
    drop_targets: Collection[str] = (),
    add_include: bool = True,
) -> str:
    """One record keeping every sender the published record(s) authorise, with Alibaba Mail's include
    added when no accepted one is there, ending in -all.

    Left out: invalid terms, `all` terms, includes of the domain itself, the terms in `drop_terms`
    (lower-case text) and includes or redirects to `drop_targets`. redirect= becomes an include.
    `add_include=False` when Alibaba Mail is already authorised through a nested include."""
    accepted = {name.lower() for name in provider.spf.accepted_includes}
    mechanisms: list[str] = []
    modifiers: list[str] = []
    seen: set[str] = set()
    for text in published:
        record, _ = parse_lenient(text)
        for term in record.terms:
            kept = _kept_term(term, {domain, *drop_targets}, drop_terms)
            if kept is None or kept.lower().lstrip("+") in seen:
                continue
            seen.add(kept.lower().lstrip("+"))
            (modifiers if isinstance(term, Modifier) and term.name != "redirect" else mechanisms).append(kept)
    if add_include and not any(_includes_name(term) in accepted for term in mechanisms):
        mechanisms.append(f"include:{provider.spf.recommended_include}")
    return " ".join(["v=spf1", *mechanisms, "-all", *modifiers])


def _kept_term(term: Mechanism | Modifier, skip_targets: set[str], drop_terms: Collection[str]) -> str | None:
    if term.text.lower() in drop_terms:
        return None
    if isinstance(term, Modifier):
        if term.name != "redirect":
            return term.text
        return None if _static_name(term.value) in skip_targets else f"include:{term.value}"
    if term.name == "all" or (
        term.name == "include" and _static_name(term.domain_text or "") in skip_targets
    ):
        return None
    return term.text


def _includes_name(term: str) -> str | None:
    text = term.lstrip("+").lower()
    return _static_name(text[len("include:") :]) if text.startswith("include:") else None


def _mentions(records: Sequence[str], accepted: set[str]) -> bool:
    """Whether any of `records` names an accepted include (then merging, not adding, is the fix)."""
    return any(
        _includes_name(term.text) in accepted
        for text in records
        for term in parse_lenient(text)[0].mechanisms
    )


def _changes(published: list[str], recommended: str) -> list[DnsChange]:
    first = published[0]
    changes: list[DnsChange] = []
    if " ".join(first.lower().split()) != recommended.lower() or len(published) > 1:
        changes.append(DnsChange(action="replace", type="TXT", host="@", value=recommended, old_value=first))
    changes += [DnsChange(action="delete", type="TXT", host="@", value=other) for other in published[1:]]
    return changes


def _authorizes(includes: list[SpfInclude], accepted: set[str]) -> bool:
    """An accepted include is reached through includes that pass (qualifier +) all the way."""
    return any(
        i.qualifier == "+" and (i.domain in accepted or _authorizes(i.includes, accepted)) for i in includes
    )


def _all_qualifier(record: SpfRecord, records: dict[str, SpfRecord]) -> tuple[AllQualifier | None, bool]:
    """The record's `all`, or that of the record it redirects to (following redirects), and whether it
    is known: False when a redirect leads to a record that could not be read (or has macros)."""
    seen: set[str] = set()
    current = record
    while current.all is None:
        redirect = current.effective_redirect
        if redirect is None:
            return None, True  # no `all` anywhere: neutral
        target = _static_name(redirect.value)
        if target is None or target in seen or target not in records:
            return None, False
        seen.add(target)
        current = records[target]
    return f"{current.all.qualifier}all", True  # type: ignore[return-value]


def _add_evaluation_finding(result: SpfCheck, domain: str, provider: Provider) -> None:
    evaluation: SpfResult | None = result.evaluation
    if evaluation is None or evaluation.result in ("pass", "permerror", "temperror", "none"):
        return  # errors and a missing record already have their own findings
    result.findings.append(findings.ip_not_authorized(evaluation))
    result.status = _status(result.findings)


def _broken(includes: list[SpfInclude]) -> list[SpfInclude]:
    out: list[SpfInclude] = []
    for include in includes:
        if include.status in ("no-record", "multiple", "syntax"):
            out.append(include)
        out += _broken(include.includes)
    return out


def _names(includes: list[SpfInclude]) -> list[str]:
    return [name for i in includes for name in (i.domain, *_names(i.includes))]


def _static_name(spec: str) -> str | None:
    """The name a domain-spec without macros stands for; None when it has macros or is invalid."""
    if "%" in spec:
        return None
    name = macros.query_name(spec)
    return name.lower() if name else None


def _status(found: list[Finding]) -> CheckStatus:
    if any(f.severity is Severity.ERROR for f in found):
        return "error"
    if any(f.severity is Severity.WARNING for f in found):
        return "warning"
    return "ok"
