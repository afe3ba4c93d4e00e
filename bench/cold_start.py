"""Cold start: spawn the server, initialize, list tools, exit; compared with a bare MCPServer.

Also measures route_query in-process latency over 10,000 varied queries.

    python bench/cold_start.py [--runs 15] [--queries 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

HERE = Path(__file__).resolve().parent


async def one_start(args: list[str]) -> tuple[float, int]:
    """Seconds from spawn to a listed tool set, and how many tools were listed."""
    params = StdioServerParameters(command=sys.executable, args=args, env={"PYTHONDONTWRITEBYTECODE": "1"})
    t0 = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - t0
    return elapsed, len(tools.tools)


async def cold_start(runs: int) -> None:
    ours = ["-m", "alimail_mcp", "serve"]
    bare = [str(HERE / "bare_server.py")]
    await one_start(ours)  # warm the OS file cache and .pyc files for both before timing
    await one_start(bare)
    ours_t: list[float] = []
    bare_t: list[float] = []
    n_tools = 0
    for _ in range(runs):  # interleaved so drift in machine load hits both alike
        t, n_tools = await one_start(ours)
        ours_t.append(t)
        t, _ = await one_start(bare)
        bare_t.append(t)
    mo, mb = statistics.median(ours_t), statistics.median(bare_t)
    print(f"cold start, spawn -> initialize -> tools/list ({runs} runs each, interleaved)")
    print(f"  alimail-mcp  median {mo * 1000:7.1f} ms  (min {min(ours_t) * 1000:.1f}, {n_tools} tools)")
    print(f"  bare server  median {mb * 1000:7.1f} ms  (min {min(bare_t) * 1000:.1f}, 1 tool)")
    print(f"  ratio of medians: {mo / mb:.3f}  (aim <= 1.10)")


def varied_queries(n: int) -> list[str]:
    """Queries built from fragments so that no two in a row are the same string."""
    en = [
        "Outlook keeps asking for my password",
        "550 SPF check failed when sending to gmail",
        "webmail shows AccountFrozen",
        "forgot my password and changed phone",
        "Too many password errors",
        "how do I import a p12 certificate",
        "mail from customers never arrives",
        "ESO_LOCAL_SPAM bounce",
        "set up DMARC for our domain",
        "blacklist a sender domain",
        "503 error on mail.example.com",
        "scan the QR code to log in",
        "what's a good ramen recipe",
        "mailbox is full 10GB",
    ]
    zh = [
        "忘记密码了，手机号也换了",
        "发外部邮件报SPF校验失败",
        "网页版打不开，显示503",
        "账号被冻结了怎么办",
        "客户发来的邮件收不到",
        "怎么设置白名单",
        "Foxmail 收不到邮件，端口填什么",
        "扫码登录二维码过期",
        "密码错误次数过多被锁定",
        "MX记录怎么填",
        "今天天气怎么样",
        "S/MIME 证书怎么导入",
    ]
    rng = random.Random(7)
    pool = en + zh
    out = []
    for i in range(n):
        a, b = rng.choice(pool), rng.choice(pool)
        out.append(f"{a} {i % 97}" if i % 3 else f"{a}; {b}")
    return out


def route_latency(n: int) -> None:
    from alimail_mcp.router.route import route

    queries = varied_queries(n)
    route(queries[0])  # build the index once, outside the timing
    times = []
    for q in queries:
        t0 = time.perf_counter_ns()
        route(q)
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    p50 = times[len(times) // 2] / 1e6
    p99 = times[int(len(times) * 0.99)] / 1e6
    print(
        f"route_query in-process over {n} varied queries: p50 {p50:.3f} ms, p99 {p99:.3f} ms (aim p99 < 1 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--queries", type=int, default=10_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    asyncio.run(cold_start(args.runs))
    route_latency(args.queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
