"""A second event loop, in a thread, for the tool calls that do network work.

An audit is dozens of DNS questions, each a handful of callbacks of dnspython parsing. On the
protocol's own loop those callbacks queue ahead of every other request, so a question routed in
50 µs waited hundreds of milliseconds behind concurrent audits. On this loop they only compete for
the interpreter, which Python hands over every few milliseconds, and the protocol loop stays quick.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _network_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="alimail-mcp-network", daemon=True).start()
            _loop = loop
        return _loop


async def on_network_loop(call: Coroutine[Any, Any, T]) -> T:
    """Run `call` on the network loop and wait for it here; cancelling the wait cancels the call."""
    loop = _network_loop()
    if asyncio.get_running_loop() is loop:
        return await call
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call, loop))
