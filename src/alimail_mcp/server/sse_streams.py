"""Limits for the SSE transport, which has none of its own: how many event streams may be open at once,
and how long a stream may stay open while its session sends nothing.

The SDK's streamable HTTP transport has both (`max_sessions`, `session_idle_timeout`); for SSE each
open stream holds a session until the client goes away, so idle or abandoned streams would pile up.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import anyio

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SESSION_IN_ENDPOINT = re.compile(rb"session_id=([0-9a-f]{32})")


@dataclass
class _Stream:
    last_activity: float
    cancel: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    session: str | None = None
    responding: bool = False
    """The response has started and not ended: closing it early must still end it properly."""


class SseStreams:
    """ASGI middleware: at most `limit` event streams at once (503 beyond); a stream whose session has
    posted no message for `idle` seconds is closed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        idle: float,
        stream_path: str = "/sse",
        message_path: str = "/messages/",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limit = limit
        self.idle = idle
        self.stream_path = stream_path
        self.message_path = message_path
        self.clock = clock
        self.streams = 0
        self.by_session: dict[str, _Stream] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "GET" and scope["path"] == self.stream_path:
            await self._serve_stream(scope, receive, send)
        else:
            if scope["path"].startswith(self.message_path):
                self._touch(scope)
            await self.app(scope, receive, send)

    async def _serve_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.streams >= self.limit:
            await _too_many(send)
            return
        stream = _Stream(last_activity=self.clock())
        self.streams += 1
        try:
            with stream.cancel:
                async with anyio.create_task_group() as reaper:
                    reaper.start_soon(self._close_when_idle, stream)
                    await self.app(scope, receive, self._noting_session(send, stream))
                    reaper.cancel_scope.cancel()
            if stream.cancel.cancelled_caught and stream.responding:  # closed for idleness: end it cleanly
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.streams -= 1
            if stream.session is not None:
                self.by_session.pop(stream.session, None)

    def _noting_session(self, send: Send, stream: _Stream) -> Send:
        """`send`, noting the session id the stream's first event (the message endpoint) announces."""

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                stream.responding = True
            elif message["type"] == "http.response.body":
                stream.responding = bool(message.get("more_body", False))
                found = stream.session is None and _SESSION_IN_ENDPOINT.search(message.get("body", b""))
                if found:
                    stream.session = found.group(1).decode()
                    self.by_session[stream.session] = stream
            await send(message)

        return noting

    def _touch(self, scope: Scope) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        stream = self.by_session.get((query.get("session_id") or [""])[0])
        if stream is not None:
            stream.last_activity = self.clock()

    async def _close_when_idle(self, stream: _Stream) -> None:
        while (left := stream.last_activity + self.idle - self.clock()) > 0:
            await anyio.sleep(left)
        stream.cancel.cancel()


async def _too_many(send: Send) -> None:
    body = b"Too many open event streams"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"30")],
        }
    )
    await send({"type": "http.response.body", "body": body})
