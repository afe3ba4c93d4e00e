"""Start the real server as a subprocess for the MCP surface tests and benches.

The servers the tests and benches point it at listen on 127.0.0.1, so it runs with the operator's
opt-in ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS=1 unless `private_targets=False` (the tests of the guard)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from mcp.client.stdio import StdioServerParameters

from alimail_mcp.config import ENV_ALLOW_PRIVATE_TARGETS

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stdio_params(env: dict[str, str] | None = None, *, private_targets: bool = True) -> StdioServerParameters:
    """The SDK's stdio client passes on only a few variables (PATH, HOME, ...): PYTHONPATH, when set,
    goes too, so that the server runs the code under test and not another installed copy."""
    inherited = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "alimail_mcp", "serve"],
        env=_with_opt_in({**inherited, **(env or {})}, private_targets),
        cwd=str(ROOT),
    )


def _with_opt_in(env: dict[str, str], private_targets: bool) -> dict[str, str]:
    env = {k: v for k, v in env.items() if k != ENV_ALLOW_PRIVATE_TARGETS}
    return {**env, ENV_ALLOW_PRIVATE_TARGETS: "1"} if private_targets else env


@contextlib.contextmanager
def http_server(
    transport: str = "http",
    env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
    *,
    private_targets: bool = True,
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Run `alimail-mcp serve --transport <transport>` on a free loopback port until the block ends."""
    port = free_port()
    cmd = [sys.executable, "-m", "alimail_mcp", "serve", "--transport", transport, "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, *(extra_args or [])],
        cwd=ROOT,
        env=_with_opt_in({**os.environ, **(env or {})}, private_targets),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(proc, port)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(proc: subprocess.Popen[bytes], port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within {timeout} s")
