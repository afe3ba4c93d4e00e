"""The HTTP transports (streamable HTTP, SSE) wrapped in the checks a network-facing server needs.

In order, outermost first: Host and Origin against an allow-list (403; DNS-rebinding protection),
then the bearer token when one is configured (401, compared in constant time), then the limits on
sessions (503 beyond `max_sessions`; idle ones closed after `session_idle_timeout`), then the SDK's
own body-size limit (413) and transport checks. Binding a non-loopback address without a token is
refused before anything listens.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from typing import TYPE_CHECKING, Literal

from alimail_mcp.config import ENV_AUTH_TOKEN, Settings
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to listen beyond this machine without a token: anyone who can connect could call tools."""
    if not is_loopback(host) and not settings.auth_token:
        raise InputError(
            "host", f"binding {host} exposes the server to the network; set {ENV_AUTH_TOKEN} first"
        )


def _own_hosts(host: str, port: int) -> tuple[str, ...]:
    """`name:port` for loopback and for the address bound (unless it is a wildcard address)."""
    names = [*LOOPBACK_NAMES]
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        names.append(f"[{host}]" if ":" in host else host)
    return tuple(f"{n}:{port}" for n in names)


def allowed_hosts(host: str, port: int, settings: Settings) -> tuple[str, ...]:
    return (*_own_hosts(host, port), *settings.allowed_hosts)


def allowed_origins(host: str, port: int, settings: Settings) -> tuple[str, ...]:
    return (*(f"http://{h}" for h in _own_hosts(host, port)), *settings.allowed_origins)


class Guard:
    """ASGI middleware: Host/Origin allow-lists (403), then the bearer token (401)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...], origins: tuple[str, ...], token: str | None):
        self.app = app
        self.hosts = {h.lower() for h in hosts}
        self.host_wildcards = tuple(h[:-1].lower() for h in hosts if h.endswith(":*"))
        self.origins = {o.lower().rstrip("/") for o in origins}
        self.token = _digest(token.encode()) if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self._host_ok(headers.get("host", "")):
            await _reply(send, 403, "Host not allowed")
            return
        origin = headers.get("origin")
        if origin is not None and origin.lower().rstrip("/") not in self.origins:
            await _reply(send, 403, "Origin not allowed")
            return
        if self.token is not None and not self._token_ok(_raw_header(scope, b"authorization")):
            await _reply(
                send, 401, "Missing or wrong bearer token", {"www-authenticate": 'Bearer realm="alimail-mcp"'}
            )
            return
        await self.app(scope, receive, send)

    def _host_ok(self, host: str) -> bool:
        host = host.lower()
        return host in self.hosts or any(host.startswith(w) for w in self.host_wildcards)

    def _token_ok(self, header: bytes) -> bool:
        """Digests of equal length compared in constant time: neither the token nor its length leaks."""
        scheme, _, value = header.partition(b" ")
        given = value.strip() if scheme.lower() == b"bearer" else b""
        assert self.token is not None
        return hmac.compare_digest(_digest(given), self.token)


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def _raw_header(scope: Scope, name: bytes) -> bytes:
    """The first value of header `name` as sent (bytes: a token is compared exactly as it came)."""
    return next((v for k, v in scope.get("headers", []) if k.lower() == name), b"")


async def _reply(send: Send, status: int, text: str, extra: dict[str, str] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_app(
    server: MCPServer, transport: Literal["sse", "http"], host: str, port: int, settings: Settings
) -> ASGIApp:
    """The guarded ASGI app for one HTTP transport (streamable HTTP at /mcp, SSE at /sse)."""
    from mcp.server.transport_security import TransportSecuritySettings

    check_bind(host, settings)
    hosts = allowed_hosts(host, port, settings)
    origins = allowed_origins(host, port, settings)
    security = TransportSecuritySettings(allowed_hosts=list(hosts), allowed_origins=list(origins))
    if transport == "sse":
        from alimail_mcp.server.sse_streams import SseStreams

        sse = server.sse_app(
            max_request_body_size=settings.max_body_bytes, transport_security=security, host=host
        )
        app: ASGIApp = SseStreams(sse, limit=settings.max_sessions, idle=settings.session_idle_timeout)
    else:
        # Plain JSON answers unless a request asks for progress (answer_modes.py): an event stream per
        # call cost 40% of the server's time per light call under load. Stateless (workers, replicas):
        # no session is kept, so any process answers any request.
        from alimail_mcp.server.answer_modes import JsonUnlessStreamed, StreamWhenAsked

        app = server.streamable_http_app(
            max_request_body_size=settings.max_body_bytes,
            transport_security=security,
            host=host,
            json_response=True,
            stateless_http=settings.stateless_http,
            max_sessions=settings.max_sessions,
            session_idle_timeout=settings.session_idle_timeout,
        )
        server.session_manager.json_response = JsonUnlessStreamed()  # type: ignore[assignment]
        app = StreamWhenAsked(app, settings.max_body_bytes)
    return Guard(app, hosts, origins, settings.auth_token)


async def run_http(
    server: MCPServer,
    transport: Literal["sse", "http"],
    host: str,
    port: int,
    settings: Settings,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve until stopped; on `sockets` already listening (workers) instead of binding host:port."""
    import anyio
    import uvicorn

    app = build_app(server, transport, host, port, settings)
    config = uvicorn.Config(
        app,
        host=host.strip("[]"),
        port=port,
        log_level="warning",
        lifespan="on",
        server_header=False,  # no software banner for strangers
        timeout_graceful_shutdown=3,  # open SSE streams must not hold a stop forever
    )
    web = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        if sockets is None:  # with workers the parent says where it listens, once
            group.start_soon(_announce, web, transport, host, port)
        await web.serve(sockets=sockets)
        group.cancel_scope.cancel()


async def _announce(web: object, transport: Literal["sse", "http"], host: str, port: int) -> None:
    """One line on stderr once the server listens: where to point a client."""
    import sys

    import anyio

    while not getattr(web, "started", False):
        if getattr(web, "should_exit", False):
            return
        await anyio.sleep(0.02)
    sys.stderr.write(f"alimail-mcp: serving {serving(transport, host, port)} (Ctrl-C stops)\n")
    sys.stderr.flush()


def serving(transport: Literal["sse", "http"], host: str, port: int) -> str:
    """What a client points at: `streamable HTTP at http://127.0.0.1:8000/mcp`."""
    name = f"[{host.strip('[]')}]" if ":" in host else host
    kind, path = ("SSE", "/sse") if transport == "sse" else ("streamable HTTP", "/mcp")
    return f"{kind} at http://{name}:{port}{path}"
