"""Bulk audit: `alimail-mcp check-dns --file` over N generated domains (default 1,000) as one whole
process, through bench/dns_proxy.py (30 ms per answer) in front of the in-process test nameserver.

Prints the wall time and DNS questions of the run, checks that every domain's overall verdict and
finding codes equal those of a one-by-one audit (a sample of --verify domains, each with its own fresh
client and no shared answers), and, with checkdmarc in a virtualenv, times checkdmarc's sequential
check_domains() on the first --checkdmarc-sample domains and extrapolates to N (it audits one domain
after another, so its time grows linearly).

    python bench/bulk_audit.py [--domains 1000] [--concurrency 32] [--verify 40] [--checkdmarc VENV]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.check_dns_process import CLI  # noqa: E402
from bench.dns_audit import checkdmarc_python  # noqa: E402
from bench.dns_proxy import DnsDelayProxy  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, variant  # noqa: E402

os.environ["ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS"] = "1"  # the harness is on loopback

# Four kinds of domain, in turn: correct, no DMARC, no MX, a bare SPF without Alibaba Mail's include.
KINDS = (
    {},
    {"without": ["_dmarc TXT"]},
    {"without": ["@ MX"]},
    {"without": ["@ TXT"], "extra": '@ 600 IN TXT "v=spf1 -all"'},
)

CHECKDMARC_SEQUENTIAL = """
import json, sys, time
import dns.nameserver, checkdmarc
host, port = sys.argv[1], int(sys.argv[2])
domains = sys.argv[3:]
t0 = time.perf_counter()
checkdmarc.check_domains(domains, nameservers=[dns.nameserver.Do53Nameserver(host, port)], timeout=2.0)
print(json.dumps({"wall_s": time.perf_counter() - t0}))
"""


def domains_for(count: int) -> list[tuple[str, str]]:
    """(domain, zone text) for `count` generated domains."""
    out = []
    for i in range(count):
        name = f"bulk{i:05d}.test"
        out.append((name, variant(name, **KINDS[i % len(KINDS)])))  # type: ignore[arg-type]
    return out


def run_bulk(names: list[str], proxy: DnsDelayProxy, concurrency: int) -> tuple[float, dict[str, dict], str]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(names) + "\n")
    env = {
        **os.environ,
        "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(proxy.port),
        "ALIMAIL_MCP_DNS_BUDGET": "20",
    }
    command = [*CLI, "check-dns", "--file", listing.name, "--concurrency", str(concurrency)]
    command += ["--resolvers", proxy.address]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - t0
    os.unlink(listing.name)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return wall, {line["domain"]: line for line in lines}, done.stderr.strip().splitlines()[-1]


async def one_by_one(name: str, proxy: DnsDelayProxy) -> tuple[str, list[str]]:
    from alimail_mcp.config import Nameserver, Settings
    from alimail_mcp.dns.audit import audit_domain

    resolvers = (Nameserver(proxy.host, proxy.port),)
    settings = Settings(resolvers=resolvers, dns_budget=20.0, allow_private_targets=True)
    port = proxy.port
    result = await audit_domain(name, compare_authoritative=True, settings=settings, authoritative_port=port)
    return result.overall, sorted(f.code for f in result.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--delay-ms", type=float, default=30.0)
    parser.add_argument("--verify", type=int, default=40, help="domains also audited one by one")
    parser.add_argument("--checkdmarc", help="checkdmarc's virtualenv, python or script (or env CHECKDMARC)")
    parser.add_argument("--checkdmarc-sample", type=int, default=20)
    args = parser.parse_args()

    generated = domains_for(args.domains)
    server = serve_world(DnsTestServer().start(), *(text for _, text in generated))
    names = [name for name, _ in generated]
    machine = f"python {sys.version.split()[0]}, {os.cpu_count()} cpus"
    print(f"{machine}; {len(names)} domains, {args.delay_ms:g} ms per answer")
    try:
        with DnsDelayProxy((server.host, server.port), delay=args.delay_ms / 1000) as proxy:
            wall, lines, tally = run_bulk(names, proxy, args.concurrency)
            print(f"alimail-mcp check-dns --file, concurrency {args.concurrency}: {wall:.1f} s")
            print(f"  {tally}")
            missing = [n for n in names if n not in lines]
            step = max(1, len(names) // max(1, args.verify))
            sample = names[::step][: args.verify]
            differ = []
            for name in sample:
                overall, codes = asyncio.run(one_by_one(name, proxy))
                got = lines.get(name, {})
                bulk_codes = sorted(f["code"] for f in got.get("findings", []))
                if (got.get("overall"), bulk_codes) != (overall, codes):
                    differ.append(name)
            answered = f"{len(lines)}/{len(names)} domains answered"
            print(f"  {answered}; {len(sample)} checked one by one: {len(differ)} differ")
            if missing or differ:
                print(f"  missing: {missing[:5]} differ: {differ[:5]}")
            python = checkdmarc_python(args.checkdmarc)
            if python is not None:
                few = names[: args.checkdmarc_sample]
                out = subprocess.run(
                    [str(python), "-c", CHECKDMARC_SEQUENTIAL, proxy.host, str(proxy.port), *few],
                    capture_output=True,
                    text=True,
                    timeout=900,
                    check=True,
                )
                each = json.loads(out.stdout.strip().splitlines()[-1])["wall_s"] / len(few)
                total = each * len(names)
                print(
                    f"checkdmarc, sequential: {each * 1000:.0f} ms a domain over {len(few)} domains; "
                    f"{len(names)} domains ~{total:.0f} s ({total / wall:.0f}x our run)"
                )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
