"""Answers shared by many audits in one run (bulk `check-dns --file`): a question any audit has asked is
answered from here until its TTL runs out, and a question still in flight is awaited, not asked again.
So the provider's own records (its SPF include, its MX hosts) are asked once per run, not once per domain.

Only conclusive answers are kept (records, no data, no such name), each for its own TTL (a negative
answer for the SOA's negative TTL); failures and answers without a TTL are asked again. Questions to a
domain's own nameservers (authoritative comparisons) never come through here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from alimail_mcp.dns.client import Answer

Key = tuple[str, str]


class AnswerCache:
    def __init__(self, *, max_ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_ttl = max_ttl
        self.clock = clock
        self._answers: dict[Key, tuple[float, Answer]] = {}
        self._asking: dict[Key, asyncio.Task[Answer]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._answers)

    async def answer(self, key: Key, ask: Callable[[], Awaitable[Answer]]) -> Answer:
        """The answer for `key`: kept, in flight for another audit, or asked now with `ask`."""
        kept = self._answers.get(key)
        if kept is not None:
            if kept[0] > self.clock():
                self.hits += 1
                return kept[1]
            del self._answers[key]
        task = self._asking.get(key)
        if task is None:
            self.misses += 1
            task = asyncio.ensure_future(ask())
            self._asking[key] = task
            task.add_done_callback(lambda done: self._settle(key, done))
        else:
            self.hits += 1
        # Shielded: an audit that runs out of time stops waiting, the question still serves the others.
        return await asyncio.shield(task)

    def _settle(self, key: Key, task: asyncio.Task[Answer]) -> None:
        self._asking.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        found = task.result()
        if found.outcome.conclusive and found.ttl is not None and found.ttl > 0:
            self._answers[key] = (self.clock() + min(float(found.ttl), self.max_ttl), found)
