"""Replicas behind a real load balancer: two `alimail-mcp serve --transport http --stateless` processes
behind HAProxy (Debian's `haproxy` package) on loopback, with the bearer token and the Host/Origin
rules on, loaded by bench/load_http.py's sessions through the balancer. Mid-run one replica is stopped
(SIGTERM: it finishes what it is answering and closes its port) and started again; the run counts the
errors clients saw.

    python bench/replicas.py [--sessions 50] [--calls 100] [--stop-after 3] [--down 2]

HAProxy checks each replica's port every 200 ms, takes a stopped one out at the first failed check,
and retries a request whose connection failed on the other replica (`retry-on conn-failure`,
`option redispatch`): a stateless request can go to any replica.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_http import TOKEN, dns_worker, measure  # noqa: E402
from tests.support.mcp_harness import _wait_listening, free_port  # noqa: E402

HAPROXY = """global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
frontend mcp
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    server a 127.0.0.1:{a} check inter 200ms fall 1 rise 2
    server b 127.0.0.1:{b} check inter 200ms fall 1 rise 2
"""


def replica(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "alimail_mcp", "serve", "--transport", "http", "--stateless"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _wait_listening(proc, port)
    return proc


def bounce(
    slot: list[subprocess.Popen[bytes]], port: int, env: dict[str, str], after: float, down: float
) -> None:
    """Stop the replica in `slot` after `after` seconds, start it again `down` seconds later."""
    time.sleep(after)
    slot[0].terminate()
    slot[0].wait(15)
    print(f"  replica on :{port} stopped at {after:.1f} s", file=sys.stderr)
    time.sleep(down)
    slot[0] = replica(port, env)
    print(f"  replica on :{port} back after {down:.1f} s", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--stop-after", type=float, default=3.0, help="seconds into the run")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the replica stays stopped")
    args = parser.parse_args()
    args.client, args.tools, args.all_tools = "raw", None, False
    if shutil.which("haproxy") is None:
        print("haproxy not found: apt-get install haproxy", file=sys.stderr)
        return 2

    ctx = multiprocessing.get_context("spawn")
    address, stop = ctx.Queue(), ctx.Event()
    dns = ctx.Process(target=dns_worker, args=(address, stop))
    dns.start()
    lb_port, port_a, port_b = free_port(), free_port(), free_port()
    folder = Path(tempfile.mkdtemp(prefix="alimail-replicas-"))
    replicas: list[list[subprocess.Popen[bytes]]] = []
    balancer = None
    try:
        resolver, dns_port = address.get(timeout=30)
        env = {
            **os.environ,
            "ALIMAIL_MCP_RESOLVERS": resolver,
            "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(dns_port),
            "ALIMAIL_MCP_AUTH_TOKEN": TOKEN,
            "ALIMAIL_MCP_ALLOWED_HOSTS": f"127.0.0.1:{lb_port}",  # the name clients use: the balancer's
            "ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS": "1",
        }
        replicas = [[replica(port_a, env)], [replica(port_b, env)]]
        config = folder / "haproxy.cfg"
        config.write_text(HAPROXY.format(port=lb_port, a=port_a, b=port_b))
        balancer = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stderr=subprocess.DEVNULL)
        _wait_listening(balancer, lb_port)
        print(f"HAProxy :{lb_port} -> replicas :{port_a}, :{port_b} (stateless, token on)")
        chaos = threading.Thread(
            target=bounce, args=(replicas[0], port_a, env, args.stop_after + 1.0, args.down), daemon=True
        )
        chaos.start()  # the warm-up in measure() takes about a second before the timed run
        return measure(args, f"http://127.0.0.1:{lb_port}/mcp", replicas[1][0].pid)
    finally:
        if balancer is not None:
            balancer.terminate()
            balancer.wait(10)
        for slot in replicas:
            slot[0].terminate()
            slot[0].wait(10)
        stop.set()
        dns.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
