"""`serve --transport http --workers N`: several processes answer on one port, statelessly (a request
may reach any of them), a worker that dies is replaced, and workers are refused where state lives in
one process (SSE, stdio)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from mcp.client import Client

from alimail_mcp.errors import InputError
from alimail_mcp.server.workers import check_workers
from tests.support.mcp_harness import http_server


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _wait_children(pid: int, count: int, gone: int | None = None, timeout: float = 20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = _children(pid)
        if len(kids) == count and gone not in kids:
            return kids
        time.sleep(0.1)
    raise AssertionError(f"expected {count} workers, found {_children(pid)}")


async def _route(port: int) -> None:
    async with Client(f"http://127.0.0.1:{port}/mcp") as client:
        result = await client.call_tool("route_query", {"query": "密码错误次数过多，账号被锁定了"})
        assert not result.is_error and result.structured_content["path"] == "unlock-account"


async def test_two_workers_answer_and_a_dead_one_is_replaced() -> None:
    with http_server("http", extra_args=["--workers", "2"]) as (proc, port):
        workers = _wait_children(proc.pid, 2)
        for _ in range(4):  # new connections, spread by the kernel over both workers
            await _route(port)
        os.kill(workers[0], signal.SIGKILL)
        _wait_children(proc.pid, 2, gone=workers[0])
        await _route(port)
    assert proc.returncode == 0 and _children(proc.pid) == []


@pytest.mark.parametrize(("workers", "transport"), [(2, "sse"), (2, "stdio"), (0, "http"), (65, "http")])
def test_workers_are_refused_where_they_cannot_work(workers: int, transport: str) -> None:
    with pytest.raises(InputError, match="--workers"):
        check_workers(workers, transport)


def test_the_cli_says_why_and_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alimail_mcp", "serve", "--transport", "sse", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "--workers" in done.stderr and "SSE" in done.stderr
