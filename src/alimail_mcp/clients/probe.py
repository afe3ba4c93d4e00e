"""Connect to the configured servers and report what they say: greeting, capabilities, TLS and the
certificate's names. Only Alibaba Mail's servers and names of the mailbox's own domain that are
CNAMEs to them are dialled, only on Alibaba Mail's ports for the protocol: this is not a scanner.

Addresses come from the project's DnsClient and pass the outbound policy (outbound.py: public
addresses only) before the connection goes to that very address, with the configured name as the TLS
server name. The caller names the servers, so a name whose address is loopback, private ... is
reported as refused and never dialled. The probe policy (extra allowed hosts, a port map, the trust
store, the deadline) can be replaced by tests through `probe_policy()`, never by a tool's caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

from alimail_mcp import tls
from alimail_mcp.clients.configuration import ClientConfig, Endpoint
from alimail_mcp.clients.dialogue import Dialogue, UnexpectedReply
from alimail_mcp.clients.hosts import catalogue, classify
from alimail_mcp.clients.models import ProbeResult
from alimail_mcp.dns.client import DnsClient, Outcome
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.outbound import OutboundPolicy, Target, open_connection

ERROR_CHARS = 200
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL})


@dataclass(frozen=True)
class ProbePolicy:
    allowed_hosts: frozenset[str] = frozenset()
    """Names allowed besides the provider's (tests only)."""
    port_map: Mapping[int, int] = field(default_factory=dict)
    """Configured port -> port actually dialled (tests only: local servers listen on free ports)."""
    ca_pem: str | None = None
    """Certificate authorities to trust (PEM) instead of the system's (tests only)."""
    timeout: float = 4.0
    """Seconds for everything said with one server, however it paces its lines (a second handshake
    after an untrusted certificate included)."""


_POLICY: ContextVar[ProbePolicy] = ContextVar("alimail_mcp_probe_policy", default=ProbePolicy())  # noqa: B039


@contextmanager
def probe_policy(policy: ProbePolicy) -> Iterator[None]:
    """Tests only: probe under `policy` inside the `with` block."""
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def current_policy() -> ProbePolicy:
    return _POLICY.get()


async def probe_all(
    config: ClientConfig, provider: Provider, dns: DnsClient, outbound: OutboundPolicy
) -> list[ProbeResult]:
    """Probe the incoming and the outgoing server at once (each that has a host and a port)."""
    endpoints = [e for e in config.endpoints if e.host and e.port is not None]
    return list(await asyncio.gather(*(probe(e, config, provider, dns, outbound) for e in endpoints)))


async def probe(
    endpoint: Endpoint, config: ClientConfig, provider: Provider, dns: DnsClient, outbound: OutboundPolicy
) -> ProbeResult:
    assert endpoint.host is not None and endpoint.port is not None
    policy = current_policy()
    server = provider.server(endpoint.protocol)
    mode: Literal["ssl", "starttls", "plain"] = "ssl" if endpoint.port == server.ssl_port else "starttls"
    result = ProbeResult(
        role=endpoint.role,
        protocol=endpoint.protocol,
        host=endpoint.host,
        port=endpoint.port,
        mode=mode,
        status="ok",
    )
    if endpoint.port not in (server.ssl_port, server.plain_port):
        result.status = "port-not-probed"
        return result
    verdict = classify(provider, endpoint.host, config.domain)
    listed = verdict.known is not None or endpoint.host in policy.allowed_hosts
    if not listed and verdict.category != "custom":
        result.status = "not-allowed"
        return result
    answer = await dns.query(endpoint.host, "A")
    result.cname_chain = list(answer.cname_chain)
    if not listed and not any(name in catalogue(provider) for name in answer.cname_chain):
        result.status = "not-allowed" if answer.outcome is Outcome.OK else "unresolved"
        return result
    if not answer.outcome.conclusive:  # no usable answer: nothing is known about the name
        result.status = "not-checked"
        result.error = f"DNS: {answer.outcome.value}"
        return result
    if answer.outcome is not Outcome.OK or not answer.records:
        result.status = "unresolved"
        result.error = f"DNS: {answer.outcome.value}"
        return result
    target, refused = outbound.choose(answer.records)
    if target is None:
        result.status, result.address = "refused", refused[0].address
        result.address_kind = refused[0].refused
        return result
    result.address = target.address
    await _converse(result, target, policy)
    return result


async def _converse(result: ProbeResult, target: Target, policy: ProbePolicy) -> None:
    started = time.monotonic()
    try:
        async with asyncio.timeout(policy.timeout):
            try:
                await _session(result, target, policy, tls.verifying_context(policy.ca_pem))
            except ssl.SSLError as exc:
                failure = tls.verify_failure(exc)
                if failure is None:
                    raise
                result.certificate_trusted = False
                result.error = f"certificate: {failure}"[:ERROR_CHARS]
                await _session(result, target, policy, tls.unverified_context())
    except TimeoutError:
        result.status = "timeout"
    except (UnexpectedReply, ValueError) as exc:  # ValueError: a line over the stream's limit
        result.status = "unexpected-greeting"
        result.error = str(exc)[:ERROR_CHARS] or type(exc).__name__
    except ssl.SSLError as exc:
        result.status = "tls-failed"
        result.error = str(exc)[:ERROR_CHARS]
    except OSError as exc:  # no route from this machine: the server was never reached, so not checked
        result.status = "not-checked" if exc.errno in _NO_ROUTE else "unreachable"
        result.error = (exc.strerror or str(exc) or type(exc).__name__)[:ERROR_CHARS]
    result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)


async def _session(result: ProbeResult, target: Target, policy: ProbePolicy, context: ssl.SSLContext) -> None:
    port = policy.port_map.get(result.port, result.port)
    reader, writer = await open_connection(
        target, port, tls=context if result.mode == "ssl" else None, server_name=result.host
    )
    try:
        talk = Dialogue(result.protocol, reader, writer)
        try:
            await talk.greet()
        finally:
            result.greeting = talk.transcript.greeting
        await talk.capabilities()
        result.starttls_offered = talk.transcript.starttls_offered
        if result.mode == "starttls" and talk.transcript.starttls_offered:
            await talk.starttls(context, result.host)
            await talk.capabilities()
        elif result.mode == "starttls":
            result.mode = "plain"
        result.capabilities = talk.transcript.capabilities
        _read_tls(result, writer)
        await talk.goodbye()
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)


def _read_tls(result: ProbeResult, writer: asyncio.StreamWriter) -> None:
    tls_object = writer.get_extra_info("ssl_object")
    if tls_object is None:
        return
    result.tls_version = tls_object.version()
    if result.certificate_trusted is False:
        return
    result.certificate_trusted = True
    result.certificate_names = tls.certificate_names(tls_object.getpeercert())
    result.certificate_matches = tls.matches(result.host, result.certificate_names)
