"""The settings a caller reports, validated and normalised (InputError names the bad field)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from alimail_mcp.clients.hosts import ServerProtocol
from alimail_mcp.clients.knowledge import ClientDef, ClientsKnowledge
from alimail_mcp.clients.models import Protocol, Role, Security
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import bounded_text, normalize_address, normalize_domain
from alimail_mcp.knowledge.provider import Provider

K = TypeVar("K", bound=str)


@dataclass(frozen=True)
class Endpoint:
    role: Role
    protocol: ServerProtocol
    host: str | None
    port: int | None
    security: Security | None


@dataclass
class ClientConfig:
    email: str | None
    domain: str | None
    username: str | None
    protocol: Protocol
    protocol_given: bool
    client: ClientDef
    site: str | None
    """Site id when given; None when it is to be inferred from the hosts."""
    incoming: Endpoint
    outgoing: Endpoint
    assumed: list[str] = field(default_factory=list)

    @property
    def endpoints(self) -> tuple[Endpoint, Endpoint]:
        return (self.incoming, self.outgoing)


def read_configuration(
    kb: ClientsKnowledge,
    provider: Provider,
    *,
    email: str | None,
    protocol: str | None,
    incoming_server: str | None,
    incoming_port: int | str | None,
    incoming_security: str | None,
    outgoing_server: str | None,
    outgoing_port: int | str | None,
    outgoing_security: str | None,
    username: str | None,
    client: str | None,
    site: str | None,
) -> ClientConfig:
    address = normalize_address(email, "email") if email and email.strip() else None
    user = bounded_text(username, "username", 320) if username and username.strip() else None
    given_protocol = _choice(protocol, "protocol", kb.protocol_aliases)
    in_port, out_port = _port(incoming_port, "incoming_port"), _port(outgoing_port, "outgoing_port")
    in_host, out_host = _host(incoming_server, "incoming_server"), _host(outgoing_server, "outgoing_server")
    in_sec = _choice(incoming_security, "incoming_security", kb.security_aliases)
    out_sec = _choice(outgoing_security, "outgoing_security", kb.security_aliases)
    site_id = _choice(site, "site", {s: (s, *names) for s, names in kb.site_aliases.items()})
    if site_id is not None and site_id not in {s.id for s in provider.sites}:
        raise InputError("site", f"{site_id!r} is not a site of the provider profile")
    given = (address, user, given_protocol, in_port, out_port, in_host, out_host, in_sec, out_sec)
    if all(v is None for v in given):
        raise InputError(
            "email",
            "give the account's email and at least one of the settings to check (servers, ports, username)",
        )
    assumed: list[str] = []
    chosen = given_protocol or _protocol_from(provider, in_port, in_host)
    if chosen is None:
        chosen = "imap"
        assumed.append(
            "protocol not given and not recognisable from the incoming server or port: IMAP assumed"
        )
    domain = (
        address.rsplit("@", 1)[1]
        if address
        else (user.rsplit("@", 1)[1].lower() if user and "@" in user else None)
    )
    return ClientConfig(
        email=address,
        domain=domain,
        username=user,
        protocol=chosen,
        protocol_given=given_protocol is not None,
        client=_client(kb, client, assumed),
        site=site_id,
        incoming=Endpoint("incoming", chosen, in_host, in_port, in_sec),
        outgoing=Endpoint("outgoing", "smtp", out_host, out_port, out_sec),
        assumed=assumed,
    )


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _port(value: int | str | None, name: str) -> int | None:
    if not _given(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(name, "must be a port number (1-65535)")
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise InputError(name, f"{text[:20]!r} is not a port number (1-65535)")
    return int(text)


def _host(value: str | None, name: str) -> str | None:
    if not _given(value):
        return None
    assert value is not None
    text = value.strip().rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        pass
    if "@" in text:
        raise InputError(name, "must be a server name like imap.qiye.aliyun.com, not an email address")
    return normalize_domain(text, name, public=False)  # a client may name a host on its own network


def _choice(value: str | None, name: str, aliases: Mapping[K, tuple[str, ...]]) -> K | None:
    if not _given(value):
        return None
    assert value is not None
    word = " ".join(value.strip().lower().replace("_", " ").split())
    for key, names in aliases.items():
        if word == key or word in names:
            return key
    # A client's longer label ("SSL/TLS (Accept all certificates)", "Singapore site") names one choice.
    named = {key for key, names in aliases.items() if any(_names(word, n) for n in (str(key), *names))}
    if len(named) == 1:
        return named.pop()
    allowed = ", ".join(aliases)
    raise InputError(name, f"{value.strip()[:40]!r} is not one of: {allowed}")


def _names(text: str, name: str) -> bool:
    """True when `name` (three characters or more) stands as a whole word or phrase inside `text`."""
    if len(name) < 3 and not any(ord(ch) > 127 for ch in name):
        return False
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None


def _protocol_from(provider: Provider, port: int | None, host: str | None) -> Protocol | None:
    from alimail_mcp.clients.hosts import classify

    for server in provider.servers:
        if server.protocol != "smtp" and port in (server.ssl_port, server.plain_port):
            return server.protocol
    if host:
        verdict = classify(provider, host, None)
        if verdict.known and verdict.known.protocol != "smtp":
            return verdict.known.protocol
        first = host.split(".")[0]
        if first in ("imap", "pop", "pop3"):
            return "imap" if first == "imap" else "pop3"
    return None


def _client(kb: ClientsKnowledge, value: str | None, assumed: list[str]) -> ClientDef:
    if not _given(value):
        return kb.client("other")
    assert value is not None
    word = " ".join(value.strip().lower().split())
    for definition in kb.clients:
        if word in (definition.id, definition.label.lower(), *definition.aliases):
            return definition
    for definition in kb.clients:  # "Outlook for Mac", "Foxmail 7.2", "Thunderbird 115"
        if definition.id != "other" and any(_names(word, a) for a in (definition.id, *definition.aliases)):
            return definition
    assumed.append("client not recognised: the table uses generic setting names")
    return kb.client("other")
