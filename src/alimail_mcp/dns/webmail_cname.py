"""Webmail CNAME check: `mail.<domain>` points to an accepted Alibaba Mail target; the optional
client aliases (smtp, imap, pop3) are reported for information."""

from __future__ import annotations

import asyncio

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_SERVICE, fault, make, subject
from alimail_mcp.dns.models import CnameRecord, WebmailCheck, status_of
from alimail_mcp.dns.names import fqdn, zone_appended
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding

MAX_ADDRESSES = 10
"""A records listed (and deleted by the plan) where a CNAME belongs."""


async def check_webmail_cname(
    client: DnsClient, domain: str, *, provider: Provider | None = None
) -> WebmailCheck:
    provider = provider or load_provider()
    spec = provider.webmail_cname
    optional = provider.optional_cnames
    name = fqdn(spec.host, domain)
    cname, address, *extras = await asyncio.gather(
        client.query(name, "CNAME"),
        client.query(name, "A"),
        *(client.query(fqdn(c.host, domain), "CNAME") for c in optional),
    )
    findings: list[Finding] = []
    # An international site's webmail host is as valid a target as the China one (the check_webmail
    # tool agrees).
    sites = {site.webmail: site.label for site in provider.sites if site.webmail != spec.recommended_target}
    accepted = tuple(dict.fromkeys((*spec.accepted_targets, *sites)))
    webmail = _read(spec.host, name, spec.recommended_target, accepted, cname, address, domain)
    if webmail.state == "unknown":
        findings.append(
            fault(cname if not cname.outcome.conclusive else address, subject("webmail-record", name=name))
        )
    elif webmail.state in _PROBLEMS:
        findings.append(_problem(webmail, domain, address_count=len(address.records)))
    elif webmail.state == "accepted" and webmail.target in sites:
        findings.append(_site(webmail, sites[webmail.target]))
    elif webmail.state == "accepted":
        findings.append(_accepted(webmail))
    others: list[CnameRecord] = []
    for spec_opt, answer in zip(optional, extras, strict=True):
        accepted = _accepted_targets(provider, spec_opt.host, spec_opt.target)
        record = _read(spec_opt.host, answer.name, spec_opt.target, accepted, answer, None, domain)
        others.append(record)
        if record.state in ("wrong-target", "zone-appended"):
            findings.append(_optional_elsewhere(record))
    return WebmailCheck(
        status=status_of(findings, unreachable=webmail.state == "unknown"),
        records=[f"{r.name} CNAME {r.target}" for r in (webmail, *others) if r.target],
        findings=findings,
        webmail=webmail,
        optional=others,
    )


def _accepted_targets(provider: Provider, host: str, target: str) -> tuple[str, ...]:
    server = next((s for s in provider.servers if s.protocol == host), None)
    return (target, *(server.legacy_hosts if server else ()))


def _read(
    host: str,
    name: str,
    expected: str,
    accepted: tuple[str, ...],
    cname: Answer,
    address: Answer | None,
    domain: str,
) -> CnameRecord:
    record = CnameRecord(host=host, name=name, expected=expected, state="unknown")
    if not cname.outcome.conclusive:
        return record
    if cname.outcome is Outcome.OK and cname.records:
        record.target = cname.records[0].lower().rstrip(".")
        if record.target == expected:
            record.state = "ok"
        elif record.target in accepted:
            record.state = "accepted"
        elif zone_appended(record.target, domain, frozenset(accepted)):
            record.state = "zone-appended"
        else:
            record.state = "wrong-target"
        return record
    if address is not None and cname.outcome is Outcome.NODATA:
        if not address.outcome.conclusive:
            return record
        if address.outcome is Outcome.OK and not address.cname_chain:
            record.addresses = list(address.records[:MAX_ADDRESSES])
            record.state = "address-record"
            return record
    record.state = "missing"
    return record


def _cname(record: CnameRecord, action: str, old: str | None = None) -> DnsChange:
    return DnsChange.model_validate(
        {"action": action, "type": "CNAME", "host": record.host, "value": record.expected, "old_value": old}
    )


_PROBLEMS = {
    "missing": "webmail_cname.missing",
    "address-record": "webmail_cname.address-record",
    "zone-appended": "webmail_cname.zone-appended",
    "wrong-target": "webmail_cname.wrong-target",
}


def _problem(record: CnameRecord, domain: str, *, address_count: int) -> Finding:
    target = record.target or ""
    if record.state in ("missing", "address-record"):
        change = _cname(record, "add")
    else:
        change = _cname(record, "replace", target)
    evidence: dict[str, object] = {
        "name": record.name,
        "target": record.target,
        "addresses": record.addresses,
        "expected": record.expected,
    }
    if record.state == "address-record":
        evidence["address_count"] = address_count
    if record.state == "zone-appended":
        evidence["intended"] = zone_appended(target, domain, frozenset({record.expected})) or target
    # The target is outside text: our words name only the webmail name, its host record and the
    # expected target; what was found is in the evidence.
    return make(
        _PROBLEMS[record.state],
        {"name": record.name, "host": record.host, "expected": record.expected},
        evidence=evidence,
        dns_change=change,
        skill=SKILL_SERVICE,
        needs_admin=True,
    )


def _accepted(record: CnameRecord) -> Finding:
    return make(
        "webmail_cname.legacy-target",
        {"host": record.host, "expected": record.expected},
        evidence={"name": record.name, "target": record.target},
        skill=SKILL_SERVICE,
    )


def _site(record: CnameRecord, site: str) -> Finding:
    return make(
        "webmail_cname.site",
        {"site": site, "host": record.host, "expected": record.expected},
        evidence={"name": record.name, "target": record.target},
        skill=SKILL_SERVICE,
    )


def _optional_elsewhere(record: CnameRecord) -> Finding:
    return make(
        "webmail_cname.client-alias",
        {"name": record.name, "host": record.host, "expected": record.expected},
        evidence={"name": record.name, "target": record.target},
        skill=SKILL_SERVICE,
    )
