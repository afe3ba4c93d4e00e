"""Compare reported client settings with the provider profile: one finding per problem, by code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from alimail_mcp.clients.configuration import ClientConfig, Endpoint
from alimail_mcp.clients.findings import listing, make
from alimail_mcp.clients.hosts import HostVerdict, catalogue, classify, expected_host
from alimail_mcp.clients.knowledge import ClientsKnowledge
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding


@dataclass(frozen=True)
class SiteChoice:
    id: str
    source: Literal["given", "inferred", "assumed"]
    mixed: bool = False


def choose_site(config: ClientConfig, provider: Provider) -> SiteChoice:
    """The given site, else the one the configured Alibaba Mail hosts belong to, else China (assumed)."""
    if config.site:
        return SiteChoice(config.site, "given")
    seen: list[str] = []
    for endpoint in config.endpoints:
        verdict = classify(provider, endpoint.host, config.domain) if endpoint.host else None
        if verdict and verdict.known and verdict.known.site not in seen:
            seen.append(verdict.known.site)
    if len(seen) == 1:
        return SiteChoice(seen[0], "inferred")
    home = catalogue(provider)[provider.servers[0].host].site
    return SiteChoice(seen[0] if seen else home, "assumed", mixed=len(seen) > 1)


def compare(
    config: ClientConfig, provider: Provider, kb: ClientsKnowledge, site: SiteChoice
) -> list[Finding]:
    findings = _username(config, kb)
    if site.mixed:
        webmails = listing([s.webmail for s in provider.sites])
        findings.append(make(kb, "client.mixed-sites", {"site_webmails": webmails}, _hosts_evidence(config)))
    for endpoint in config.endpoints:
        values = endpoint_values(config, endpoint, provider, kb, site.id)
        if endpoint.host:
            findings += _host(config, endpoint, provider, kb, site, values)
        if endpoint.port is not None or endpoint.security is not None:
            findings += _port(endpoint, provider, kb, values)
    return findings


def endpoint_values(
    config: ClientConfig, endpoint: Endpoint, provider: Provider, kb: ClientsKnowledge, site_id: str
) -> dict[str, Any]:
    """Everything a finding text about `endpoint` may name (our words and validated numbers only)."""
    server = provider.server(endpoint.protocol)
    names = config.client.security_names
    return {
        "client": config.client.label,
        "role": endpoint.role,
        "protocol_name": kb.protocol_names[endpoint.protocol],
        "expected_host": expected_host(provider, endpoint.protocol, site_id),
        "expected_port": server.ssl_port,
        "expected_security": names.ssl,
        "port": endpoint.port if endpoint.port is not None else "",
        "ssl_port": server.ssl_port,
        "plain_port": server.plain_port,
        "ssl_ports": listing([str(s.ssl_port) for s in provider.servers]),
        "plain_ports": listing([str(s.plain_port) for s in provider.servers]),
        "site": _site_label(provider, site_id),
        "email": config.email or "your full email address (name@domain)",
    }


def _username(config: ClientConfig, kb: ClientsKnowledge) -> list[Finding]:
    if config.username is None:
        return []
    values = {"email": config.email or "your full email address (name@domain)"}
    evidence = {"username": config.username[:120]}
    if "@" not in config.username:
        return [make(kb, "client.username-not-full-address", values, evidence)]
    if config.email and config.username.lower() != config.email.lower():
        return [make(kb, "client.username-mismatch", values, {**evidence, "email": config.email})]
    return []


def _host(
    config: ClientConfig,
    endpoint: Endpoint,
    provider: Provider,
    kb: ClientsKnowledge,
    site: SiteChoice,
    values: dict[str, Any],
) -> list[Finding]:
    assert endpoint.host is not None
    verdict = classify(provider, endpoint.host, config.domain)
    evidence = {f"{endpoint.role}_server": endpoint.host, "expected": values["expected_host"]}
    if verdict.category == "custom":
        wanted = next(
            (c.host for c in provider.optional_cnames if c.host == endpoint.protocol), endpoint.protocol
        )
        code = "client.custom-domain-host" if _label_fits(verdict, wanted) else "client.wrong-host"
        return [make(kb, code, values, evidence)]
    if verdict.known is None:
        return [make(kb, "client.wrong-host", values, evidence)]
    known = verdict.known
    if known.protocol != endpoint.protocol:
        values = {**values, "host_protocol_name": kb.protocol_names[known.protocol]}
        return [make(kb, "client.host-protocol-mismatch", values, evidence)]
    if known.kind == "outdated":
        return [make(kb, "client.outdated-host", values, evidence)]
    found = []
    if site.source == "given" and known.site != site.id:
        values = {**values, "host_site": _site_label(provider, known.site)}
        found.append(make(kb, "client.wrong-site", values, {**evidence, "host_site": known.site}))
    elif known.kind == "legacy":
        found.append(make(kb, "client.legacy-host", values, evidence))
    return found


def _label_fits(verdict: HostVerdict, wanted: str) -> bool:
    label = verdict.label or ""
    return label == wanted or (wanted == "pop3" and label == "pop")


def _port(
    endpoint: Endpoint, provider: Provider, kb: ClientsKnowledge, values: dict[str, Any]
) -> list[Finding]:
    server = provider.server(endpoint.protocol)
    ssl_ports = {s.ssl_port for s in provider.servers}
    plain_ports = {s.plain_port for s in provider.servers}
    port, security = endpoint.port, endpoint.security
    evidence: dict[str, Any] = {f"{endpoint.role}_port": port, f"{endpoint.role}_security": security}
    found: list[Finding] = []
    wrong_port = port is not None and port not in (server.ssl_port, server.plain_port)
    if wrong_port:
        found.append(make(kb, "client.wrong-port", values, evidence))
    mismatch = port is not None and (
        (port in ssl_ports and security in ("starttls", "none"))
        or (port in plain_ports and security == "ssl")
    )
    if mismatch:
        found.append(make(kb, "client.port-security-mismatch", values, evidence))
    if endpoint.role == "outgoing" and port == server.plain_port:
        found.append(make(kb, "client.port-25-blocked", values, evidence))
    if security == "none" and not mismatch and not wrong_port:  # the port's fix sets SSL/TLS as well
        found.append(make(kb, "client.plaintext", values, evidence))
    elif security == "starttls" and port == server.plain_port:
        found.append(make(kb, "client.starttls-plain-port", values, evidence))
    return found


def _hosts_evidence(config: ClientConfig) -> dict[str, Any]:
    return {f"{e.role}_server": e.host for e in config.endpoints if e.host}


def _site_label(provider: Provider, site_id: str) -> str:
    return next(s.label for s in provider.sites if s.id == site_id)
