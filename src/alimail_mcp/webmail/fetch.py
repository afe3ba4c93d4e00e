"""Fetch http:// and https:// on the webmail name at an address our resolver found and the outbound
policy allowed (outbound.py): the connection goes to that address, the Host header and TLS server name
stay the name, redirects are followed only on the same scheme, host and port, no body is read, and the
whole fetch of one scheme has one deadline. Only check.py imports this (it loads httpx).

The ports dialled, the trusted authorities and the deadline can be replaced by tests through
`webmail_policy()`, never by a tool's caller.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from alimail_mcp import tls
from alimail_mcp.outbound import DEFAULT_PORTS, Target, same_origin
from alimail_mcp.webmail.models import FetchResult

MAX_HOPS = 3
EVIDENCE_CHARS = 200


@dataclass(frozen=True)
class WebmailPolicy:
    port_map: Mapping[int, int] = field(default_factory=dict)
    """Port in the URL -> port actually dialled (tests only)."""
    ca_pem: str | None = None
    """Certificate authorities to trust (PEM) instead of the system's (tests only)."""
    timeout: float = 4.0
    """Seconds the whole fetch of one scheme may take, however the server paces its bytes: every
    redirect, the handshakes and the certificate look together (both schemes are fetched at once)."""


_POLICY: ContextVar[WebmailPolicy] = ContextVar("alimail_mcp_webmail_policy", default=WebmailPolicy())  # noqa: B039


@contextmanager
def webmail_policy(policy: WebmailPolicy) -> Iterator[None]:
    """Tests only: fetch under `policy` inside the `with` block."""
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


async def fetch_both(name: str, target: Target) -> list[FetchResult]:
    """Both schemes at once, each within the policy's deadline. `target`: an address the outbound
    policy allowed."""
    policy = _POLICY.get()
    context = tls.verifying_context(policy.ca_pem, check_name=True)
    timeout = httpx.Timeout(policy.timeout)
    async with httpx.AsyncClient(
        verify=context, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        results = await asyncio.gather(
            _fetch(client, "http", name, target, policy), _fetch(client, "https", name, target, policy)
        )
    return list(results)


async def _fetch(
    client: httpx.AsyncClient,
    scheme: Literal["http", "https"],
    name: str,
    target: Target,
    policy: WebmailPolicy,
) -> FetchResult:
    started = time.monotonic()
    result = FetchResult(scheme=scheme, url=f"{scheme}://{name}/", address=target.address, outcome="ok")
    try:
        async with asyncio.timeout(policy.timeout):
            await _follow(client, result, name, target, policy)
    except TimeoutError:
        if result.outcome != "tls-error":  # a certificate look cut short keeps the handshake's verdict
            result.outcome = "unreachable"
            result.error = f"timeout: no complete answer within {policy.timeout:g} s"
    result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return result


async def _follow(
    client: httpx.AsyncClient, result: FetchResult, name: str, target: Target, policy: WebmailPolicy
) -> None:
    """Ask, and ask again while the answer redirects to the same scheme, host and port."""
    url = result.url
    while True:
        try:
            response = await _get(client, url, name, target, policy)
        except httpx.HTTPError as exc:
            await _failed(result, exc, url, name, target, policy)
            return
        result.status_code = response.status_code
        result.server = (response.headers.get("server") or "")[:EVIDENCE_CHARS] or None
        location = response.headers.get("location")
        if response.is_redirect and location:
            following = _join(url, location)
            if same_origin(url, following) and len(result.redirects) < MAX_HOPS:
                result.redirects.append(following[:EVIDENCE_CHARS])
                url = following
                continue
            result.outcome, result.location = "redirect", following[:EVIDENCE_CHARS]
        elif response.status_code >= 400:
            result.outcome = "http-error"
        return


def _join(base: str, location: str) -> str:
    try:
        return urljoin(base, location)
    except ValueError:  # a malformed Location: keep it as evidence, follow nothing
        return location


async def _get(
    client: httpx.AsyncClient, url: str, name: str, target: Target, policy: WebmailPolicy
) -> httpx.Response:
    """GET `url` at the checked address: the URL's host is the address itself, so nothing is looked up."""
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    address = target.require()
    host = f"[{address}]" if ":" in address else address
    pinned = f"{parts.scheme}://{host}:{policy.port_map.get(port, port)}{parts.path or '/'}"
    if parts.query:
        pinned += "?" + parts.query
    header = name if port == DEFAULT_PORTS[parts.scheme] else f"{name}:{port}"
    request = client.build_request(
        "GET",
        pinned,
        headers={"Host": header, "User-Agent": "alimail-mcp check_webmail"},
        extensions={"sni_hostname": name},
    )
    response = await client.send(request, stream=True)
    await response.aclose()
    return response


async def _failed(
    result: FetchResult, exc: httpx.HTTPError, url: str, name: str, target: Target, policy: WebmailPolicy
) -> None:
    failure = tls.verify_failure(exc)
    if failure is not None:
        result.outcome, result.tls_error = "tls-error", f"certificate: {failure}"[:EVIDENCE_CHARS]
        port = DEFAULT_PORTS["https"]
        names, _ = await tls.peer_names(
            target, policy.port_map.get(port, port), name, policy.ca_pem, policy.timeout
        )
        result.certificate_names = names
    elif isinstance(exc.__cause__ or exc.__context__, ssl.SSLError) and url.startswith("https"):
        result.outcome, result.tls_error = "tls-error", str(exc)[:EVIDENCE_CHARS] or type(exc).__name__
    else:
        result.outcome = "unreachable"
        result.error = (
            "timeout" if isinstance(exc, httpx.TimeoutException) else str(exc) or type(exc).__name__
        )[:EVIDENCE_CHARS]
