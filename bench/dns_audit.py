"""DNS audit speed: a full check_dns audit of a correct and of a broken domain, through a proxy that
delays every DNS answer by 30 ms (bench/dns_proxy.py) in front of the in-process test nameserver.

Every check has work to do: good.test is signed (DNSSEC, with its DS), publishes MTA-STS (the policy
served by a loopback HTTPS server whose test authority SSL_CERT_FILE names), TLS-RPT and BIMI, and a
sending IP is given, so the IP and the domain are looked up in the blocklists (their zones served by the
test nameserver); broken.test adds a BIMI record without DMARC, a DBL listing and a PBL-listed IP.

Prints wall time, wall time in round trips (wall / delay), the depth in round trips the network alone
accounts for (the audit again with a long delay: (wall_long - wall) / (long - delay), so the CPU's
share, the same in both, drops out; a loaded machine inflates the first figure, not this one) and the
number of DNS questions. With
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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dns_proxy import DnsDelayProxy  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.dns_zones import serve_world, zone_file  # noqa: E402
from tests.support.dnssec_zones import sign  # noqa: E402
from tests.support.local_servers import CertAuthority, HttpServer  # noqa: E402

from alimail_mcp.config import Nameserver, Settings  # noqa: E402
from alimail_mcp.dns.audit import audit_domain  # noqa: E402

DOMAINS = ("good.test", "broken.test")
SENDING_IP = {"good.test": "203.0.113.5", "broken.test": "198.51.100.9"}
GOOD_EXTRA = """
_mta-sts       TXT    "v=STSv1; id=20261202"
mta-sts        A      127.0.0.1
_smtp._tls     TXT    "v=TLSRPTv1; rua=mailto:tls-reports@good.test"
default._bimi  TXT    "v=BIMI1; l=https://good.test/logo.svg; a=https://good.test/vmc.pem"
"""
LONG_DELAY = 0.2
"""Seconds per answer of the second measurement, long enough that the CPU's share of a round trip is small."""
POLICY = "version: STSv1\r\nmode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n"
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


def world(server: DnsTestServer) -> DnsTestServer:
    """The two domains, good.test signed with its DS, and the list entries of broken.test."""
    signed = sign(zone_file("good.test") + GOOD_EXTRA, "good.test")
    broken = zone_file("broken.test") + '\ndefault._bimi TXT "v=BIMI1; l=https://broken.test/logo.svg"\n'
    serve_world(server, signed.text, broken)
    server.add("good.test.", "DS", signed.ds)
    server.add("broken.test.dbl.spamhaus.org.", "A", "127.0.1.2")
    server.add("9.100.51.198.zen.spamhaus.org.", "A", "127.0.0.10")
    return server


async def audit_once(
    domain: str, proxy: DnsDelayProxy, policy_port: int
) -> tuple[float, int, str, list[str]]:
    settings = Settings(
        resolvers=(Nameserver(proxy.host, proxy.port),),
        dns_timeout=2.0,
        dns_budget=8.0,
        allow_private_targets=True,  # the domains' own nameservers and the policy host are on loopback
        mta_sts_port=policy_port,
    )
    t0 = time.perf_counter()
    result = await audit_domain(
        domain,
        compare_authoritative=True,
        sending_ip=SENDING_IP[domain],
        settings=settings,
        authoritative_port=proxy.port,
    )
    wall = time.perf_counter() - t0
    return wall, result.queries, result.overall, sorted({f.code for f in result.findings})


async def measure(
    proxy: DnsDelayProxy, runs: int, delay: float
) -> dict[str, tuple[float, float, int, str, list[str]]]:
    """Per domain: median wall time with the delay, the same with LONG_DELAY, questions, verdict, codes."""
    authority = CertAuthority(Path(tempfile.mkdtemp(prefix="alimail-bench-ca-")))
    os.environ["SSL_CERT_FILE"] = str(authority.pem_file())  # the policy host's test authority
    server = HttpServer(
        200,
        tls=authority.server_context("mta-sts.good.test"),
        body=POLICY.encode(),
        content_type="text/plain",
    )
    out = {}
    async with server:
        for domain in DOMAINS:
            proxy.delay = delay
            runs_delayed = [await audit_once(domain, proxy, server.port) for _ in range(runs)]
            proxy.delay = LONG_DELAY
            runs_long = [await audit_once(domain, proxy, server.port) for _ in range(runs)]
            _, queries, overall, codes = runs_delayed[0]
            proxy.delay = delay
            out[domain] = (
                statistics.median(r[0] for r in runs_delayed),
                statistics.median(r[0] for r in runs_long),
                queries,
                overall,
                codes,
            )
    return out


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

    server = world(DnsTestServer().start())
    with DnsDelayProxy((server.host, server.port), delay=delay) as proxy:
        print(f"DNS audit, all checks, through a {args.delay_ms:g} ms-per-answer proxy", end="")
        print(f"; median of {args.runs} runs")
        print(f"depth: (wall at {LONG_DELAY * 1000:g} ms - wall) / the difference of the delays: round trips")
        print("without the CPU's share\n")
        print(f"{'domain':<14}{'overall':<10}{'queries':>8}{'wall ms':>10}{'round trips':>13}{'depth':>7}")
        results = asyncio.run(measure(proxy, args.runs, delay))
        ours: dict[str, float] = {}
        for domain, (wall, long, queries, overall, codes) in results.items():
            ours[domain] = wall
            depth = (long - wall) / (LONG_DELAY - delay)
            times = f"{wall * 1000:>10.0f}{wall / delay:>13.1f}{depth:>7.1f}"
            print(f"{domain:<14}{overall:<10}{queries:>8}{times}")
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
