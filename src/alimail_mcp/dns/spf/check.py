"""The SPF check of an audit: the domain's record, its include tree (dns/spf/walk.py), the limits a
receiver applies, whether Alibaba Mail is authorised, and the one record the domain should publish.

When sending IPs are given, check_host() runs for each beside the walk on the same client, so they
share answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from alimail_mcp.dns.client import DnsClient
from alimail_mcp.dns.finding import excerpt, fault, subject, unverified
from alimail_mcp.dns.models import CheckStatus
from alimail_mcp.dns.spf import findings
from alimail_mcp.dns.spf.evaluate import check_host, parse_ip
from alimail_mcp.dns.spf.models import AllQualifier, SpfCheck, SpfInclude, SpfResult
from alimail_mcp.dns.spf.record import (
    Mechanism,
    Modifier,
    SpfRecord,
    SpfSyntaxError,
    intended_spf,
    near_spf,
    parse_lenient,
    spf_records,
)
from alimail_mcp.dns.spf.walk import Walk, static_name
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding, Severity

MAX_RECORDS = 10
"""SPF records read, listed and deleted by the plan when a domain publishes several (one is allowed)."""


async def check_spf(
    client: DnsClient, domain: str, *, sending_ip: str | Sequence[str] | None = None
) -> SpfCheck:
    """Audit `domain`'s SPF for Alibaba Mail; evaluate check_host() for each `sending_ip` given.

    Raises InputError for a `sending_ip` that is not an address; DNS failures become findings.
    """
    given = [sending_ip] if isinstance(sending_ip, str) else list(sending_ip or ())
    ips = list(dict.fromkeys(str(parse_ip(ip, "sending_ip")) for ip in given if ip))
    domain = domain.strip().lower().removesuffix(".")
    provider = load_provider()
    evaluations = [asyncio.ensure_future(check_host(client, ip, domain, helo=domain)) for ip in ips]
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
        result = await _audit(client, domain, published[:MAX_RECORDS], provider, count=len(published))
    for evaluation in evaluations:
        evaluated = await evaluation
        if evaluated.explanation:  # the domain's exp= text: outside text, shown as evidence
            evaluated.explanation = excerpt(evaluated.explanation)
        result.evaluations.append(evaluated)
        _add_evaluation_finding(result, evaluated)
    result.evaluation = result.evaluations[0] if result.evaluations else None
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


async def _audit(
    client: DnsClient, domain: str, published: list[str], provider: Provider, *, count: int
) -> SpfCheck:
    """The audit of the first `published` records of the `count` the domain publishes."""
    record, errors = parse_lenient(published[0])
    walk = Walk(client, domain)
    includes = await walk.run(record)
    accepted = {name.lower() for name in provider.spf.accepted_includes}
    authorizes = walk.reaches(accepted)
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
    verdict = _Verdict(domain, published, count, record, walk, includes, changes[0] if changes else None)
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
    count: int
    record: SpfRecord
    walk: Walk
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
        # Failed lookups and a truncated walk leave the outcome open; targets the resolver refused count
        # as not authorising Alibaba Mail (they are other parties' records) and are reported as unverified.
        complete = not walk.faults and not walk.truncated
        found: list[Finding] = []
        if self.count > 1:
            found.append(findings.multiple(domain, self.published, self.count, change))
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
        if walk.truncated:
            found.append(findings.walk_truncated(domain, walk.truncated, walk.names_read))
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
        return None if static_name(term.value) in skip_targets else f"include:{term.value}"
    if term.name == "all" or (term.name == "include" and static_name(term.domain_text or "") in skip_targets):
        return None
    return term.text


def _includes_name(term: str) -> str | None:
    text = term.lstrip("+").lower()
    return static_name(text[len("include:") :]) if text.startswith("include:") else None


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


def _all_qualifier(record: SpfRecord, records: dict[str, SpfRecord]) -> tuple[AllQualifier | None, bool]:
    """The record's `all`, or that of the record it redirects to (following redirects), and whether it
    is known: False when a redirect leads to a record that could not be read (or has macros)."""
    seen: set[str] = set()
    current = record
    while current.all is None:
        redirect = current.effective_redirect
        if redirect is None:
            return None, True  # no `all` anywhere: neutral
        target = static_name(redirect.value)
        if target is None or target in seen or target not in records:
            return None, False
        seen.add(target)
        current = records[target]
    return f"{current.all.qualifier}all", True  # type: ignore[return-value]


def _add_evaluation_finding(result: SpfCheck, evaluation: SpfResult) -> None:
    if evaluation.result in ("pass", "permerror", "temperror", "none"):
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
    names = [name for i in includes for name in (i.domain, *_names(i.includes))]
    return list(dict.fromkeys(names))


def _status(found: list[Finding]) -> CheckStatus:
    if any(f.severity is Severity.ERROR for f in found):
        return "error"
    if any(f.severity is Severity.WARNING for f in found):
        return "warning"
    return "ok"
