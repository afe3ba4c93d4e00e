"""Fetch an MTA-STS policy: `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 3.3) at an
address our resolver found for the host and the outbound policy allowed (outbound.py). The connection
goes to that address; the Host header and the TLS server name stay the host name, whose certificate
must verify against the trusted authorities (the system's, or those SSL_CERT_FILE / SSL_CERT_DIR name:
the environment's settings are honoured). Redirects are not followed (3.3 forbids it), at most
policy_max_bytes of the body are read, and the whole fetch has one deadline. Only check.py imports
this (it loads httpx)."""

from __future__ import annotations

import asyncio
import os
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import httpx

from alimail_mcp import tls
from alimail_mcp.outbound import Target

FetchOutcome = Literal["ok", "http-error", "redirect", "tls-error", "unreachable", "timeout", "too-large"]
EVIDENCE_CHARS = 200


@dataclass
class Fetched:
    url: str
    address: str
    outcome: FetchOutcome
    status_code: int | None = None
    content_type: str | None = None
    body: str = ""
    error: str | None = None


async def fetch_policy(
    host: str, target: Target, *, port: int, path: str, timeout: float, max_bytes: int
) -> Fetched:
    """GET the policy of `host` at the checked address `target`. Never raises for network failures."""
    url = f"https://{host}{path}"
    result = Fetched(url=url, address=target.address, outcome="ok")
    try:
        async with asyncio.timeout(timeout):
            await _get(result, host, target, port=port, path=path, max_bytes=max_bytes, timeout=timeout)
    except TimeoutError:
        result.outcome, result.error = "timeout", f"no complete answer within {timeout:g} s"
    return result


async def _get(
    result: Fetched, host: str, target: Target, *, port: int, path: str, max_bytes: int, timeout: float
) -> None:
    address = target.require()
    literal = f"[{address}]" if ":" in address else address
    pinned = f"https://{literal}:{port}{path}"
    try:
        async with httpx.AsyncClient(
            verify=_context(), timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        ) as client:
            request = client.build_request(
                "GET",
                pinned,
                headers={"Host": host, "User-Agent": "alimail-mcp check_dns"},
                extensions={"sni_hostname": host},
            )
            response = await client.send(request, stream=True)
            try:
                await _read(result, response, max_bytes)
            finally:
                await response.aclose()
    except httpx.HTTPError as exc:
        _failed(result, exc)


async def _read(result: Fetched, response: httpx.Response, max_bytes: int) -> None:
    result.status_code = response.status_code
    result.content_type = (response.headers.get("content-type") or "")[:EVIDENCE_CHARS] or None
    if response.is_redirect:
        result.outcome = "redirect"
        result.error = (response.headers.get("location") or "")[:EVIDENCE_CHARS] or None
        return
    if response.status_code != 200:
        result.outcome = "http-error"
        return
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > max_bytes:
            result.outcome = "too-large"
            return
    result.body = body.decode("utf-8", "replace")


def _failed(result: Fetched, exc: httpx.HTTPError) -> None:
    failure = tls.verify_failure(exc)
    if failure is not None:
        result.outcome, result.error = "tls-error", f"certificate: {failure}"[:EVIDENCE_CHARS]
    elif isinstance(exc.__cause__ or exc.__context__, ssl.SSLError):
        result.outcome, result.error = "tls-error", (str(exc) or type(exc).__name__)[:EVIDENCE_CHARS]
    elif isinstance(exc, httpx.TimeoutException):
        result.outcome, result.error = "timeout", "timeout"
    else:
        result.outcome, result.error = "unreachable", (str(exc) or type(exc).__name__)[:EVIDENCE_CHARS]


def _context() -> ssl.SSLContext:
    """The verifying context, built once per trust setting: ssl's default context loads the system's
    authorities, or the ones SSL_CERT_FILE and SSL_CERT_DIR name."""
    return _context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@lru_cache(maxsize=4)
def _context_for(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return tls.verifying_context(None, check_name=True)
