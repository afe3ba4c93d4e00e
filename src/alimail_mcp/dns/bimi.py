"""BIMI check: the `default._bimi` record (the domain's, else its organisational domain's), its logo
and certificate URLs (https only), and the DMARC enforcement mailbox providers require before they show
the logo (p=quarantine or reject, applied to all mail: pct=100)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from urllib.parse import urlsplit

from alimail_mcp.dns.client import DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_CONFIGURATION, excerpt, fault, make, problem, subject
from alimail_mcp.dns.models import BimiCheck, DmarcCheck, status_of
from alimail_mcp.dns.names import organizational_domain
from alimail_mcp.dns.standards import load_standards
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.models import Finding

VERSION = "v=BIMI1"


async def check_bimi(client: DnsClient, domain: str, *, dmarc: Awaitable[DmarcCheck]) -> BimiCheck:
    """`dmarc`: the audit's DMARC check, running beside this one (awaited only when a record is found; a
    DMARC check that could not complete leaves the requirement unjudged)."""
    selector = load_standards().bimi.selector
    org = organizational_domain(domain)
    names = list(dict.fromkeys((domain, org)))
    answers = await asyncio.gather(*(client.query(f"{selector}._bimi.{n}", "TXT") for n in names))
    for name, answer in zip(names, answers, strict=True):
        if not answer.outcome.conclusive:
            return BimiCheck(
                status="unreachable", findings=[fault(answer, subject("bimi-record", name=name))]
            )
        texts = (
            [t for t in answer.records if t.strip().lower().startswith("v=bimi")]
            if answer.outcome is Outcome.OK
            else []
        )
        if texts:
            return _judge(name, texts, await dmarc)
    return BimiCheck(
        status="ok", findings=[make("bimi.not-published", {"domain": domain}, skill=SKILL_CONFIGURATION)]
    )


def _judge(name: str, texts: list[str], dmarc: DmarcCheck) -> BimiCheck:
    records = [excerpt(t) for t in texts[:5]]
    result = BimiCheck(status="ok", records=records, record=records[0], record_domain=name)
    problems = [problem("bimi.several")] if len(texts) > 1 else []
    tags = parse_tags(texts[0])
    problems += tags.problems
    if tags.order[:1] != ["v"] or tags.tags.get("v") != "BIMI1" or not texts[0].startswith(VERSION):
        problems.append(problem("bimi.version"))
    logo, certificate = tags.tags.get("l"), tags.tags.get("a")
    if logo is None:
        problems.append(problem("bimi.no-logo"))
    for tag, url in (("l", logo), ("a", certificate)):
        if url and not _https(url):
            problems.append(problem("bimi.url", tag=tag))
    result.logo, result.certificate = excerpt(logo or "") or None, excerpt(certificate or "") or None
    evidence = {"record_domain": name, "records": records}
    findings: list[Finding] = []
    if problems:
        values = {"problems": "; ".join(dict.fromkeys(problems))}
        findings.append(make("bimi.invalid", values, evidence=evidence, skill=SKILL_CONFIGURATION))
    elif not logo:
        result.declined = True
        findings.append(make("bimi.declined", {}, evidence=evidence, skill=SKILL_CONFIGURATION))
    else:
        findings += _dmarc_requirement(dmarc)
        if not certificate:
            findings.append(make("bimi.no-certificate", {}, evidence=evidence, skill=SKILL_CONFIGURATION))
    result.findings = findings
    result.status = status_of(findings)
    return result


def _https(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def _dmarc_requirement(dmarc: DmarcCheck) -> list[Finding]:
    """What keeps the logo from showing on DMARC's side; nothing when DMARC could not be read."""
    if dmarc.status == "unreachable":
        return []
    required = load_standards().bimi.dmarc_policies
    allowed = " or ".join(f"p={p}" for p in required)
    evidence = {"policy": dmarc.policy, "pct": dmarc.tags.get("pct"), "record_domain": dmarc.record_domain}
    if dmarc.policy is None:
        return [
            make(
                "bimi.dmarc-not-enforced.missing",
                {"allowed": allowed},
                evidence=evidence,
                skill=SKILL_CONFIGURATION,
            )
        ]
    if dmarc.policy not in required:
        values = {"allowed": allowed, "policy": dmarc.policy}
        return [make("bimi.dmarc-not-enforced", values, evidence=evidence, skill=SKILL_CONFIGURATION)]
    pct = dmarc.tags.get("pct", "100").strip()
    if pct != "100" or dmarc.tags.get("t", "").strip().lower() == "y":
        return [
            make(
                "bimi.dmarc-not-enforced.pct",
                {"allowed": allowed},
                evidence=evidence,
                skill=SKILL_CONFIGURATION,
            )
        ]
    at_org = dmarc.record_domain == dmarc.organizational_domain
    if at_org and dmarc.tags.get("sp", "").strip().lower() == "none":
        return [make("bimi.subdomain-policy-none", {}, evidence=evidence, skill=SKILL_CONFIGURATION)]
    return []
