"""DMARC check: the policy record (RFC 7489, with the RFC 9989 tags np, psd, t), the organisational
domain's record as fallback, and authorisation of external report destinations (RFC 7489 7.1)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_CONFIGURATION, excerpt, fault, make, problem, subject, unverified
from alimail_mcp.dns.models import DmarcCheck, ReportDestination, status_of
from alimail_mcp.dns.names import organizational_domain
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding

POLICIES = ("none", "quarantine", "reject")
_VALUES: dict[str, tuple[str, ...]] = {
    "p": POLICIES,
    "sp": POLICIES,
    "np": POLICIES,
    "adkim": ("r", "s"),
    "aspf": ("r", "s"),
    "psd": ("y", "n", "u"),
    "t": ("y", "n"),
}
_KNOWN = {*_VALUES, "v", "rua", "ruf", "fo", "pct", "rf", "ri"}
_REMOVED_DEFAULTS = {"pct": "100", "rf": "afrf", "ri": "86400"}
"""Tags RFC 9989 removed, with the value that changes nothing for older receivers."""
MAX_DESTINATIONS = 10
"""Report domains read from rua/ruf, each external one costing a question; receivers need only send to
two (RFC 7489 6.2)."""


@dataclass
class _Record:
    domain: str
    text: str
    tags: dict[str, str]
    order: list[str]
    problems: list[str]


async def check_dmarc(client: DnsClient, domain: str, *, provider: Provider | None = None) -> DmarcCheck:
    provider = provider or load_provider()
    org = organizational_domain(domain)
    names = [domain] if org == domain else [domain, org]
    # Ask for the organisational domain's record at once: it is needed whenever the domain has none.
    answers = await asyncio.gather(*(client.query(f"_dmarc.{n}", "TXT") for n in names))
    findings: list[Finding] = []
    found: _Record | None = None
    for name, answer in zip(names, answers, strict=True):
        if not answer.outcome.conclusive:
            findings.append(fault(answer, subject("dmarc-record", name=name)))
            return DmarcCheck(status="unreachable", findings=findings, organizational_domain=org)
        found, record_findings = _select(name, answer)
        findings += record_findings
        if found is not None:
            break
    if found is None:
        if not any(f.code == "dmarc.invalid" for f in findings):
            findings.append(_missing(domain, org, provider))
        return DmarcCheck(status=status_of(findings), findings=findings, organizational_domain=org)

    inherited = found.domain != domain
    policy = _effective_policy(found.tags, inherited)
    findings += _judge(found, org, policy, inherited=inherited)
    destinations, unanswered, left_out = await _destinations(client, found, org)
    findings += [_unauthorized(found, d) for d in destinations if d.external and d.authorized is False]
    findings += [unverified(a, subject("dmarc-report-authorisation")) for a in unanswered]
    return DmarcCheck(
        status=status_of(findings),
        records=[excerpt(found.text)],
        findings=findings,
        record_domain=found.domain,
        organizational_domain=org,
        inherited=inherited,
        policy=policy,
        tags={k: excerpt(v, 200) for k, v in found.tags.items()},
        report_destinations=destinations,
        report_destinations_left_out=left_out,
    )


def _select(name: str, answer: Answer) -> tuple[_Record | None, list[Finding]]:
    if answer.outcome is not Outcome.OK:
        return None, []
    candidates: list[_Record] = []
    near: list[tuple[str, str]] = []
    for text in answer.records:
        parsed = parse_tags(text)
        first = parsed.order[0] if parsed.order else ""
        if first == "v" and parsed.tags["v"] == "DMARC1":
            candidates.append(_Record(name, text, parsed.tags, parsed.order, parsed.problems))
        elif (why := _near_miss(text, parsed.tags, first)) is not None:
            near.append((text, why))
    if len(candidates) > 1:
        return None, [_invalid(name, candidates[0].text, [problem("dmarc.several")])]
    if near and not candidates:
        return None, [_invalid(name, near[0][0], [near[0][1]])]
    return (candidates[0] if candidates else None), []


_NEAR_VERSION = re.compile(r"\s*v\s*=\s*dmarc1", re.IGNORECASE)


def _near_miss(text: str, tags: dict[str, str], first: str) -> str | None:
    """Why a TXT record meant as DMARC is not one (RFC 7489 6.3: it must begin with v=DMARC1), else None."""
    version = next((v for k, v in tags.items() if k.lower() == "v" and v.strip().upper() == "DMARC1"), None)
    if version is not None and first.lower() != "v":
        return problem("dmarc.version-not-first")
    if version is not None or _NEAR_VERSION.match(text):
        return problem("dmarc.version-spelling")
    return None


def _effective_policy(tags: dict[str, str], inherited: bool) -> str | None:
    value = tags.get("sp") or tags.get("p") if inherited else tags.get("p")
    value = (value or "").lower()
    if value in POLICIES:
        return value
    return "none" if "p" not in tags else None


def _judge(record: _Record, org: str, policy: str | None, *, inherited: bool) -> list[Finding]:
    tags = record.tags
    problems = list(record.problems)
    for tag, allowed in _VALUES.items():
        if tag in tags and tags[tag].lower() not in allowed:
            problems.append(problem("dmarc.value", tag=tag, allowed=", ".join(allowed)))
    fo = [x.strip() for x in tags.get("fo", "").split(":") if x.strip()]
    if any(x not in ("0", "1", "d", "s") for x in fo):
        problems.append(problem("dmarc.fo"))
    for tag in ("rua", "ruf"):
        if any(not _mailbox(u) for u in _uris(tags.get(tag, ""))):
            problems.append(problem("dmarc.report-uri", tag=tag))
    findings: list[Finding] = []
    if problems:
        findings.append(_invalid(record.domain, record.text, problems, severe=policy is None))
    if "p" not in tags:
        findings.append(_no_policy_tag(record))
    removed: list[str] = [t for t in ("pct", "rf", "ri") if t in tags]
    if removed:
        findings.append(_removed(record, removed))
    unknown = [t for t in record.order if t not in _KNOWN]
    if unknown:
        findings.append(_unknown(record, unknown))
    if policy == "none" and "p" in tags:  # without p= the finding above already says how it reads
        findings.append(_policy_none(record, org, inherited=inherited))
    if tags.get("t", "").lower() == "y":
        findings.append(_testing(record))
    return findings


def _uris(value: str) -> list[str]:
    return [u.strip() for u in value.split(",") if u.strip()]


def _mailbox(uri: str) -> str | None:
    """The address of a `mailto:` report URI (size suffix `!10m` dropped), else None."""
    if not uri.lower().startswith("mailto:"):
        return None
    address = uri[7:].split("!", 1)[0].strip()
    local, at, host = address.rpartition("@")
    if not (at and local) or any(c.isspace() for c in address):
        return None
    try:  # the host is named in findings: it must be a domain name, not any text
        normalize_domain(host, "rua")
    except InputError:
        return None
    return address


async def _destinations(
    client: DnsClient, record: _Record, org: str
) -> tuple[list[ReportDestination], list[Answer], int]:
    """Report destinations (at most MAX_DESTINATIONS domains), external ones checked for their
    authorisation record; unanswered questions; how many more domains were left out."""
    out: list[ReportDestination] = []
    left_out: set[str] = set()
    for tag in ("rua", "ruf"):
        for uri in _uris(record.tags.get(tag, "")):
            address = _mailbox(uri)
            if address is None:
                continue
            host = address.rsplit("@", 1)[1].lower().rstrip(".")
            if any(d.domain == host for d in out):
                continue
            if len(out) >= MAX_DESTINATIONS:
                left_out.add(host)
                continue
            outside = organizational_domain(host) != org
            out.append(ReportDestination(uri=excerpt(uri, 200), domain=host, external=outside))
    external = [d for d in out if d.external]
    answers = await asyncio.gather(
        *(client.query(f"{record.domain}._report._dmarc.{d.domain}", "TXT") for d in external)
    )
    for dest, answer in zip(external, answers, strict=True):
        if answer.outcome.conclusive:
            dest.authorized = any(r.replace(" ", "").startswith("v=DMARC1") for r in answer.records)
    return out, [a for a in answers if not a.outcome.conclusive], len(left_out)


def _finding(
    key: str,
    values: Mapping[str, object],
    record: _Record | None,
    *,
    dns_change: DnsChange | None = None,
    **evidence: object,
) -> Finding:
    """A DMARC finding; its evidence: the record it is about (when there is one) and `evidence`."""
    found: dict[str, object] = {}
    if record:
        found = {"record": excerpt(record.text), "found_at": f"_dmarc.{record.domain}"}
    return make(
        key,
        values,
        evidence={**found, **evidence},
        dns_change=dns_change,
        skill=SKILL_CONFIGURATION,
        needs_admin=True,
    )


def _invalid(name: str, text: str, problems: list[str], *, severe: bool = True) -> Finding:
    return _finding(
        "dmarc.invalid" if severe else "dmarc.invalid.policy-read",
        {"problems": "; ".join(problems), "name": name},
        None,
        published=excerpt(text),
        found_at=f"_dmarc.{name}",
    )


def _missing(domain: str, org: str, provider: Provider) -> Finding:
    starter = provider.dmarc.starter_record.format(domain=org)
    return _finding(
        "dmarc.missing" if domain == org else "dmarc.missing.subdomain",
        {"domain": domain, "org": org, "record": starter},
        None,
        # at the audited domain itself (hosts are relative to it)
        dns_change=DnsChange(action="add", type="TXT", host="_dmarc", value=starter),
        looked_up=sorted({f"_dmarc.{domain}", f"_dmarc.{org}"}),
    )


def _policy_none(record: _Record, org: str, *, inherited: bool) -> Finding:
    reports = bool(record.tags.get("rua"))
    # the record's other tags are outside text: they stay in dns_change, never in our words
    stepped = "; ".join(f"{k}={'quarantine' if k == 'p' else v}" for k, v in record.tags.items())
    # Hosts are relative to the audited domain; an inherited record sits above it: give its full name.
    host = f"_dmarc.{record.domain}." if inherited else "_dmarc"
    return _finding(
        "dmarc.policy-none" if reports else "dmarc.policy-none.no-reports",
        {"org": org},
        record,
        dns_change=DnsChange(action="replace", type="TXT", host=host, value=stepped, old_value=record.text),
    )


def _no_policy_tag(record: _Record) -> Finding:
    return _finding("dmarc.invalid.no-policy", {}, record)


def _removed(record: _Record, tags: list[str]) -> Finding:
    harmful = [t for t in tags if record.tags[t].strip().lower() != _REMOVED_DEFAULTS[t]]
    if "pct" in harmful:
        key = "dmarc.removed-tag.partial-policy"
    else:
        key = "dmarc.removed-tag" if harmful else "dmarc.removed-tag.harmless"
    values = {"tags": ", ".join(tags), "tag_list": ", ".join(t + "=" for t in tags)}
    return _finding(key, values, record, removed=tags)


def _unknown(record: _Record, tags: list[str]) -> Finding:
    return _finding("dmarc.unknown-tag", {}, record, unknown=tags[:10])


def _testing(record: _Record) -> Finding:
    return _finding("dmarc.testing", {}, record)


def _unauthorized(record: _Record, dest: ReportDestination) -> Finding:
    auth = f"{record.domain}._report._dmarc.{dest.domain}"
    return _finding(
        "dmarc.rua-unauthorized",
        {"quoted_report_domain": dest.domain, "quoted_authorization_name": auth},
        record,
        destination=dest.uri,
        authorization_name=auth,
    )
