"""DMARC report analysis speed: the whole process (`alimail-mcp dmarc-reports FILE --json`, interpreter
start-up, reading, live SPF checks of every source on the loopback test nameserver, JSON out) on a
generated report of 20,000 records, each from its own address; beside it, with parsedmarc installed in a
separate virtualenv, parsedmarc's own command line on the same file, offline (`parsedmarc --offline`).

    python bench/dmarc_reports.py [--records 20000] [--runs 3] [--parsedmarc /tmp/parsedmarc-venv]

parsedmarc is found through --parsedmarc or the PARSEDMARC env var (a virtualenv folder, its python or
its `parsedmarc` script). It is never a dependency of this project; create the venv with:
    python3 -m venv /tmp/parsedmarc-venv && /tmp/parsedmarc-venv/bin/pip install parsedmarc==11.1.0
Also prints where our time goes, in process (reading, live checks, the result).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.dmarc_reports import large_report  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, zone_file  # noqa: E402

from alimail_mcp.config import Nameserver, Settings  # noqa: E402

DOMAIN = "good.test"
# The operator's opt-in: the test nameserver is on loopback.
os.environ["ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS"] = "1"


_MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'peak-rss-kib {peak}', file=sys.stderr)\n"
    "raise SystemExit(done.returncode)\n"
)
"""Runs a command and reports its own peak RSS (each run in a fresh parent, so runs do not mix)."""


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, the command's peak RSS in MiB and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command], capture_output=True, text=True, env=env, timeout=600
    )
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr[-500:]}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak-rss-kib"))
    return wall, peak // 1024, done.stdout


def parsedmarc_script(given: str | None) -> Path | None:
    text = given or os.environ.get("PARSEDMARC")
    if not text:
        return None
    path = Path(text)
    if path.is_dir():
        path = path / "bin" / "parsedmarc"
    elif path.name.startswith("python"):
        path = path.parent / "parsedmarc"
    return path if path.exists() else None


async def phases(path: Path, server: DnsTestServer) -> dict[str, float]:
    """Where the time goes in process: reading and adding up, the live checks, the result."""
    from alimail_mcp.dmarc_reports import analyze, explain
    from alimail_mcp.dns.resolver import ResolverClient

    settings = Settings(resolvers=(Nameserver(server.host, server.port),), allow_private_targets=True)
    t0 = time.perf_counter()
    reading = analyze.read_items([(path.name, path.read_bytes())])
    t1 = time.perf_counter()
    client = ResolverClient.from_settings(settings)
    verdicts = await analyze._verdicts(reading, settings, client)
    t2 = time.perf_counter()
    result = explain.compose(reading, verdicts)
    result.model_dump_json()
    t3 = time.perf_counter()
    return {
        "read": t1 - t0,
        "live SPF checks": t2 - t1,
        "result + JSON": t3 - t2,
        "questions": client.queries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parsedmarc", help="parsedmarc's virtualenv, python or script (or env PARSEDMARC)")
    args = parser.parse_args()

    server = serve_world(DnsTestServer().start(), zone_file(DOMAIN))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"google.com!{DOMAIN}!1717200000!1717286399.xml"
        path.write_text(large_report(DOMAIN, args.records), encoding="utf-8")
        size = path.stat().st_size
        print(f"report: {args.records:,} records, {size / 1e6:.1f} MB of XML; median of {args.runs} runs\n")

        env = {**os.environ, "ALIMAIL_MCP_RESOLVERS": server.address, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "alimail_mcp", "dmarc-reports", str(path), "--json"]
        script = parsedmarc_script(args.parsedmarc)
        other_command = [str(script), "--offline", str(path)] if script else None
        # Interleaved, so that both see the same load on a machine shared with others.
        ours: list[tuple[float, int, str]] = []
        theirs: list[tuple[float, int, str]] = []
        for _ in range(args.runs):
            ours.append(run_once(command, env))
            if other_command:
                theirs.append(run_once(other_command, dict(os.environ)))

        data = json.loads(ours[0][2])
        senders: dict[str, int] = {}
        for source in data["sources"]:
            senders[source["sender"]] = senders.get(source["sender"], 0) + 1
        wall = statistics.median(r[0] for r in ours)
        print(f"alimail-mcp dmarc-reports --json: {wall:6.2f} s wall, peak RSS {max(r[1] for r in ours)} MiB")
        print(f"  {data['totals']['messages']:,} messages, {data['totals']['sources']:,} sources: {senders}")

        split = asyncio.run(phases(path, server))
        questions = int(split.pop("questions"))
        spent = ", ".join(f"{k} {v:.2f} s" for k, v in split.items())
        print(f"  in process: {spent}; {questions} DNS questions")

        if not theirs:
            print("\nparsedmarc: skipped (not found; pass --parsedmarc VENV or set PARSEDMARC)")
        else:
            other, peak = statistics.median(r[0] for r in theirs), max(r[1] for r in theirs)
            ratios = sorted(t[0] / o[0] for o, t in zip(ours, theirs, strict=True))
            print(f"\nparsedmarc --offline ({script}): {other:6.2f} s wall, peak RSS {peak} MiB")
            print(
                f"  whole process is {other / wall:.1f}x faster (medians); "
                f"run by run {ratios[0]:.1f}x to {ratios[-1]:.1f}x"
            )
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
