"""Whole-process `alimail-mcp check-dns` against checkdmarc on the same zones, the way a user runs them:
interpreter start, imports, the audit and the printed report, through bench/dns_proxy.py in front of the
in-process test nameserver, at 30 ms per answer and with DNS answering at once (0 ms).

    python bench/check_dns_process.py [--runs 9] [--delays 30,0] [--checkdmarc /tmp/checkdmarc-venv]

checkdmarc runs as `python -c "import checkdmarc ...; check_domains(...); print(json)"` in its own
virtualenv (its command line cannot take a resolver port): its interpreter start and imports are
counted, like ours. Create it with
    python3 -m venv /tmp/checkdmarc-venv && /tmp/checkdmarc-venv/bin/pip install checkdmarc==6.0.4
Our side runs with the compiled knowledge cache warm (as after a first run; the first run compiles it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dns_audit import checkdmarc_python  # noqa: E402
from bench.dns_proxy import DnsDelayProxy  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, zone_file  # noqa: E402

DOMAINS = ("good.test", "broken.test")
# The installed command, as a user runs it.
_SCRIPT = Path(sys.executable).with_name("alimail-mcp")
CLI = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from alimail_mcp.cli import main; sys.exit(main())"]
)

CHECKDMARC_PROCESS = """
import json, sys
import dns.nameserver, checkdmarc
host, port, domain = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = [dns.nameserver.Do53Nameserver(host, port)]
result = checkdmarc.check_domains([domain], nameservers=ns, timeout=2.0)
print(json.dumps(result, default=str)[:200])
"""


def ours(domain: str, proxy: DnsDelayProxy, env: dict[str, str]) -> float:
    command = [*CLI, "check-dns", domain, "--resolvers", proxy.address]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        raise SystemExit(f"check-dns {domain} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return wall


def theirs(python: Path, domain: str, proxy: DnsDelayProxy) -> float:
    command = [str(python), "-c", CHECKDMARC_PROCESS, proxy.host, str(proxy.port), domain]
    t0 = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--delays", default="30,0", help="ms per answer, comma list")
    parser.add_argument("--checkdmarc", help="checkdmarc's virtualenv, python or script (or env CHECKDMARC)")
    args = parser.parse_args()
    python = checkdmarc_python(args.checkdmarc)
    cache = tempfile.mkdtemp(prefix="alimail-kc-")
    server = serve_world(DnsTestServer().start(), *(zone_file(d) for d in DOMAINS))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; median of {args.runs} whole-process runs")
    print(f"{'delay':>6}  {'domain':<12}{'alimail-mcp ms':>15}{'checkdmarc ms':>15}{'faster by':>11}")
    try:
        for delay_ms in (float(d) for d in args.delays.split(",")):
            with DnsDelayProxy((server.host, server.port), delay=delay_ms / 1000) as proxy:
                env = {
                    **os.environ,
                    "ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS": "1",  # the zones' own nameservers are on loopback
                    "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(proxy.port),
                    "ALIMAIL_MCP_KNOWLEDGE_CACHE": cache,
                }
                for domain in DOMAINS:
                    ours(domain, proxy, env)  # compiles the knowledge cache, warms the page cache
                    mine = statistics.median(ours(domain, proxy, env) for _ in range(args.runs))
                    line = f"{delay_ms:>4g}ms  {domain:<12}{mine * 1000:>15.0f}"
                    if python is not None:
                        theirs(python, domain, proxy)
                        other = statistics.median(theirs(python, domain, proxy) for _ in range(args.runs))
                        line += f"{other * 1000:>15.0f}{other / mine:>10.2f}x"
                    print(line)
    finally:
        server.stop()
        shutil.rmtree(cache, ignore_errors=True)
    if python is None:
        print("checkdmarc: skipped (not found; pass --checkdmarc VENV or set CHECKDMARC)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
