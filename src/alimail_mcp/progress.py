"""How far a long engine call has come, told to whoever is listening (the MCP server sends it to a client
that asked for progress; otherwise nobody listens and reporting costs a lookup).

Engines call `report(done, total, message)`; the caller installs a listener with `listening(fn)` for
the duration of a call. The listener is a context variable, so it follows the call into the tasks it
starts, also on the DNS network loop; it must be safe to call from any thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[float, float | None, str], None]

_LISTENER: ContextVar[Listener | None] = ContextVar("alimail_mcp_progress", default=None)


def report(done: float, total: float | None, message: str) -> None:
    listener = _LISTENER.get()
    if listener is not None:
        listener(done, total, message)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)
