"""`serve --transport http --workers N`: N server processes answering on one listening socket.

The parent binds the socket and forks the workers; the kernel hands each new connection to one of
them. Streamable HTTP runs stateless here (no session is kept between requests), so any worker can
answer any request and nothing is shared between them; a worker that dies is started again. SSE keeps
each client's stream in one process, so it is refused with workers.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any

from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.process import BaseProcess

    from mcp.server.mcpserver import MCPServer

    from alimail_mcp.config import Settings

MAX_WORKERS = 64


def check_workers(workers: int, transport: str) -> None:
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError("--workers", f"must be between 1 and {MAX_WORKERS}")
    if workers > 1 and transport != "http":
        why = "stdio is one client, and an SSE stream lives in one process"
        raise InputError("--workers", f"needs --transport http: {why}")


def listening_socket(host: str, port: int) -> socket.socket:
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bare, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_workers(
    make_server: Callable[[Settings], MCPServer], host: str, port: int, settings: Settings, workers: int
) -> int:
    """Start the workers, each serving `make_server(settings)`, and keep them running until SIGINT or
    SIGTERM; returns the exit status."""
    from alimail_mcp.server.http_app import serving

    sock = listening_socket(host, port)
    context = multiprocessing.get_context("fork")
    running: dict[int, BaseProcess] = {}
    stop: list[int] = []

    def start(slot: int) -> None:
        process = context.Process(
            target=_worker, args=(make_server, sock, host, port, settings), name=f"alimail-mcp-worker-{slot}"
        )
        process.start()
        running[slot] = process

    def on_signal(number: int, _frame: Any) -> None:
        stop.append(number)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for slot in range(workers):
            start(slot)
        where = serving("http", host, port)
        sys.stderr.write(f"alimail-mcp: serving {where} with {workers} workers (stateless; Ctrl-C stops)\n")
        sys.stderr.flush()
        while not stop:
            multiprocessing.connection.wait([p.sentinel for p in running.values()], timeout=0.5)
            for slot, process in list(running.items()):
                if not process.is_alive() and not stop:
                    start(slot)  # a worker that died (killed, out of memory) is replaced
    finally:
        for process in running.values():
            if process.is_alive():
                process.terminate()
        for process in running.values():
            process.join(5)
            if process.is_alive():
                process.kill()
        for number, handler in previous.items():
            signal.signal(number, handler)
        sock.close()
    return 130 if stop and stop[0] == signal.SIGINT else 0


def _worker(
    make_server: Callable[[Settings], MCPServer],
    sock: socket.socket,
    host: str,
    port: int,
    settings: Settings,
) -> None:
    import anyio

    from alimail_mcp.server.http_app import run_http

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    anyio.run(run_http, make_server(settings), "http", host, port, settings, [sock])
