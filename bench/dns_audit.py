"""DNS audit speed: a full check_dns audit of a correct and of a broken domain, through a proxy that
delays every DNS answer by 30 ms (bench/dns_proxy.py) in front of the in-process test nameserver.

Prints wall time, wall time in round trips (wall / delay) and the number of DNS questions. With
checkdmarc installed in a separate virtualenv, runs it on the same zones through the same proxy and
prints how many times faster the audit is.

    python bench/dns_audit.py [--runs 5] [--delay-ms 30] [--checkdmarc /tmp/checkdmarc-venv]

checkdmarc is found through --checkdmarc or the CHECKDMARC env var: a virtualenv folder, its
python, or its `checkdmarc` script. Create one with:
    python3 -m venv /tmp/checkdmarc-venv && /tmp/checkdmarc-venv/bin/pip install checkdmarc
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dns_proxy import DnsDelayProxy  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, zone_file  # noqa: E402

from alimail_mcp.config import Nameserver, Settings  # noqa: E402
from alimail_mcp.dns.audit import audit_domain  # noqa: E402

DOMAINS = ("good.test", "broken.test")
# The operator's opt-in: every server here, the domains' own nameservers included, is on loopback.
os.environ["ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS"] = "1"

# Runs inside checkdmarc's own virtualenv: time check_domains() for one domain (interpreter start-up
# and imports excluded), asking only the proxy.
CHECKDMARC_DRIVER = """
import json, sys, time
import dns.nameserver, checkdmarc
host, port, domain = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = [dns.nameserver.Do53Nameserver(host, port)]
t0 = time.perf_counter()
checkdmarc.check_domains([domain], nameservers=ns, timeout=2.0)
print(json.dumps({"wall_s": time.perf_counter() - t0}))
"""


async def audit_once(domain: str, proxy: DnsDelayProxy) -> tuple[float, int, str, list[str]]:
    settings = Settings(
        resolvers=(Nameserver(proxy.host, proxy.port),),
        dns_timeout=2.0,
        dns_budget=8.0,
        allow_private_targets=True,  # the domains' own nameservers are the proxy on loopback
    )
    t0 = time.perf_counter()
    result = await audit_domain(
        domain, compare_authoritative=True, settings=settings, authoritative_port=proxy.port
    )
    wall = time.perf_counter() - t0
    return wall, result.queries, result.overall, sorted({f.code for f in result.findings})


def checkdmarc_python(given: str | None) -> Path | None:
    text = given or os.environ.get("CHECKDMARC")
    if not text:
        return None
    path = Path(text)
    if path.is_dir():
        path = path / "bin" / "python"
    elif path.name.startswith("checkdmarc"):
        path = path.parent / "python"
    return path if path.exists() else None


def checkdmarc_once(python: Path, domain: str, proxy: DnsDelayProxy) -> float:
    out = subprocess.run(
        [str(python), "-c", CHECKDMARC_DRIVER, proxy.host, str(proxy.port), domain],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["wall_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=30.0)
    parser.add_argument("--checkdmarc", help="checkdmarc's virtualenv, python or script (or env CHECKDMARC)")
    args = parser.parse_args()
    delay = args.delay_ms / 1000

    server = serve_world(DnsTestServer().start(), *(zone_file(d) for d in DOMAINS))
    with DnsDelayProxy((server.host, server.port), delay=delay) as proxy:
        print(f"DNS audit through a {args.delay_ms:g} ms-per-answer proxy; median of {args.runs} runs\n")
        print(f"{'domain':<14}{'overall':<10}{'queries':>8}{'wall ms':>10}{'round trips':>13}")
        ours: dict[str, float] = {}
        for domain in DOMAINS:
            runs = [asyncio.run(audit_once(domain, proxy)) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            ours[domain] = wall
            _, queries, overall, codes = runs[0]
            print(f"{domain:<14}{overall:<10}{queries:>8}{wall * 1000:>10.0f}{wall / delay:>13.1f}")
            print(f"{'':<14}findings: {', '.join(codes) or '-'}")

        python = checkdmarc_python(args.checkdmarc)
        if python is None:
            print("\ncheckdmarc: skipped (not found; pass --checkdmarc VENV or set CHECKDMARC)")
        else:
            print(f"\ncheckdmarc ({python}), same zones, same proxy:")
            print(f"{'domain':<14}{'wall ms':>10}{'round trips':>13}{'audit is faster by':>20}")
            for domain in DOMAINS:
                wall = statistics.median(checkdmarc_once(python, domain, proxy) for _ in range(args.runs))
                print(f"{domain:<14}{wall * 1000:>10.0f}{wall / delay:>13.1f}{wall / ours[domain]:>19.1f}x")
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
