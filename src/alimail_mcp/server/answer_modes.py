"""Streamable HTTP answers each request with plain JSON, except a request that asks for progress (its
`_meta.progressToken`), which is answered with an event stream that carries the progress and log
notifications before the result.

The SDK chooses one mode per server (`json_response`); here the choice is made per request.
`StreamWhenAsked` reads the body of each POST before the SDK does (up to the body limit, then hands it
on unchanged) and records the request's mode in a context variable; `JsonUnlessStreamed` stands in
for the server's `json_response` flag and answers for the request being handled. Tasks a request
starts (the session's message router, started by `initialize`) inherit its context, but they route
every request's messages: for them the flag says "not JSON only", so notifications for a streamed
request are delivered, while a JSON request never gets any (notify.py sends its log messages to the
session's own stream instead).
"""

from __future__ import annotations

import asyncio
import json
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from alimail_mcp.server.notify import STREAMED

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_MODE: ContextVar[tuple[bool, asyncio.Task[Any] | None] | None] = ContextVar(
    "alimail_mcp_answer", default=None
)
"""(answered as JSON, the task handling the request) for the POST being handled."""


class JsonUnlessStreamed:
    """The server's `json_response` flag, decided per request (see the module docstring)."""

    def __bool__(self) -> bool:
        mode = _MODE.get()
        if mode is None:
            return True
        as_json, task = mode
        if task is not _current_task():
            return False  # a task the request started, which routes every request's messages
        return as_json


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


class StreamWhenAsked:
    """ASGI middleware: mark each POST as streamed when its JSON-RPC request carries a progress token
    and the client accepts an event stream; the body reaches the app as it came."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        read, complete = await self._read(receive)
        streamed = complete and _accepts_stream(scope) and _asks_progress(b"".join(_bodies(read)))
        _MODE.set((not streamed, _current_task()))
        STREAMED.set(streamed)
        await self.app(scope, _replay(read, receive), send)

    async def _read(self, receive: Receive) -> tuple[list[Message], bool]:
        """The request's first messages: all of the body, or as much as the limit allows (then False)."""
        read: list[Message] = []
        size = 0
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                return read, False
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                return read, True
            if size > self.max_body_bytes:
                return read, False


def _bodies(messages: list[Message]) -> list[bytes]:
    return [m.get("body", b"") for m in messages if m["type"] == "http.request"]


def _replay(read: list[Message], receive: Receive) -> Receive:
    pending = list(read)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _accepts_stream(scope: Scope) -> bool:
    accept = b",".join(v for k, v in scope.get("headers", []) if k.lower() == b"accept")
    return b"text/event-stream" in accept


def _asks_progress(body: bytes) -> bool:
    if b'"progressToken"' not in body:  # the common case, decided without parsing
        return False
    try:
        message = json.loads(body)
    except ValueError:
        return False
    params = message.get("params") if isinstance(message, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    token = meta.get("progressToken") if isinstance(meta, dict) else None
    return isinstance(token, str | int) and not isinstance(token, bool)
