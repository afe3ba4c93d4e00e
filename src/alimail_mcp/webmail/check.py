"""check_webmail: the webmail path of resolve-failure ("mail.<domain> does not open", "503",
"certificate warning"). Reads the record with the project's DnsClient, fetches both schemes at the
address found, and says which official address to use when the custom name cannot serve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from alimail_mcp.dns.health import resolver_finding, resolver_report
from alimail_mcp.inputs import normalize_domain
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding, Severity
from alimail_mcp.outbound import OutboundPolicy, Target, same_origin
from alimail_mcp.webmail.knowledge import SKILL, WebmailKnowledge, load_webmail
from alimail_mcp.webmail.models import FetchOutcome, FetchResult, WebmailResult

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dns.client import DnsClient
    from alimail_mcp.webmail.record import WebmailRecord

_RECORD_CODES = {
    "ok": "webmail.cname-ok",
    "accepted": "webmail.cname-legacy",
    "missing": "webmail.cname-missing",
    "address-record": "webmail.address-record",
    "wrong-target": "webmail.cname-wrong-target",
    "zone-appended": "webmail.cname-wrong-target",
}


async def check_webmail(
    domain: str, *, dns: DnsClient | None = None, settings: Settings | None = None
) -> WebmailResult:
    """Network I/O through `dns` (default: the resolver from `settings`) and httpx, at an address the
    outbound policy of `settings` allows (default: the environment's). InputError for a bad domain."""
    from alimail_mcp.webmail.fetch import fetch_both
    from alimail_mcp.webmail.record import addresses, read_record

    domain = normalize_domain(domain)
    provider, kb = load_provider(), load_webmail()
    if dns is None:
        from alimail_mcp.dns.resolver import ResolverClient

        dns = ResolverClient.from_settings(settings)
    record = await read_record(dns, domain, provider)
    name = f"{provider.webmail_cname.host}.{domain}"
    values = _values(provider, name, record.site)
    resolver = await resolver_report(dns)
    blamed = resolver_finding(resolver)
    # A resolver that does not answer says nothing about the record: the one finding blames it.
    findings = [blamed] if blamed is not None else [_record_finding(record, kb, values)]
    found = addresses(record)
    target, refused = OutboundPolicy.from_settings(settings).choose(found)
    if refused:
        findings.append(_refused_finding(refused, kb, values))
    if target is not None:
        fetches = await fetch_both(name, target)
    else:
        outcome: FetchOutcome = "refused" if refused else "skipped"
        address = refused[0].address if refused else None
        fetches = [
            FetchResult(scheme=s, url=f"{s}://{name}/", address=address, outcome=outcome)
            for s in ("http", "https")
        ]
    for fetch in fetches:
        finding = _fetch_finding(fetch, provider, kb, values)
        # the same finding from both schemes (a title without the scheme): say it once
        if finding and not any((f.code, f.title) == (finding.code, finding.title) for f in findings):
            findings.append(finding)
    admin = _admin_steps(provider) if any(f.code == "webmail.http-5xx" for f in findings) else []
    return WebmailResult(
        intent="resolve-failure",
        path="webmail-service",
        skill=SKILL,
        summary=f"{blamed.title}. {blamed.detail}" if blamed else _summary(kb, findings, values),
        findings=findings,
        next_steps=_next_steps(findings, admin),
        domain=domain,
        name=name,
        cname_chain=list(record.address.cname_chain),
        addresses=found,
        official_address=values["official"],
        fetches=fetches,
        admin_steps=admin,
        resolver=resolver,
    )


def _values(provider: Provider, name: str, site_id: str | None) -> dict[str, Any]:
    site = next((s for s in provider.sites if s.id == site_id), provider.sites[0])
    return {
        "name": name,
        "target": provider.webmail_cname.recommended_target,
        "official": f"https://{site.webmail}",
        "site": site.label,
        "sites": ", ".join(f"{s.label}: https://{s.webmail}" for s in provider.sites),
    }


def _record_finding(record: WebmailRecord, kb: WebmailKnowledge, values: dict[str, Any]) -> Finding:
    state = record.record.state if record.record else "unknown"
    evidence: dict[str, Any] = {"name": values["name"], "cname_chain": list(record.address.cname_chain)}
    if record.record and record.record.target:
        evidence["target"] = record.record.target
    if state in ("accepted", "wrong-target") and record.site:
        return kb.finding("webmail.cname-site", values, evidence)
    code = _RECORD_CODES.get(state, "webmail.dns-unreachable")
    finding = kb.finding(code, values, evidence)
    if code in ("webmail.cname-missing", "webmail.address-record", "webmail.cname-wrong-target"):
        change = _dns_change(record, values["target"])
        finding = finding.model_copy(
            update={"dns_change": change, "fix": _record_fix(change), "needs_admin": True}
        )
    return finding


def _refused_finding(refused: list[Target], kb: WebmailKnowledge, values: dict[str, Any]) -> Finding:
    """The addresses of the name that are not on the public internet: never contacted."""
    kinds = ", ".join(dict.fromkeys(t.refused or "" for t in refused))
    evidence = {"name": values["name"], "refused": [t.evidence() for t in refused]}
    return kb.finding("webmail.target-refused", {**values, "kind": kinds}, evidence)


def _dns_change(record: WebmailRecord, target: str) -> Any:
    from alimail_mcp.models import DnsChange

    assert record.record is not None
    old = record.record.target if record.record.state in ("wrong-target", "zone-appended") else None
    action = "replace" if old else "add"
    return DnsChange(action=action, type="CNAME", host=record.record.host, value=target, old_value=old)


def _record_fix(change: Any) -> list[str]:
    if change.action == "replace":
        return [f"Change the CNAME record of host {change.host} to {change.value}."]
    return [
        f"Add a CNAME record: host {change.host}, value {change.value} "
        f"(delete any A record of {change.host})."
    ]


def _fetch_finding(
    fetch: FetchResult, provider: Provider, kb: WebmailKnowledge, values: dict[str, Any]
) -> Finding | None:
    values = {**values, "scheme": fetch.scheme, "status": fetch.status_code}
    evidence = fetch.model_dump(
        include={
            "url",
            "address",
            "status_code",
            "location",
            "redirects",
            "server",
            "tls_error",
            "certificate_names",
            "error",
        },
        exclude_none=True,
    )
    if fetch.outcome == "ok":
        return kb.finding("webmail.http-ok", values, evidence)
    if fetch.outcome == "redirect":
        return _redirect_finding(fetch, provider, kb, values, evidence)
    if fetch.outcome == "http-error":
        code = "webmail.http-5xx" if (fetch.status_code or 0) >= 500 else "webmail.http-4xx"
        finding = kb.finding(code, values, evidence)
        return finding.model_copy(update={"needs_admin": code == "webmail.http-5xx"})
    if fetch.outcome == "tls-error":
        return kb.finding(_tls_code(fetch.tls_error or ""), values, evidence)
    if fetch.outcome == "unreachable":
        return kb.finding("webmail.unreachable", values, evidence)
    return None


def _redirect_finding(
    fetch: FetchResult,
    provider: Provider,
    kb: WebmailKnowledge,
    values: dict[str, Any],
    evidence: dict[str, Any],
) -> Finding:
    """A redirect the fetch did not follow: to https:// on the name (fetched on its own), elsewhere on the
    name (another port, never followed: outbound.same_origin; or one hop too many), to a site's webmail,
    or away."""
    location = fetch.location or ""
    if _host_of(location) == values["name"]:
        if fetch.scheme == "http" and same_origin(f"https://{values['name']}/", location):
            return kb.finding("webmail.redirect-https", values, evidence)
        return kb.finding("webmail.redirect-not-followed", values, evidence)
    site = _site_of(provider, location)
    if site is None:
        return kb.finding("webmail.redirect-foreign", values, evidence)
    return kb.finding("webmail.redirect-site", {**values, "site": site}, evidence)


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _tls_code(message: str) -> str:
    if not message.startswith("certificate:"):
        return "webmail.tls-failed"
    return "webmail.tls-name-mismatch" if "mismatch" in message.lower() else "webmail.tls-untrusted"


def _site_of(provider: Provider, url: str) -> str | None:
    """The label of the site whose webmail `url` is on, or None for any other host."""
    from alimail_mcp.clients.hosts import site_domain

    host = _host_of(url)
    home = provider.sites[0]
    if host in provider.webmail_cname.accepted_targets:
        return home.label
    for site in provider.sites:
        if host == site.webmail or host.endswith("." + site_domain(site)):
            return site.label
    return None


def _admin_steps(provider: Provider) -> list[str]:
    from alimail_mcp.recovery.knowledge import load_recovery

    state = next(s.definition for s in load_recovery().states if s.definition.id == "503")
    return [step.format(console_url=provider.console.admin_url) for step in state.admin_steps]


def _summary(kb: WebmailKnowledge, findings: list[Finding], values: dict[str, Any]) -> str:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    if errors:
        return kb.summary.problems.format(**values, first=errors[0].title)
    if warnings:
        return kb.summary.warnings.format(**values, first=warnings[0].title)
    return kb.summary.ok.format(**values)


def _next_steps(findings: list[Finding], admin: list[str]) -> list[str]:
    steps: list[str] = []
    for finding in sorted(findings, key=lambda f: list(Severity).index(f.severity)):
        if finding.severity in (Severity.ERROR, Severity.WARNING):
            steps += [s for s in finding.fix if s not in steps]
    return steps + [s for s in admin if s not in steps]
