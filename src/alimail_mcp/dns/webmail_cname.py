"""Webmail CNAME check: `mail.<domain>` points to an accepted Alibaba Mail target; the optional
client aliases (smtp, imap, pop3) are reported for information."""

from __future__ import annotations

import asyncio

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_SERVICE, fault
from alimail_mcp.dns.models import CnameRecord, WebmailCheck, status_of
from alimail_mcp.dns.names import fqdn, zone_appended
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding, Severity


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
    # An international site's webmail host is as valid a target as the China one (so does check_webmail).
    sites = {site.webmail: site.label for site in provider.sites if site.webmail != spec.recommended_target}
    accepted = tuple(dict.fromkeys((*spec.accepted_targets, *sites)))
    webmail = _read(spec.host, name, spec.recommended_target, accepted, cname, address, domain)
    if webmail.state == "unknown":
        findings.append(fault(cname if not cname.outcome.conclusive else address, f"webmail record {name}"))
    elif webmail.state in ("missing", "wrong-target", "address-record", "zone-appended"):
        findings.append(_problem(webmail, domain))
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
            record.addresses = list(address.records)
            record.state = "address-record"
            return record
    record.state = "missing"
    return record


def _cname(record: CnameRecord, action: str, old: str | None = None) -> DnsChange:
    return DnsChange.model_validate(
        {"action": action, "type": "CNAME", "host": record.host, "value": record.expected, "old_value": old}
    )


def _problem(record: CnameRecord, domain: str) -> Finding:
    target = record.target or ""
    add = f"Add a CNAME record: host {record.host}, value {record.expected}."
    if record.state == "missing":
        code, title = "webmail_cname.missing", f"No webmail record at {record.name}"
        detail = f"Users cannot reach webmail at {record.name}; the CNAME to Alibaba Mail is not there."
        fix, change = [add], _cname(record, "add")
    elif record.state == "address-record":
        code, title = (
            "webmail_cname.wrong-target",
            f"{record.name} has an address (A) record instead of a CNAME",
        )
        detail = (
            "An A record pins webmail to a fixed address, but Alibaba Mail's addresses change: "
            "the name must be a CNAME to the Alibaba Mail target."
        )
        fix = [f"Delete the A record(s) of {record.host} ({', '.join(record.addresses)}).", add]
        change = _cname(record, "add")
    elif record.state == "zone-appended":
        meant = zone_appended(target, domain, frozenset({record.expected})) or target
        code, title = "webmail_cname.wrong-target", f"Webmail CNAME has the domain appended: {target}"
        detail = (
            f"The DNS panel added the domain to the value, so {record.name} points to {target} instead of "
            f"{meant}. Enter the value as a full name (some panels need a trailing dot)."
        )
        fix, change = (
            [f"Change the CNAME value of {record.host} to {record.expected}."],
            _cname(record, "replace", target),
        )
    else:
        code, title = "webmail_cname.wrong-target", f"{record.name} points somewhere other than Alibaba Mail"
        detail = (
            "The webmail name is an alias of another host; users do not reach Alibaba Mail's webmail there."
        )
        fix, change = (
            [f"Change the CNAME value of {record.host} to {record.expected}."],
            _cname(record, "replace", target),
        )
    return Finding(
        code=code,
        severity=Severity.WARNING,
        title=title,
        detail=detail,
        evidence={
            "name": record.name,
            "target": record.target,
            "addresses": record.addresses,
            "expected": record.expected,
        },
        fix=fix,
        dns_change=change,
        skill=SKILL_SERVICE,
        needs_admin=True,
    )


def _accepted(record: CnameRecord) -> Finding:
    return Finding(
        code="webmail_cname.legacy-target",
        severity=Severity.INFO,
        title="Webmail CNAME uses an older accepted target",
        detail=f"It still works; the current recommended target is {record.expected}.",
        evidence={"name": record.name, "target": record.target},
        fix=[f"Optionally change the CNAME value of {record.host} to {record.expected}."],
        skill=SKILL_SERVICE,
    )


def _site(record: CnameRecord, site: str) -> Finding:
    return Finding(
        code="webmail_cname.site",
        severity=Severity.INFO,
        title=f"Webmail CNAME points to the {site} site's webmail",
        detail=(
            f"Right when the domain's mailboxes are hosted on the {site} site; users of another site "
            f"cannot sign in there. The China site's target is {record.expected}."
        ),
        evidence={"name": record.name, "target": record.target},
        fix=[f"Keep it if the domain is on the {site} site; else point {record.host} at {record.expected}."],
        skill=SKILL_SERVICE,
    )


def _optional_elsewhere(record: CnameRecord) -> Finding:
    return Finding(
        code="webmail_cname.client-alias",
        severity=Severity.INFO,
        title=f"{record.name} points somewhere other than Alibaba Mail's {record.host} server",
        detail=f"Mail clients set up with {record.name} do not reach Alibaba Mail ({record.expected}).",
        evidence={"name": record.name, "target": record.target},
        fix=[f"Change the CNAME value of {record.host} to {record.expected}, or set clients to that server."],
        skill=SKILL_SERVICE,
    )
