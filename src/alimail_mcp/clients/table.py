"""The correct settings for one client and site, in the client's own words, beside what was given."""

from __future__ import annotations

from alimail_mcp.clients.configuration import ClientConfig, Endpoint
from alimail_mcp.clients.hosts import expected_host
from alimail_mcp.clients.knowledge import ClientsKnowledge
from alimail_mcp.clients.models import SettingsRow
from alimail_mcp.knowledge.provider import Provider


def settings_table(
    config: ClientConfig, provider: Provider, kb: ClientsKnowledge, site_id: str
) -> list[SettingsRow]:
    labels = config.client.labels
    ssl = config.client.security_names.ssl
    protocol = kb.protocol_names[config.protocol]
    rows = [_row("protocol", labels.protocol, protocol, protocol if config.protocol_given else None)]
    for endpoint in config.endpoints:
        server = provider.server(endpoint.protocol)
        host = expected_host(provider, endpoint.protocol, site_id)
        rows += [
            _row(f"{endpoint.role}_server", getattr(labels, f"{endpoint.role}_server"), host, endpoint.host),
            _row(
                f"{endpoint.role}_port",
                getattr(labels, f"{endpoint.role}_port"),
                str(server.ssl_port),
                None if endpoint.port is None else str(endpoint.port),
            ),
            _row(
                f"{endpoint.role}_security",
                getattr(labels, f"{endpoint.role}_security"),
                ssl,
                _security_name(config, endpoint),
                matches_key=(endpoint.security, "ssl"),
            ),
        ]
    rows.append(_username_row(config, labels.username))
    rows.append(
        SettingsRow(
            setting="outgoing_auth",
            label=labels.outgoing_auth,
            value="on, with the same username and password",
        )
    )
    return rows


def _row(
    setting: str,
    label: str,
    value: str,
    configured: str | None,
    *,
    matches_key: tuple[str | None, str] | None = None,
    case_insensitive: bool = False,
) -> SettingsRow:
    if configured is None:
        return SettingsRow(setting=setting, label=label, value=value)
    if matches_key is not None:
        matches = matches_key[0] == matches_key[1]
    elif case_insensitive:
        matches = configured.lower() == value.lower()
    else:
        matches = configured == value
    return SettingsRow(setting=setting, label=label, value=value, configured=configured, matches=matches)


def _username_row(config: ClientConfig, label: str) -> SettingsRow:
    if config.email:
        return _row("username", label, config.email, config.username, case_insensitive=True)
    row = SettingsRow(setting="username", label=label, value="your full email address (name@domain)")
    if config.username is not None:
        row.configured, row.matches = config.username, (None if "@" in config.username else False)
    return row


def _security_name(config: ClientConfig, endpoint: Endpoint) -> str | None:
    if endpoint.security is None:
        return None
    return str(getattr(config.client.security_names, endpoint.security))
