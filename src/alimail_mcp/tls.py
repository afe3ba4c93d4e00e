"""TLS contexts and certificate names for the connections the tools make (standard library only): the
client probe, the webmail fetch and the MTA-STS policy fetch.

Certificates are checked in two parts so a mismatch can be reported with the names it has: the
chain against the trust store (ssl does it), then the name against the certificate (done here).
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alimail_mcp.outbound import Target


def verifying_context(ca_pem: str | None, *, check_name: bool = False) -> ssl.SSLContext:
    """Chain verified against `ca_pem` (default: the system store). With `check_name` ssl also checks
    the server name; without it the caller checks the name with `matches` and can report the names."""
    context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    context.check_hostname = check_name
    return context


def unverified_context() -> ssl.SSLContext:
    """For a second look after the chain failed: the greeting and capabilities are still worth seeing."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def certificate_names(peer: dict[str, Any] | None) -> list[str]:
    """DNS names of a verified peer certificate (subjectAltName; the subject CN when there are none)."""
    if not peer:
        return []
    names = [value for kind, value in peer.get("subjectAltName", ()) if kind == "DNS"]
    if not names:
        for rdn in peer.get("subject", ()):
            names += [value for key, value in rdn if key == "commonName"]
    return [str(n).lower() for n in names][:50]


def matches(host: str, names: list[str]) -> bool:
    """RFC 6125 matching: exact, or a `*.` wildcard standing for exactly one left-most label."""
    host = host.lower().rstrip(".")
    for name in names:
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def verify_failure(exc: BaseException) -> str | None:
    """The verification message when `exc` (or its cause) is a certificate verification error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return str(seen.verify_message or seen)
        seen = seen.__cause__ or seen.__context__
    return None


async def peer_names(
    target: Target, port: int, server_name: str, ca_pem: str | None, timeout: float
) -> tuple[list[str], str | None]:
    """The DNS names of the certificate served at the checked address `target`:`port` for `server_name`,
    when its chain is trusted; otherwise no names and the verification message."""
    import asyncio
    import contextlib

    from alimail_mcp.outbound import open_connection

    try:
        async with asyncio.timeout(timeout):
            _, writer = await open_connection(
                target, port, tls=verifying_context(ca_pem), server_name=server_name
            )
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return [], verify_failure(exc) or str(exc)[:200]
    tls_object = writer.get_extra_info("ssl_object")
    names = certificate_names(tls_object.getpeercert() if tls_object else None)
    writer.close()
    with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
        await asyncio.wait_for(writer.wait_closed(), 1.0)
    return names, None
