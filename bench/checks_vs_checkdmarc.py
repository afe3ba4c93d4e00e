"""The harness-like domains of issue #13 (tests/support/harness_like.py), side by side: the audit, and
checkdmarc 6.0.4 on the same zones, when installed in a separate virtualenv.

For each domain: the defect it carries (or none), whether the audit found exactly the expected findings
at their severity, and what checkdmarc said about the part concerned (its section invalid or warned,
its `dnssec` false). checkdmarc has no blocklist check, and fetches MTA-STS policies with its own HTTP
client and the system's resolver, which cannot find the harness's policy hosts.

    python bench/checks_vs_checkdmarc.py [--checkdmarc /tmp/checkdmarc-venv]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dns_audit import checkdmarc_python  # noqa: E402
from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.harness_like import CASES, LIST_ZONES, Case, PolicyServer, serve  # noqa: E402
from tests.support.local_servers import CertAuthority  # noqa: E402

from alimail_mcp.config import Nameserver, Settings  # noqa: E402
from alimail_mcp.dns.audit import audit_domain  # noqa: E402

os.environ["ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS"] = "1"
FAMILIES = ("blocklist", "mta_sts", "tls_rpt", "bimi", "dnssec")
SECTIONS = {"mta_sts": "mta_sts", "tls_rpt": "smtp_tls_reporting", "bimi": "bimi"}
DRIVER = """
import json, sys
import dns.nameserver, checkdmarc
host, port = sys.argv[1], int(sys.argv[2])
ns = [dns.nameserver.Do53Nameserver(host, port)]
for domain in sys.argv[3:]:
    print(json.dumps(checkdmarc.check_domains([domain], nameservers=ns, timeout=1.0), default=str))
"""


async def ours(server: DnsTestServer, authority: CertAuthority) -> dict[str, bool]:
    exact = {}
    async with PolicyServer(authority) as policies:
        settings = Settings(
            resolvers=(Nameserver(server.host, server.port),),
            dns_timeout=0.5,
            dns_budget=5.0,
            allow_private_targets=True,
            mta_sts_port=policies.port,
            blocklist_zones=tuple(LIST_ZONES.items()),
        )
        for case in CASES:
            result = await audit_domain(case.domain, sending_ip=list(case.sending_ip), settings=settings)
            actionable = {f.code for f in result.findings if f.severity.value in ("error", "warning")}
            exact[case.domain] = (result.overall, actionable) == (case.overall, set(case.codes))
    return exact


def theirs(python: Path, server: DnsTestServer) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [str(python), "-c", DRIVER, server.host, str(server.port), *(c.domain for c in CASES)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {r["domain"]: r for r in results}


def flagged(result: dict[str, Any], family: str) -> bool | None:
    """Whether checkdmarc's result flags `family`; None where it has no such check."""
    if family == "blocklist":
        return None
    if family == "dnssec":
        return result.get("dnssec") is not True
    section = result.get(SECTIONS[family]) or {}
    return not section.get("valid", False) or bool(section.get("warnings"))


def defect_families(case: Case) -> list[str]:
    return [f for f in FAMILIES if any(code.startswith(f + ".") for code in case.codes)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkdmarc", help="checkdmarc's virtualenv, python or script (or env CHECKDMARC)")
    args = parser.parse_args()
    authority = CertAuthority(Path(tempfile.mkdtemp(prefix="alimail-bench-ca-")))
    os.environ["SSL_CERT_FILE"] = str(authority.pem_file())
    server = serve(DnsTestServer().start())
    exact = asyncio.run(ours(server, authority))
    python = checkdmarc_python(args.checkdmarc)
    other = theirs(python, server) if python else {}
    print(f"{'domain':<22}{'defect':<34}{'audit exact':<13}checkdmarc")
    found = missed = false_flags = 0
    for case in CASES:
        families = defect_families(case)
        label = " ".join(sorted(case.codes)) or "(correct)"
        verdict = "-"
        if case.domain in other:
            result = other[case.domain]
            if families:
                flags = [flagged(result, f) for f in families]
                verdict = ", ".join(
                    f"{f}: {'no such check' if v is None else 'flagged' if v else 'not flagged'}"
                    for f, v in zip(families, flags, strict=True)
                )
                found += any(flags)
                missed += not any(flags)
            else:
                present = [f for f in ("mta_sts", "tls_rpt", "bimi", "dnssec") if flagged(result, f)]
                verdict = f"flags {', '.join(present)}" if present else "nothing flagged"
                false_flags += bool(present)
        print(f"{case.domain:<22}{label[:33]:<34}{'yes' if exact[case.domain] else 'NO':<13}{verdict}")
    defective = sum(1 for c in CASES if defect_families(c))
    print(f"\naudit: {sum(exact.values())}/{len(CASES)} domains exactly as expected")
    if other:
        print(
            f"checkdmarc: {found}/{defective} defects flagged in the right part, {missed} not; "
            f"{false_flags}/{len(CASES) - defective} domains without such a defect flagged anyway"
        )
    else:
        print("checkdmarc: skipped (not found; pass --checkdmarc VENV or set CHECKDMARC)")
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
