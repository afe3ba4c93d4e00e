"""What the server tells a client while it works: log messages (`logging/setLevel` sets the least severe
level a connection receives, `info` until it does) and progress of a tool call whose request carried a
progress token. Nothing here writes to stdout: notifications travel on the protocol's own channel.

Over streamable HTTP a request is answered as plain JSON unless it asked for progress (http_app.py);
a JSON answer has no room for notifications, so log messages about such a call go to the connection's
own stream (a client that keeps the GET stream open sees them) instead of the request's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from contextvars import ContextVar
from typing import Any

import mcp_types as types
from mcp.server.connection import allowed_log_levels
from mcp.server.context import ServerRequestContext

LEVELS: tuple[types.LoggingLevel, ...] = (
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
)
DEFAULT_LEVEL: types.LoggingLevel = "info"
LOGGER = "alimail-mcp"
_STATE_KEY = "alimail_mcp.log_level"

STREAMED: ContextVar[bool | None] = ContextVar("alimail_mcp_streamed", default=None)
"""Over streamable HTTP: whether this request is answered as an event stream (True) or as plain JSON
(False); None elsewhere (stdio, SSE), where a request's notifications always have a way to the client."""

log = logging.getLogger(__name__)


def _state(ctx: ServerRequestContext[Any, Any]) -> dict[str, Any] | None:
    """The connection's scratch state (persists across its requests), where the log level is kept."""
    connection = getattr(ctx.session, "_connection", None)
    state = getattr(connection, "state", None)
    return state if isinstance(state, dict) else None


async def set_level(
    ctx: ServerRequestContext[Any, Any], params: types.SetLevelRequestParams
) -> types.EmptyResult:
    state = _state(ctx)
    if state is not None:
        state[_STATE_KEY] = params.level
    return types.EmptyResult()


def level_of(ctx: ServerRequestContext[Any, Any]) -> types.LoggingLevel:
    state = _state(ctx)
    level = state.get(_STATE_KEY) if state is not None else None
    return level if level in LEVELS else DEFAULT_LEVEL


class Notifier:
    """Log messages and progress for one tool call, sent through its request context."""

    def __init__(self, ctx: ServerRequestContext[Any, Any]) -> None:
        self.ctx = ctx
        self._loop = asyncio.get_running_loop()
        self._pending: list[concurrent.futures.Future[None]] = []
        self._last = -1.0
        self._closed = False

    async def log(self, level: types.LoggingLevel, data: dict[str, Any]) -> None:
        """Send a log message at `level` when the connection asked for that level or a less severe one."""
        if LEVELS.index(level) < LEVELS.index(level_of(self.ctx)):
            return
        # From protocol 2026-07-28 on, a request opts in to log messages itself (its _meta), at a level.
        if level not in allowed_log_levels(self.ctx.protocol_version, self.ctx.meta):
            return
        related = self.ctx.request_id if STREAMED.get() is not False else None
        notification = types.LoggingMessageNotification(
            params=types.LoggingMessageNotificationParams(level=level, data=data, logger=LOGGER)
        )
        try:
            await self.ctx.session.send_notification(notification, related_request_id=related)
        except Exception:  # a client gone away must not fail the call it made
            log.debug("log notification not delivered", exc_info=True)

    def progress(self, done: float, total: float | None, message: str) -> None:
        """The engine's progress listener (alimail_mcp.progress): safe from any thread; the notification is
        sent on the server's loop, in order, and only while the value grows."""
        if self._closed or done <= self._last:
            return
        self._last = done
        self._pending.append(
            asyncio.run_coroutine_threadsafe(self._progress(done, total, message), self._loop)
        )

    async def _progress(self, done: float, total: float | None, message: str) -> None:
        try:
            await self.ctx.session.report_progress(done, total, message)
        except Exception:
            log.debug("progress notification not delivered", exc_info=True)

    async def drain(self) -> None:
        """Wait for the progress already reported, and take no more: none may follow the call's result."""
        self._closed = True
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*(asyncio.wrap_future(f) for f in pending), return_exceptions=True)
