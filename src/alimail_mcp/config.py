"""Settings from environment variables (each also a CLI flag). The one place settings live."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from alimail_mcp.errors import InputError

ENV_RESOLVERS = "ALIMAIL_MCP_RESOLVERS"
ENV_DNS_TIMEOUT = "ALIMAIL_MCP_DNS_TIMEOUT"
ENV_DNS_BUDGET = "ALIMAIL_MCP_DNS_BUDGET"
ENV_AUTH_TOKEN = "ALIMAIL_MCP_AUTH_TOKEN"
ENV_ALLOWED_HOSTS = "ALIMAIL_MCP_ALLOWED_HOSTS"
ENV_ALLOWED_ORIGINS = "ALIMAIL_MCP_ALLOWED_ORIGINS"
ENV_MAX_BODY = "ALIMAIL_MCP_MAX_BODY_BYTES"
ENV_TOOL_TIMEOUT = "ALIMAIL_MCP_TOOL_TIMEOUT"
ENV_MAX_SESSIONS = "ALIMAIL_MCP_MAX_SESSIONS"
ENV_SESSION_IDLE = "ALIMAIL_MCP_SESSION_IDLE_TIMEOUT"
ENV_AUTHORITATIVE_PORT = "ALIMAIL_MCP_AUTHORITATIVE_PORT"
ENV_ALLOW_PRIVATE_TARGETS = "ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS"
ENV_STATELESS_HTTP = "ALIMAIL_MCP_STATELESS_HTTP"
ENV_KNOWLEDGE_CACHE = "ALIMAIL_MCP_KNOWLEDGE_CACHE"  # a folder, or "off"; read by knowledge/compiled.py
ENV_BLOCKLIST_ZONES = "ALIMAIL_MCP_BLOCKLIST_ZONES"
ENV_MTA_STS_PORT = "ALIMAIL_MCP_MTA_STS_PORT"


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Settings:
    resolvers: tuple[Nameserver, ...] = ()
    """Resolvers to use instead of the system's; empty means the system's."""
    dns_timeout: float = 2.0
    """Seconds to wait for one DNS answer before trying again or giving up."""
    dns_budget: float = 8.0
    """Seconds a whole DNS audit may take; what is not answered by then is reported as a timeout."""
    authoritative_port: int = 53
    """Port on which a domain's own nameservers are asked (changed only by tests and benchmarks)."""
    mta_sts_port: int = 443
    """Port on which a domain's MTA-STS policy is fetched (changed only by tests and harnesses)."""
    blocklist_zones: tuple[tuple[str, str], ...] = ()
    """(list id, DNS zone) pairs replacing the zones of skills/blocklists.yaml: a DQS zone, a mirror, a
    harness's fake zones. An empty zone turns that list off."""
    allow_private_targets: bool = False
    """Destinations a tool's caller can steer (the webmail fetch, the client probe, a domain's own
    nameservers) may be loopback, private or link-local addresses (outbound.py). For test harnesses whose
    servers listen on 127.0.0.1; set by the operator's environment only, never by a flag or a tool."""
    auth_token: str | None = None
    """Bearer token the HTTP transports require when set."""
    network_thread: bool = False
    """DNS questions are sent and parsed on a second event loop in a thread (dns/network_loop.py). The server
    turns it on, so that concurrent audits do not hold up its other requests."""
    local_files: bool = True
    """Tools may read files named in their arguments (a certificate path). Off when serving over HTTP,
    where the caller is not the machine's user."""
    allowed_hosts: tuple[str, ...] = ()
    """Host header values the HTTP transports accept beyond loopback (`name[:port]`, `name:*`)."""
    allowed_origins: tuple[str, ...] = ()
    """Origin header values the HTTP transports accept beyond loopback (`https://name[:port]`)."""
    max_body_bytes: int = 1_048_576
    """Largest HTTP request body accepted; larger ones get 413."""
    tool_timeout: float = 30.0
    """Seconds one tool call may take before it is stopped with a tool error; keep it above dns_budget
    so that a slow audit reports what it found instead of being cut off."""

    max_sessions: int = 100
    """Sessions (streamable HTTP) or open event streams (SSE) served at once; more get 503."""
    session_idle_timeout: float = 300.0
    """Seconds an HTTP session may go without a request before it is closed (and its memory freed)."""
    stateless_http: bool = False
    """Streamable HTTP without sessions: any worker or replica answers any request (`--workers` above 1,
    `--stateless`, or ALIMAIL_MCP_STATELESS_HTTP=1 for replicas behind a load balancer)."""

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def parse_nameservers(text: str, field: str = ENV_RESOLVERS) -> tuple[Nameserver, ...]:
    """Parse `ip[:port]` items separated by commas; IPv6 with a port is written `[addr]:port`."""
    import ipaddress

    servers: list[Nameserver] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        host, port = item, 53
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            if rest:
                port = _port(rest.removeprefix(":"), field)
        elif item.count(":") == 1:
            host, port_text = item.split(":")
            port = _port(port_text, field)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise InputError(field, f"{item!r} is not an IP address (ip[:port], comma separated)") from None
        servers.append(Nameserver(host, port))
    return tuple(servers)


def parse_blocklist_zones(text: str, field: str = ENV_BLOCKLIST_ZONES) -> tuple[tuple[str, str], ...]:
    """`id=zone` items separated by commas (`zen=zen.dq.example,spamcop=`); an empty zone turns the
    list off. Whether each id names a list is checked where the lists are read (dns/blocklist/)."""
    pairs: dict[str, str] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, zone = item.partition("=")
        key, zone = key.strip().lower(), zone.strip().lower().rstrip(".")
        if not sep or not _LIST_ID.match(key):
            raise InputError(field, f"{item[:60]!r} is not id=zone (comma separated, e.g. zen=zen.example)")
        if zone and not _zone_name(zone):
            raise InputError(field, f"{zone[:60]!r} is not a DNS zone name")
        pairs[key] = zone
    return tuple(pairs.items())


_LIST_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def _zone_name(zone: str) -> bool:
    return len(zone) <= 200 and all(_LABEL.match(label) for label in zone.split("."))


def _port(text: str, field: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise InputError(field, f"{text!r} is not a port number (1-65535)")
    return int(text)


def _switch(text: str, field: str) -> bool:
    if text not in ("0", "1"):
        raise InputError(field, f"{text[:20]!r} is not 1 (on) or 0 (off)")
    return text == "1"


def parse_seconds(text: str, field: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(field, f"{text!r} is not a number of seconds") from None
    if not low <= value <= high:
        raise InputError(field, f"must be between {low} and {high} seconds")
    return value


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    settings = Settings()
    if text := env.get(ENV_RESOLVERS, "").strip():
        settings = replace(settings, resolvers=parse_nameservers(text))
    if text := env.get(ENV_DNS_TIMEOUT, "").strip():
        settings = replace(settings, dns_timeout=parse_seconds(text, ENV_DNS_TIMEOUT, 0.05, 60))
    if text := env.get(ENV_DNS_BUDGET, "").strip():
        settings = replace(settings, dns_budget=parse_seconds(text, ENV_DNS_BUDGET, 0.1, 300))
    if text := env.get(ENV_AUTHORITATIVE_PORT, "").strip():
        settings = replace(settings, authoritative_port=_port(text, ENV_AUTHORITATIVE_PORT))
    if text := env.get(ENV_STATELESS_HTTP, "").strip():
        settings = replace(settings, stateless_http=_switch(text, ENV_STATELESS_HTTP))
    if text := env.get(ENV_MTA_STS_PORT, "").strip():
        settings = replace(settings, mta_sts_port=_port(text, ENV_MTA_STS_PORT))
    if text := env.get(ENV_BLOCKLIST_ZONES, "").strip():
        settings = replace(settings, blocklist_zones=parse_blocklist_zones(text))
    if text := env.get(ENV_ALLOW_PRIVATE_TARGETS, "").strip():
        settings = replace(settings, allow_private_targets=_switch(text, ENV_ALLOW_PRIVATE_TARGETS))
    if text := env.get(ENV_AUTH_TOKEN, "").strip():
        settings = replace(settings, auth_token=text)
    if text := env.get(ENV_ALLOWED_HOSTS, "").strip():
        settings = replace(settings, allowed_hosts=_items(text))
    if text := env.get(ENV_ALLOWED_ORIGINS, "").strip():
        settings = replace(settings, allowed_origins=_items(text))
    if text := env.get(ENV_MAX_BODY, "").strip():
        if not (text.isascii() and text.isdigit()) or not 1024 <= int(text) <= 64 * 1_048_576:
            raise InputError(ENV_MAX_BODY, "must be a whole number of bytes between 1024 and 67108864")
        settings = replace(settings, max_body_bytes=int(text))
    if text := env.get(ENV_TOOL_TIMEOUT, "").strip():
        settings = replace(settings, tool_timeout=parse_seconds(text, ENV_TOOL_TIMEOUT, 0.1, 600))
    if text := env.get(ENV_MAX_SESSIONS, "").strip():
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10_000:
            raise InputError(ENV_MAX_SESSIONS, "must be a whole number of sessions between 1 and 10000")
        settings = replace(settings, max_sessions=int(text))
    if text := env.get(ENV_SESSION_IDLE, "").strip():
        settings = replace(settings, session_idle_timeout=parse_seconds(text, ENV_SESSION_IDLE, 0.5, 86_400))
    return settings
