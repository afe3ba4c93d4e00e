"""Interop with a client nobody here wrote: the MCP Inspector's CLI (Node, the TypeScript SDK) lists
the tools and calls each one once, over stdio and over streamable HTTP.

    python bench/interop.py                    # both transports
    python bench/interop.py --transport stdio

The driving is tests/support/inspector.py (also used by the opt-in test tests/interop/): the inspector
is pinned (@modelcontextprotocol/inspector@0.15.0; another package or version:
ALIMAIL_INSPECTOR=...) and run with `npx --offline` from the local npm cache. DNS goes to the test
nameserver serving the test zones. Over HTTP a second run sets a token and checks that the
inspector, which sends none, is refused. Exit status 0 when everything passed (or the inspector is
not available here, which is printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.dns_server import DnsTestServer  # noqa: E402
from tests.support.inspector import PACKAGE, Outcome, interop_env, over_http, over_stdio, probe  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transport", choices=("stdio", "http", "both"), default="both")
    args = parser.parse_args()
    missing = probe()
    if missing:
        print(f"skipped: {missing}")
        return 0
    with DnsTestServer() as dns:
        env = interop_env(dns)
        outcomes: list[Outcome] = []
        if args.transport in ("stdio", "both"):
            outcomes += over_stdio(env)
        if args.transport in ("http", "both"):
            outcomes += over_http(env)
    print(f"MCP Inspector CLI ({PACKAGE}) against alimail-mcp\n")
    for o in outcomes:
        print(f"{'PASS' if o.ok else 'FAIL'}  {o.transport:<6}{o.what:<24}{o.seconds:5.1f} s  {o.detail}")
    failed = [o for o in outcomes if not o.ok]
    print(f"\n{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
