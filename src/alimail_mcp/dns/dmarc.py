"""DMARC check: the policy record (RFC 7489, with the RFC 9989 tags np, psd, t), the organisational
domain's record as fallback, and authorisation of external report destinations (RFC 7489 7.1)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_CONFIGURATION, excerpt, fault, unverified
from alimail_mcp.dns.models import DmarcCheck, ReportDestination, status_of
from alimail_mcp.dns.names import organizational_domain
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding, Severity

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
            findings.append(fault(answer, f"DMARC record of {name}"))
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
    destinations, unanswered = await _destinations(client, found, org)
    findings += [_unauthorized(found, d) for d in destinations if d.external and d.authorized is False]
    findings += [unverified(a, "report authorisation of an external rua/ruf destination") for a in unanswered]
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
        why = "there are several DMARC records; receivers then apply none"
        return None, [_invalid(name, candidates[0].text, [why])]
    if near and not candidates:
        return None, [_invalid(name, near[0][0], [near[0][1]])]
    return (candidates[0] if candidates else None), []


_NEAR_VERSION = re.compile(r"\s*v\s*=\s*dmarc1", re.IGNORECASE)


def _near_miss(text: str, tags: dict[str, str], first: str) -> str | None:
    """Why a TXT record meant as DMARC is not one (RFC 7489 6.3: it must begin with v=DMARC1), else None."""
    version = next((v for k, v in tags.items() if k.lower() == "v" and v.strip().upper() == "DMARC1"), None)
    if version is not None and first.lower() != "v":
        return "v=DMARC1 must be the first tag; receivers ignore a record that does not start with it"
    if version is not None or _NEAR_VERSION.match(text):
        return "the record must start exactly with v=DMARC1 (upper case) followed by ';'"
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
            problems.append(f"{tag}= must be one of {', '.join(allowed)}")
    fo = [x.strip() for x in tags.get("fo", "").split(":") if x.strip()]
    if any(x not in ("0", "1", "d", "s") for x in fo):
        problems.append("fo= must be 0, 1, d or s (colon separated)")
    for tag in ("rua", "ruf"):
        if any(not _mailbox(u) for u in _uris(tags.get(tag, ""))):
            problems.append(f"{tag}= must list mailto: addresses, comma separated")
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
) -> tuple[list[ReportDestination], list[Answer]]:
    """Report destinations, external ones checked for their authorisation record; unanswered questions."""
    out: list[ReportDestination] = []
    for tag in ("rua", "ruf"):
        for uri in _uris(record.tags.get(tag, "")):
            address = _mailbox(uri)
            if address is None:
                continue
            host = address.rsplit("@", 1)[1].lower().rstrip(".")
            if not any(d.domain == host for d in out):
                outside = organizational_domain(host) != org
                out.append(ReportDestination(uri=excerpt(uri, 200), domain=host, external=outside))
    external = [d for d in out if d.external]
    answers = await asyncio.gather(
        *(client.query(f"{record.domain}._report._dmarc.{d.domain}", "TXT") for d in external)
    )
    for dest, answer in zip(external, answers, strict=True):
        if answer.outcome.conclusive:
            dest.authorized = any(r.replace(" ", "").startswith("v=DMARC1") for r in answer.records)
    return out, [a for a in answers if not a.outcome.conclusive]


def _finding(
    code: str, severity: Severity, title: str, detail: str, record: _Record | None, **extra: object
) -> Finding:
    evidence: dict[str, object] = {}
    if record:
        evidence = {"record": excerpt(record.text), "found_at": f"_dmarc.{record.domain}"}
    return Finding(
        code=code,
        severity=severity,
        title=title,
        detail=detail,
        evidence={**evidence, **extra},
        skill=SKILL_CONFIGURATION,
        needs_admin=True,
    )


def _invalid(name: str, text: str, problems: list[str], *, severe: bool = True) -> Finding:
    finding = _finding(
        "dmarc.invalid",
        Severity.ERROR if severe else Severity.WARNING,
        "The DMARC record is not valid",
        "Receivers may ignore the record or parts of it: " + "; ".join(problems) + ".",
        None,
        published=excerpt(text),
        found_at=f"_dmarc.{name}",
    )
    finding.fix = [
        f"Publish exactly one TXT record at _dmarc.{name} of the form "
        "v=DMARC1; p=none; rua=mailto:<address>.",
    ]
    return finding


def _missing(domain: str, org: str, provider: Provider) -> Finding:
    starter = provider.dmarc.starter_record.format(domain=org)
    host = "_dmarc"  # at the audited domain itself (hosts are relative to it)
    who = (
        f"Neither {domain} nor its organisational domain {org} publishes a"
        if domain != org
        else f"{domain} publishes no"
    )
    finding = _finding(
        "dmarc.missing",
        Severity.WARNING,
        "No DMARC record",
        (
            f"{who} DMARC policy, so receivers get no instruction for mail that fails SPF and DKIM, "
            "and large mailbox providers treat the domain's mail with more suspicion."
        ),
        None,
        looked_up=sorted({f"_dmarc.{domain}", f"_dmarc.{org}"}),
    )
    finding.fix = [
        f"Add a TXT record: host {host}, value {starter}",
        f"Create the mailbox dmarc-reports@{org} (or change the rua address to a mailbox that exists) "
        "to receive reports.",
        f"After {provider.dmarc.days_at_none} days of reports without legitimate mail failing, "
        "change p=none to p=quarantine; later to p=reject.",
    ]
    finding.dns_change = DnsChange(action="add", type="TXT", host=host, value=starter)
    return finding


def _policy_none(record: _Record, org: str, *, inherited: bool) -> Finding:
    provider = load_provider()
    reports = bool(record.tags.get("rua"))
    stepped = "; ".join(f"{k}={'quarantine' if k == 'p' else v}" for k, v in record.tags.items())
    finding = _finding(
        "dmarc.policy-none",
        Severity.INFO if reports else Severity.WARNING,
        "DMARC policy is p=none: failing mail is still delivered",
        (
            "The record only asks for reports; forged mail is not blocked. That is the right first stage; "
            "move on once the reports show legitimate mail passing."
            if reports
            else "The record neither blocks forged mail nor asks for reports (no rua=), so it has no effect."
        ),
        record,
    )
    finding.fix = [
        *(() if reports else (f"Add rua=mailto:dmarc-reports@{org} to receive aggregate reports.",)),
        # the record's other tags are outside text: they stay in dns_change, never in our words
        f"After about {provider.dmarc.days_at_none} days of clean reports, change p=none to p=quarantine "
        "(dns_change holds the record with its other tags kept).",
    ]
    # Hosts are relative to the audited domain; an inherited record sits above it: give its full name.
    host = f"_dmarc.{record.domain}." if inherited else "_dmarc"
    finding.dns_change = DnsChange(
        action="replace", type="TXT", host=host, value=stepped, old_value=record.text
    )
    return finding


def _no_policy_tag(record: _Record) -> Finding:
    finding = _finding(
        "dmarc.invalid",
        Severity.WARNING,
        "The DMARC record has no p= tag",
        "RFC 9989 reads a record without p= as p=none, but receivers following RFC 7489 discard it.",
        record,
    )
    finding.fix = ["Add p=none (or the policy you intend) right after v=DMARC1."]
    return finding


def _removed(record: _Record, tags: list[str]) -> Finding:
    harmful = [t for t in tags if record.tags[t].strip().lower() != _REMOVED_DEFAULTS[t]]
    finding = _finding(
        "dmarc.removed-tag",
        Severity.WARNING if harmful else Severity.INFO,
        "The DMARC record uses tags that RFC 9989 removed: " + ", ".join(tags),
        "Newer receivers ignore them; older ones still apply them"
        + (
            ", and a pct= below 100 applies the policy to part of the failing mail only."
            if "pct" in harmful
            else "."
        ),
        record,
        removed=tags,
    )
    finding.fix = [f"Remove {', '.join(t + '=' for t in tags)} from the record."]
    return finding


def _unknown(record: _Record, tags: list[str]) -> Finding:
    finding = _finding(
        "dmarc.unknown-tag",
        Severity.INFO,
        "The DMARC record has tags receivers do not know",
        "Unknown tags are ignored (RFC 9989 4.7); a misspelt tag therefore has no effect.",
        record,
        unknown=tags[:10],
    )
    finding.fix = ["Check the spelling of these tags or remove them."]
    return finding


def _testing(record: _Record) -> Finding:
    finding = _finding(
        "dmarc.testing",
        Severity.INFO,
        "The DMARC record is in test mode (t=y)",
        "With t=y receivers apply one step less strict a policy than the one published (RFC 9989).",
        record,
    )
    finding.fix = ["Remove t=y once the reports show legitimate mail passing."]
    return finding


def _unauthorized(record: _Record, dest: ReportDestination) -> Finding:
    auth = f"{record.domain}._report._dmarc.{dest.domain}"
    finding = _finding(
        "dmarc.rua-unauthorized",
        Severity.WARNING,
        f"Reports go to {dest.domain}, which has not agreed to receive them",
        (
            "DMARC reports to an address in another organisation are only sent when that domain publishes "
            f"a TXT record v=DMARC1 at {auth} (RFC 7489 7.1); without it receivers drop these reports."
        ),
        record,
        destination=dest.uri,
        authorization_name=auth,
    )
    finding.fix = [
        f"Ask the owner of {dest.domain} to add a TXT record at {auth} with the value v=DMARC1, "
        "or send reports to a mailbox in your own domain.",
    ]
    return finding
