"""check_client_settings: compare a mail client's settings with Alibaba Mail's, give the correct table
for that client and site and the reminders that matter; with `probe`, also ask the servers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alimail_mcp.clients.compare import SiteChoice, choose_site, compare, endpoint_values
from alimail_mcp.clients.configuration import ClientConfig, read_configuration
from alimail_mcp.clients.findings import SKILL, make
from alimail_mcp.clients.knowledge import ClientsKnowledge, load_clients
from alimail_mcp.clients.models import ClientSettingsResult, ProbeResult
from alimail_mcp.clients.table import settings_table
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding, ResolverReport, Severity

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dns.client import DnsClient

_PROBE_CODES = {
    "not-allowed": "client.probe-not-allowed",
    "port-not-probed": "client.probe-port-not-probed",
    "unresolved": "client.probe-unresolved",
    "not-checked": "client.probe-not-checked",
    "unreachable": "client.probe-unreachable",
    "timeout": "client.probe-timeout",
    "tls-failed": "client.probe-tls-failed",
    "unexpected-greeting": "client.probe-unexpected-greeting",
    "refused": "client.target-refused",
}


async def check_client_settings(
    email: str | None = None,
    protocol: str | None = None,
    incoming_server: str | None = None,
    incoming_port: int | str | None = None,
    incoming_security: str | None = None,
    outgoing_server: str | None = None,
    outgoing_port: int | str | None = None,
    outgoing_security: str | None = None,
    username: str | None = None,
    client: str | None = None,
    site: str | None = None,
    probe: bool = False,
    *,
    dns: DnsClient | None = None,
    settings: Settings | None = None,
) -> ClientSettingsResult:
    """Offline unless `probe`; then `dns` (default: the resolver from `settings`) finds the addresses,
    and the outbound policy of `settings` (default: the environment's) says which may be dialled."""
    kb, provider = load_clients(), load_provider()
    config = read_configuration(
        kb,
        provider,
        email=email,
        protocol=protocol,
        incoming_server=incoming_server,
        incoming_port=incoming_port,
        incoming_security=incoming_security,
        outgoing_server=outgoing_server,
        outgoing_port=outgoing_port,
        outgoing_security=outgoing_security,
        username=username,
        client=client,
        site=site,
    )
    chosen = choose_site(config, provider)
    findings = compare(config, provider, kb, chosen)
    if not any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings):
        findings.append(make(kb, "client.settings-ok", {}))
    probes: list[ProbeResult] = []
    resolver = blamed = None
    if probe:
        probes, resolver = await _probe(config, provider, dns, settings)
        findings += [_probe_finding(p, config, provider, kb, chosen.id) for p in probes]
        blamed = _resolver_finding(resolver)
    summary = _summary(config, provider, kb, chosen, findings)
    if blamed is not None:  # said first, and not counted as a setting to fix
        summary = f"{blamed.title}: the servers could not be probed. {summary}"
        findings.insert(0, blamed)
    reminders, reminder_findings = _reminders(config, kb)
    return ClientSettingsResult(
        intent="resolve-failure",
        path="client-config",
        skill=SKILL,
        summary=summary,
        findings=findings + reminder_findings,
        next_steps=_next_steps(findings),
        email=config.email,
        client=config.client.id,
        client_label=config.client.label,
        protocol=config.protocol,
        site=chosen.id,
        site_webmail=next(s.webmail for s in provider.sites if s.id == chosen.id),
        where=config.client.where,
        settings=settings_table(config, provider, kb, chosen.id),
        reminders=reminders + list(config.client.notes),
        assumed=config.assumed + _site_assumption(chosen, provider),
        probes=probes,
        resolver=resolver,
    )


async def _probe(
    config: ClientConfig, provider: Provider, dns: DnsClient | None, settings: Settings | None
) -> tuple[list[ProbeResult], ResolverReport | None]:
    from alimail_mcp.clients.probe import probe_all
    from alimail_mcp.dns.health import resolver_report
    from alimail_mcp.outbound import OutboundPolicy

    if dns is None:
        from alimail_mcp.dns.resolver import ResolverClient

        dns = ResolverClient.from_settings(settings)
    probes = await probe_all(config, provider, dns, OutboundPolicy.from_settings(settings))
    return probes, await resolver_report(dns)


def _resolver_finding(report: ResolverReport | None) -> Finding | None:
    from alimail_mcp.dns.health import resolver_finding

    return resolver_finding(report)


def _probe_finding(
    result: ProbeResult, config: ClientConfig, provider: Provider, kb: ClientsKnowledge, site_id: str
) -> Finding:
    from alimail_mcp.clients.probe import current_policy

    endpoint = config.incoming if result.role == "incoming" else config.outgoing
    values = {
        **endpoint_values(config, endpoint, provider, kb, site_id),
        "timeout": current_policy().timeout,
        "kind": result.address_kind,
    }
    code = _PROBE_CODES.get(result.status)
    if code is None:
        if result.certificate_matches is False:
            code = "client.probe-cert-name-mismatch"
        elif result.certificate_trusted is False:
            code = "client.probe-cert-untrusted"
        elif result.mode == "plain":
            code = "client.probe-no-starttls"
        else:
            code = "client.probe-ok"
    evidence: dict[str, Any] = {
        k: v
        for k, v in result.model_dump(
            include={
                "host",
                "port",
                "address",
                "address_kind",
                "mode",
                "greeting",
                "certificate_names",
                "error",
                "tls_version",
            }
        ).items()
        if v not in (None, [])
    }
    return make(kb, code, values, evidence)


def _reminders(config: ClientConfig, kb: ClientsKnowledge) -> tuple[list[str], list[Finding]]:
    values = {
        "protocol_name": kb.protocol_names[config.protocol],
        "client": config.client.label,
        "leave_copy": config.client.leave_copy,
    }
    texts, findings = [], []
    for reminder in kb.reminders:
        if config.protocol in reminder.protocols:
            text = reminder.text.format(**values)
            texts.append(text)
            findings.append(make(kb, reminder.code, values).model_copy(update={"detail": text}))
    return texts, findings


def _summary(
    config: ClientConfig, provider: Provider, kb: ClientsKnowledge, site: SiteChoice, findings: list[Finding]
) -> str:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    values = {
        "client": config.client.label,
        "site": next(s.label for s in provider.sites if s.id == site.id),
        "protocol_name": kb.protocol_names[config.protocol],
    }
    if errors:
        return kb.summary.problems.format(**values, count=len(errors), first=errors[0].title)
    if warnings:
        return kb.summary.warnings.format(**values, count=len(warnings), first=warnings[0].title)
    return kb.summary.ok.format(**values)


def _next_steps(findings: list[Finding]) -> list[str]:
    steps: list[str] = []
    for finding in sorted(findings, key=lambda f: list(Severity).index(f.severity)):
        for step in finding.fix:
            if step not in steps and finding.severity in (Severity.ERROR, Severity.WARNING):
                steps.append(step)
    return steps


def _site_assumption(site: SiteChoice, provider: Provider) -> list[str]:
    label = next(s.label for s in provider.sites if s.id == site.id)
    if site.source == "assumed":
        return [f"site not given and not recognisable from the servers: {label} assumed"]
    if site.source == "inferred":
        return [f"site not given: {label}, from the servers configured"]
    return []
