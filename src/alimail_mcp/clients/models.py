"""Result models of check_client_settings. Cheap to import: pydantic and the shared models only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import ResolverReport, ToolResult

Protocol = Literal["imap", "pop3"]
Security = Literal["ssl", "starttls", "none"]
Role = Literal["incoming", "outgoing"]
ProbeStatus = Literal[
    "ok",
    "not-allowed",
    "port-not-probed",
    "unresolved",
    "not-checked",
    "unreachable",
    "timeout",
    "tls-failed",
    "unexpected-greeting",
    "refused",
]
"""`refused`: the server's address is not on the public internet (outbound.py): nothing was sent."""


class SettingsRow(BaseModel):
    """One line of the correct settings table, in the client's own words."""

    setting: str
    """Stable key: protocol, incoming_server, incoming_port, incoming_security, outgoing_server, ..."""
    label: str
    """Where the client shows it (e.g. Outlook's "Incoming mail: Encryption method")."""
    value: str
    configured: str | None = None
    """What the caller gave for it, when given."""
    matches: bool | None = None


class ProbeResult(BaseModel):
    """What one connection to a configured server saw. No password is ever sent."""

    role: Role
    protocol: Literal["imap", "pop3", "smtp"]
    host: str
    port: int
    mode: Literal["ssl", "starttls", "plain"]
    status: ProbeStatus
    address: str | None = None
    """The address connected to (from the project's resolver), or the one refused."""
    address_kind: str | None = None
    """Why the address was not contacted (loopback, private, link-local ...), when it was refused."""
    cname_chain: list[str] = Field(default_factory=list)
    greeting: str | None = None
    """The server's first line, truncated (evidence)."""
    capabilities: list[str] = Field(default_factory=list)
    starttls_offered: bool | None = None
    tls_version: str | None = None
    certificate_names: list[str] = Field(default_factory=list)
    certificate_trusted: bool | None = None
    certificate_matches: bool | None = None
    error: str | None = None
    elapsed_ms: float = 0.0


class ClientSettingsResult(ToolResult):
    """Findings about a client's settings, the correct table for that client and site, reminders."""

    email: str | None = None
    client: str
    """Client id: outlook, foxmail, iphone-mail, thunderbird, android, other."""
    client_label: str
    protocol: Protocol
    site: str
    """Site id from the provider profile (china, singapore, hong-kong, germany, us)."""
    site_webmail: str
    where: str
    """Where the client keeps these settings."""
    settings: list[SettingsRow] = Field(default_factory=list)
    reminders: list[str] = Field(default_factory=list)
    assumed: list[str] = Field(default_factory=list)
    """What the check had to assume (protocol or site not given, client not recognised)."""
    probes: list[ProbeResult] = Field(default_factory=list)
    resolver: ResolverReport | None = None
    """With `probe`: the resolver asked for the servers' addresses and whether it answered."""
