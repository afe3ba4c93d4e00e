"""The answer cache of bulk runs: kept for the answer's TTL, failures asked again, one question in flight
shared, and an audit that stops waiting does not stop the question for the others."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from alimail_mcp.dns.answer_cache import AnswerCache
from alimail_mcp.dns.client import Answer, Outcome


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def asker(answer: Answer, asked: list[str], delay: float = 0.0) -> Callable[[], Awaitable[Answer]]:
    async def ask() -> Answer:
        asked.append(answer.name)
        await asyncio.sleep(delay)
        return answer

    return ask


@pytest.mark.asyncio
async def test_a_conclusive_answer_is_kept_for_its_ttl() -> None:
    clock, asked = Clock(), list[str]()
    cache = AnswerCache(clock=clock)
    found = Answer("a.test", "TXT", Outcome.OK, records=("v=spf1 -all",), ttl=60)
    key = ("a.test.", "TXT")
    assert await cache.answer(key, asker(found, asked)) == found
    assert await cache.answer(key, asker(found, asked)) == found
    assert asked == ["a.test"] and (cache.hits, cache.misses) == (1, 1)
    clock.now += 61
    await cache.answer(key, asker(found, asked))
    assert asked == ["a.test", "a.test"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        Answer("b.test", "MX", Outcome.TIMEOUT),
        Answer("b.test", "MX", Outcome.SERVFAIL, ttl=300),
        Answer("b.test", "MX", Outcome.OK, records=("10 mx.b.test",), ttl=None),
        Answer("b.test", "MX", Outcome.OK, records=("10 mx.b.test",), ttl=0),
    ],
)
async def test_failures_and_answers_without_a_ttl_are_asked_again(answer: Answer) -> None:
    asked: list[str] = []
    cache = AnswerCache()
    for _ in range(2):
        await cache.answer(("b.test.", "MX"), asker(answer, asked))
    assert len(asked) == 2 and len(cache) == 0


@pytest.mark.asyncio
async def test_a_negative_answer_is_kept_for_its_negative_ttl() -> None:
    clock, asked = Clock(), list[str]()
    cache = AnswerCache(clock=clock)
    gone = Answer("c.test", "TXT", Outcome.NXDOMAIN, ttl=30)
    await cache.answer(("c.test.", "TXT"), asker(gone, asked))
    clock.now += 29
    await cache.answer(("c.test.", "TXT"), asker(gone, asked))
    assert asked == ["c.test"]


@pytest.mark.asyncio
async def test_a_question_in_flight_is_shared_and_survives_a_waiter_giving_up() -> None:
    asked: list[str] = []
    cache = AnswerCache()
    found = Answer("d.test", "A", Outcome.OK, records=("192.0.2.1",), ttl=60)
    key = ("d.test.", "A")
    impatient = asyncio.ensure_future(cache.answer(key, asker(found, asked, delay=0.05)))
    patient = asyncio.ensure_future(cache.answer(key, asker(found, asked, delay=0.05)))
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert await patient == found
    assert asked == ["d.test"] and len(cache) == 1
