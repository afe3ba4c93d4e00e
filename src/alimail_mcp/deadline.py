"""The time one tool call's work may take, seen by the readers that do the work in a worker thread.

A call that runs out of time returns a tool error at once (`server.tool_calls.run_engine`), but a
thread cannot be stopped from outside, and a reader left running would keep a core busy for nobody.
So the bounce, header and certificate readers call `check()` between messages, parts, readers and
batches of lines: once the call's time is up, or the call has ended for any reason, `check()`
raises `OutOfTime` and the thread's work stops there. Outside a tool call (the command line, tests,
benchmarks) there is no deadline and `check()` is one context-variable lookup.

The deadline travels in a context variable: `asyncio.to_thread` and the network loop copy the
caller's context, so the thread sees the deadline of the call that started it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


class OutOfTime(TimeoutError):
    """The call's time ran out, or the call ended, while its work was still running."""


@dataclass(slots=True)
class Deadline:
    at: float
    """time.monotonic() when the call's time is up."""
    ended: bool = False
    """The call returned (in time or not, or was cancelled): work still running for it is orphaned."""

    def passed(self) -> bool:
        return self.ended or time.monotonic() >= self.at


_current: ContextVar[Deadline | None] = ContextVar("alimail_mcp_deadline", default=None)


def check() -> None:
    """Raise OutOfTime when the current call's deadline has passed or the call has ended."""
    deadline = _current.get()
    if deadline is not None and deadline.passed():
        raise OutOfTime("the call's time ran out before its work finished")


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Work started inside (awaited, or in threads started from here) may take `seconds`; when the
    block is left, work it started that is still running stops at its next `check()`."""
    current = Deadline(time.monotonic() + seconds)
    token = _current.set(current)
    try:
        yield current
    finally:
        current.ended = True
        _current.reset(token)
