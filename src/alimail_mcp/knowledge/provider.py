"""Typed model of skills/provider.yaml: the Alibaba Mail profile every check compares against."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alimail_mcp.knowledge.strict import StrictModel


class MxRecord(StrictModel):
    host: str
    priority: int = Field(ge=0, le=65535)


class MxSet(StrictModel):
    id: str
    label: str
    recommended: bool
    records: tuple[MxRecord, ...] = Field(min_length=1)


class SpfProfile(StrictModel):
    recommended_include: str
    accepted_includes: tuple[str, ...]
    recommended_record: str
    directmail_include: str
    directmail_record: str


class WebmailCname(StrictModel):
    host: str
    recommended_target: str
    accepted_targets: tuple[str, ...]


class OptionalCname(StrictModel):
    host: str
    target: str


class DkimProfile(StrictModel):
    common_selectors: tuple[str, ...]


class DmarcProfile(StrictModel):
    starter_record: str
    next_record: str
    final_record: str
    days_at_none: int = Field(ge=1)
    days_at_quarantine: int = Field(ge=1)


class Server(StrictModel):
    protocol: Literal["smtp", "imap", "pop3"]
    host: str
    ssl_port: int
    plain_port: int
    legacy_hosts: tuple[str, ...] = ()
    outdated_hosts: tuple[str, ...] = ()


class Site(StrictModel):
    id: str
    label: str
    webmail: str


class Console(StrictModel):
    admin_url: str
    antispam_feedback: str


class Propagation(StrictModel):
    official_max_hours: int
    seed_auth_records_hours: int
    seed_spf_mx_minutes: tuple[int, int]


class Limits(StrictModel):
    smime_certificates_per_mailbox: int
    smime_edition: str
    mailbox_capacity_gb: int
    lock_auto_unlock_minutes: int
    qr_code_valid_minutes: int
    propagation: Propagation


class Provider(StrictModel):
    name: str
    aliases: tuple[str, ...]
    mx_sets: tuple[MxSet, ...] = Field(min_length=1)
    spf: SpfProfile
    webmail_cname: WebmailCname
    optional_cnames: tuple[OptionalCname, ...]
    dkim: DkimProfile
    dmarc: DmarcProfile
    servers: tuple[Server, ...]
    sites: tuple[Site, ...]
    console: Console
    limits: Limits

    @property
    def recommended_mx(self) -> MxSet:
        return next(s for s in self.mx_sets if s.recommended)

    def mx_set_of(self, host: str) -> MxSet | None:
        """The set a host belongs to (case and trailing dot ignored), or None."""
        name = host.lower().rstrip(".")
        return next((s for s in self.mx_sets if any(r.host == name for r in s.records)), None)

    def server(self, protocol: Literal["smtp", "imap", "pop3"]) -> Server:
        return next(s for s in self.servers if s.protocol == protocol)
