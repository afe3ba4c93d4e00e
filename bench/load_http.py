"""Load on streamable HTTP: concurrent client sessions making mixed tool calls against one server.

Starts `alimail-mcp serve --transport http` (with a bearer token, so the guard is measured too) whose
resolver is a test nameserver (tests/support/dns_server.py, in a child process of this script so that the
clients do not slow its answers) serving the test zones: good.test, broken.test and the providers'
hosts; it also stands in for the domains' authoritative servers. The sessions are spread over a few
client processes; each opens its session (initialize, tools/list), and when all are open they make
their calls: a fixed, seeded mix of route_query, check_dns, recover_access, check_client_settings
and diagnose_send_error (and check_webmail, plan_secure_setup, diagnose_missing_mail with
--all-tools, or any list with --tools).

Prints errors, calls per second, p50/p99 latency per tool (each call timed by its client), the
server's CPU time per call and its peak memory (VmHWM from /proc/<pid>/status).

    python bench/load_http.py                       # 50 sessions x 100 calls, light client
    python bench/load_http.py --client sdk          # the SDK's client (more CPU on the client side)
    python bench/load_http.py --tools route_query,diagnose_send_error --sessions 10 --calls 20

The load is a closed loop (a session sends its next call when the last one returned), so with the
server's one event loop busy, latency is about sessions x the server's CPU time per call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcp.client import Client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared._httpx_utils import create_mcp_http_client  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, zone_file  # noqa: E402
from tests.support.mcp_harness import http_server  # noqa: E402

TOKEN = "load-test-token"
BOUNCE = """From: MAILER-DAEMON@mx.remote.test
To: alice@good.test
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.remote.test

Final-Recipient: rfc822; bob@remote.test
Action: failed
Status: 5.7.1
Diagnostic-Code: smtp; 550 5.7.1 Message rejected due to SPF policy of good.test

--b--
"""
HEADERS = """Received: from mx.remote.test (mx.remote.test [192.0.2.10])
 by mx1.qiye.aliyun.com with ESMTPS; Mon, 6 May 2024 10:05:00 +0800
Received: from client (unknown [198.51.100.7]) by mx.remote.test; Mon, 6 May 2024 10:00:00 +0800
Authentication-Results: mx1.qiye.aliyun.com; spf=pass smtp.mailfrom=remote.test; dkim=none; dmarc=none
From: alice@remote.test
To: bob@good.test
Subject: hello
Date: Mon, 6 May 2024 09:59:58 +0800
"""

MIX: dict[str, list[dict[str, Any]]] = {
    "route_query": [
        {"query": "Outlook says my password is wrong but webmail works"},
        {"query": "密码错误次数过多，账号被锁定了，多久能解锁？"},
        {"query": "550 5.7.1 SPF check failed when sending to gmail"},
        {"query": "How do I set up DKIM for my domain on Alibaba Mail?"},
        {"query": "客户收不到我们的邮件，是不是MX记录有问题"},
        {"query": "How long should I boil an egg?"},
    ],
    "check_dns": [{"domain": "good.test"}, {"domain": "broken.test", "sending_ip": "192.0.2.1"}],
    "recover_access": [
        {"description": "I forgot my password and my phone number changed"},
        {
            "lock_message": "账号已被锁定，请30分钟后再试",
            "locked_at": "2024-05-01T09:10:00+08:00",
            "now": "2024-05-01T09:20:00+08:00",
        },
        {"description": "can I log in with the QR code in the app?", "has_app": True},
    ],
    "check_client_settings": [
        {
            "email": "bob@good.test",
            "protocol": "imap",
            "incoming_server": "imap.qiye.aliyun.com",
            "incoming_port": 993,
            "incoming_security": "ssl",
            "client": "outlook",
        },
        {
            "email": "bob@good.test",
            "protocol": "pop3",
            "incoming_server": "pop.mxhichina.com",
            "incoming_port": 110,
            "outgoing_port": 25,
            "username": "bob",
        },
    ],
    "diagnose_send_error": [
        {"error_text": "550 5.1.1 <nobody@remote.test>: Recipient address rejected: User unknown"},
        {"error_text": "554 5.7.1 ESO_LOCAL_SPAM: the message was judged to be spam"},
        {"error_text": BOUNCE},
    ],
    "check_webmail": [{"domain": "good.test"}],
    "plan_secure_setup": [{"domain": "good.test"}],
    "diagnose_missing_mail": [{"domain": "good.test", "headers": HEADERS}],
}
VARIANTS = {id(MIX["diagnose_send_error"][2]): "diagnose_send_error: bounce, live DNS"}
"""Variants whose latency is also reported on a line of their own (id of the arguments in MIX)."""
CORE = ("route_query", "check_dns", "recover_access", "check_client_settings", "diagnose_send_error")
WEIGHTS = {"route_query": 4, "check_dns": 2, "recover_access": 2, "check_client_settings": 2}
"""Relative frequency of each tool in a session's calls (others: 2)."""


def plan_calls(tools: list[str], calls: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    pool = [name for name in tools for _ in range(WEIGHTS.get(name, 2))]
    return [(name, rng.choice(MIX[name])) for name in (rng.choice(pool) for _ in range(calls))]


def client(url: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
    return Client(streamable_http_client(url, http_client=http))


class SdkSession:
    """A session of the SDK's own client (it checks every structured result against its schema)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stack = contextlib.AsyncExitStack()

    async def open(self) -> None:
        self.client = await self.stack.enter_async_context(client(self.url))
        await self.client.list_tools()  # as clients do first; it also primes the output-schema cache

    async def call(self, name: str, args: dict[str, Any]) -> str | None:
        result = await self.client.call_tool(name, args)
        if result.is_error:
            return "tool error: " + " ".join(getattr(p, "text", "") for p in result.content)[:160]
        return None

    async def close(self) -> None:
        await self.stack.aclose()


class RawSession:
    """A light MCP client for load: JSON-RPC over httpx, one HTTP session, replies read from the SSE
    body. It spends a fraction of the SDK client's CPU, so the load generator does not drown the server
    on a small machine."""

    def __init__(self, url: str) -> None:
        import httpx

        self.url, self.ids = url, 0
        self.headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        self.http = httpx.AsyncClient(timeout=60)

    async def open(self) -> None:
        info = {"name": "load", "version": "1"}
        params = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": info}
        response = await self._post(
            {"jsonrpc": "2.0", "id": self._id(), "method": "initialize", "params": params}
        )
        if "mcp-session-id" in response.headers:  # a stateless server (--workers) keeps no session
            self.headers["mcp-session-id"] = response.headers["mcp-session-id"]
        self.headers["mcp-protocol-version"] = "2025-06-18"
        await self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        await self._request("tools/list", {})

    async def call(self, name: str, args: dict[str, Any]) -> str | None:
        reply = await self._request("tools/call", {"name": name, "arguments": args})
        result = reply.get("result") or {}
        if "error" in reply or result.get("isError") or "structuredContent" not in result:
            return json.dumps(reply.get("error") or result.get("content"))[:160]
        return None

    async def close(self) -> None:
        await self.http.delete(self.url, headers=self.headers)
        await self.http.aclose()

    async def _request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        response = await self._post({"jsonrpc": "2.0", "id": self._id(), "method": method, "params": params})
        for line in response.text.splitlines():
            if line.startswith("data:"):
                message: dict[str, Any] = json.loads(line[5:])
                if "id" in message:
                    return message
        return json.loads(response.text) if response.text.startswith("{") else {"error": response.text[:200]}

    async def _post(self, body: dict[str, Any]) -> Any:
        response = await self.http.post(self.url, headers=self.headers, content=json.dumps(body))
        response.raise_for_status()
        return response

    def _id(self) -> int:
        self.ids += 1
        return self.ids


async def run_calls(
    mcp: SdkSession | RawSession, calls: list[tuple[str, dict[str, Any]]], out: dict[str, list[float]]
) -> list[str]:
    errors: list[str] = []
    for name, args in calls:
        started = time.perf_counter()
        try:
            problem = await mcp.call(name, args)
        except Exception as exc:  # a transport failure is a load error to report, not a crash
            errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        elapsed = time.perf_counter() - started
        out[name].append(elapsed)
        if id(args) in VARIANTS:
            out[VARIANTS[id(args)]].append(elapsed)
        if problem:
            errors.append(f"{name}: {problem}")
    return errors


def client_worker(
    url: str, kind: str, tools: list[str], seeds: list[int], calls: int, start: Any, results: Any
) -> None:
    """One client process: opens its share of the sessions, says it is ready, and when every process
    is, makes the calls (session set-up is not in the figures; calls are)."""

    ready = False

    async def sessions() -> dict[str, Any]:
        nonlocal ready
        opened = [RawSession(url) if kind == "raw" else SdkSession(url) for _ in seeds]
        await asyncio.gather(*(mcp.open() for mcp in opened))
        results.put("ready")
        ready = True
        await asyncio.to_thread(start.wait)
        cpu = time.process_time()
        latencies: dict[str, list[float]] = defaultdict(list)
        plans = [plan_calls(tools, calls, s) for s in seeds]
        outcomes = await asyncio.gather(
            *(run_calls(m, p, latencies) for m, p in zip(opened, plans, strict=True))
        )
        cpu = time.process_time() - cpu
        await asyncio.gather(*(mcp.close() for mcp in opened), return_exceptions=True)
        return {"latencies": dict(latencies), "errors": [e for o in outcomes for e in o], "cpu": cpu}

    try:
        results.put(asyncio.run(sessions()))
    except Exception as exc:
        if not ready:
            results.put("ready")
        results.put({"latencies": {}, "errors": [f"client process: {type(exc).__name__}: {exc}"], "cpu": 0.0})


def dns_worker(address: Any, stop: Any) -> None:
    """The test nameserver in a process of its own, so that the clients do not slow its answers."""
    with DnsTestServer() as dns:
        serve_world(dns, zone_file("good.test"), zone_file("broken.test"))
        address.put((dns.address, dns.port))
        stop.wait()


def proc_status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def cpu_seconds(pid: int) -> float:
    """CPU time of the server process and of its workers (serve --workers)."""
    total = 0.0
    for one in (pid, *_children(pid)):
        parts = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def prepare(args: argparse.Namespace, url: str) -> tuple[list[str], list[str]]:
    """The tools to call, those of the core mix that are missing; one warm-up call of every variant."""
    async with client(url) as c:
        listed = [t.name for t in (await c.list_tools()).tools]
        chosen = args.tools.split(",") if args.tools else None
        wanted = [t for t in listed if t in MIX and (t in chosen if chosen else args.all_tools or t in CORE)]
        for name in wanted:  # registrations, knowledge base, first imports
            for variant in MIX[name]:
                await c.call_tool(name, variant)
    return wanted, [t for t in CORE if t not in listed]


def measure(args: argparse.Namespace, url: str, pid: int) -> int:
    wanted, missing = asyncio.run(prepare(args, url))
    rss_warm = proc_status(pid).get("VmRSS", "?")
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = max(1, min(args.client_procs, args.sessions))
    shares = [list(range(args.sessions))[i::procs] for i in range(procs)]
    workers = [
        ctx.Process(target=client_worker, args=(url, args.client, wanted, share, args.calls, start, results))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        results.get()  # "ready": sessions open, waiting for the start
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    start.set()
    parts = [results.get() for _ in workers]
    wall = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    status = proc_status(pid)
    for worker in workers:
        worker.join()

    latencies: dict[str, list[float]] = defaultdict(list)
    for part in parts:
        for name, values in part["latencies"].items():
            latencies[name] += values
    errors = [e for part in parts for e in part["errors"]]
    clients_cpu = sum(part["cpu"] for part in parts)
    total = sum(len(v) for k, v in latencies.items() if k not in VARIANTS.values())
    print(
        f"sessions {args.sessions} x calls {args.calls} from {procs} client processes "
        f"({args.client} client); "
        f"{os.cpu_count()} CPUs"
    )
    print(f"tools: {', '.join(wanted)}")
    if missing:
        print(f"not registered (left out): {', '.join(missing)}")
    print(f"calls completed {total}, errors {len(errors)}")
    for line in sorted(set(errors))[:10]:
        print(f"  {errors.count(line)} x {line}")
    print(
        f"wall {wall:.2f} s, {total / wall:.0f} calls/s; server CPU {cpu:.1f} s "
        f"({cpu / wall:.0%} of one core, {cpu / max(total, 1) * 1000:.1f} ms a call); "
        f"client processes {clients_cpu:.1f} s"
    )
    print(f"\n{'tool':<40}{'calls':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in [*wanted, *(v for v in VARIANTS.values() if v in latencies)]:
        values = latencies.get(name, [])
        if values:
            p50, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
            print(f"{name:<40}{len(values):>7}{p50:>9.1f}{p99:>9.1f}{max(values) * 1000:>9.1f}")
    print(
        f"\nserver memory: peak (VmHWM) {status.get('VmHWM', '?')}, now (VmRSS) {status.get('VmRSS', '?')}, "
        f"after warm-up {rss_warm}"
    )
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--calls", type=int, default=100, help="calls per session")
    parser.add_argument("--client-procs", type=int, default=2, help="processes the sessions are spread over")
    parser.add_argument("--client", choices=("raw", "sdk"), default="raw", help="load client (default raw)")
    parser.add_argument("--all-tools", action="store_true", help="also check_webmail and the issue-5 tools")
    parser.add_argument("--tools", help="comma-separated tools to call instead of the default mix")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    address, stop = ctx.Queue(), ctx.Event()
    dns = ctx.Process(target=dns_worker, args=(address, stop))
    dns.start()
    try:
        resolver, dns_port = address.get(timeout=30)
        env = {
            "ALIMAIL_MCP_RESOLVERS": resolver,
            "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(dns_port),
            "ALIMAIL_MCP_AUTH_TOKEN": TOKEN,
            "ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS": "1",  # the domains' own nameservers are on loopback
        }
        extra = ["--workers", str(args.workers)] if args.workers > 1 else []
        with http_server("http", env=env, extra_args=extra) as (proc, port):
            return measure(args, f"http://127.0.0.1:{port}/mcp", proc.pid)
    finally:
        stop.set()
        dns.join(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
