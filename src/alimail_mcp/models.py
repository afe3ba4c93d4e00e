"""Models shared by every tool: the base of the argument models, findings, DNS changes, routes and the
common result fields."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

IntentId = Literal["configure-communication", "recover-access", "resolve-failure", "troubleshoot-received"]

PathId = Literal[
    "dns-auth",
    "sender-filters",
    "smime",
    "self-service-reset",
    "unlock-account",
    "qr-login",
    "dns-authorization",
    "webmail-service",
    "client-config",
    "mailbox-settings",
    "dns-delivery",
    "spam-filtering",
]


class ToolArgs(BaseModel):
    """A tool's arguments: one model per tool, in its engine's args.py, read by the MCP registration
    (the input schema) and by the CLI (flags and help). Field descriptions and limits live only there."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"


class DnsChange(BaseModel):
    """One record to add, delete or replace; `host` is relative to the zone (`@`, `mail`, `_dmarc`)."""

    model_config = ConfigDict(frozen=True)

    action: Literal["add", "delete", "replace"]
    type: str
    host: str
    value: str
    old_value: str | None = None
    priority: int | None = None
    ttl: int | None = None


class Finding(BaseModel):
    """One observation of a check: a stable `code`, how bad it is, the evidence and the fix."""

    code: str
    severity: Severity
    title: str
    detail: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)
    fix: list[str] = Field(default_factory=list)
    dns_change: DnsChange | None = None
    skill: str | None = None
    needs_admin: bool = False


ResolverState = Literal["answering", "not-answering", "no-route", "not-asked"]


class ResolverReport(BaseModel):
    """The DNS resolver a live check asked, and whether it answered: `not-answering` and `no-route` mean
    the fault is on this machine's side (nothing about the domain or the servers asked was learnt)."""

    servers: list[str]
    """The resolvers asked, `host:port`."""
    configured: bool
    """Named by ALIMAIL_MCP_RESOLVERS (or --resolvers); otherwise the system's (/etc/resolv.conf)."""
    state: ResolverState
    """answering: at least one DNS answer came back; not-answering: none did, not even to a control
    question about the root zone; no-route: no question could be sent (the network is unreachable);
    not-asked: nothing needed DNS."""


class Route(BaseModel):
    """Where a result belongs in the knowledge base."""

    intent: IntentId | None = None
    path: PathId | None = None
    skill: str | None = None


class ToolResult(Route):
    """Fields every tool result carries beside its own."""

    summary: str
    findings: list[Finding] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
