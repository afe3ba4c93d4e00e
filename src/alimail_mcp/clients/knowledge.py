"""Typed model of skills/clients.yaml: per-client labels and menus, reminders, finding texts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.finding_text import FindingText
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel

FILE = "clients.yaml"
SETTING_KEYS = (
    "protocol",
    "incoming_server",
    "incoming_port",
    "incoming_security",
    "outgoing_server",
    "outgoing_port",
    "outgoing_security",
    "username",
    "outgoing_auth",
)


class ClientLabels(StrictModel):
    protocol: str
    incoming_server: str
    incoming_port: str
    incoming_security: str
    outgoing_server: str
    outgoing_port: str
    outgoing_security: str
    username: str
    outgoing_auth: str


class SecurityNames(StrictModel):
    ssl: str
    starttls: str
    none: str


class ClientDef(StrictModel):
    id: str
    label: str
    aliases: tuple[str, ...]
    where: str
    labels: ClientLabels
    security_names: SecurityNames
    leave_copy: str
    notes: tuple[str, ...] = ()


class Reminder(StrictModel):
    code: str
    protocols: tuple[Literal["imap", "pop3"], ...]
    text: str


class Summaries(StrictModel):
    problems: str
    warnings: str
    ok: str


class ClientsKnowledge(StrictModel):
    site_aliases: dict[str, tuple[str, ...]]
    protocol_aliases: dict[Literal["imap", "pop3"], tuple[str, ...]]
    protocol_names: dict[str, str]
    security_aliases: dict[Literal["ssl", "starttls", "none"], tuple[str, ...]]
    clients: tuple[ClientDef, ...] = Field(min_length=1)
    reminders: tuple[Reminder, ...]
    findings: dict[str, FindingText]
    summary: Summaries

    def client(self, client_id: str) -> ClientDef:
        return next(c for c in self.clients if c.id == client_id)


@compiled("clients")
def load_clients() -> ClientsKnowledge:
    path = skills_dir() / FILE
    return validate(ClientsKnowledge, read_yaml(path), path)
