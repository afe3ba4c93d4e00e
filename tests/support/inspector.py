"""Interop with a client nobody here wrote: the MCP Inspector's CLI (Node, the TypeScript SDK) lists
the tools and calls each one once, over stdio and over streamable HTTP.

    python bench/interop.py                    # both transports
    python bench/interop.py --transport stdio

The inspector comes through `npx -y @modelcontextprotocol/inspector` (another package or version:
ALIMAIL_INSPECTOR=@modelcontextprotocol/inspector@0.15.0). DNS goes to the test nameserver
(tests/dns_server.py) serving the test zones. Over HTTP a second run sets a token and checks that the
inspector, which sends none, is refused. Exit status 0 when everything passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dns_server import DnsTestServer  # noqa: E402
from tests.dns_zones import serve_world, zone_file  # noqa: E402
from tests.mcp_harness import http_server  # noqa: E402

PACKAGE = os.environ.get("ALIMAIL_INSPECTOR", "@modelcontextprotocol/inspector")
INTEROP_ZONE = """
$ORIGIN interop.test.
@     NS  ns1.interop.test.
ns1   A   127.0.0.1
mail  A   127.0.0.1
"""
HEADERS = (
    "Received: from mx.remote.test (mx.remote.test [192.0.2.10])\n"
    " by mx1.qiye.aliyun.com with ESMTPS; Mon, 6 May 2024 10:05:00 +0800\n"
    "From: alice@remote.test\nTo: bob@good.test\nSubject: hello\nDate: Mon, 6 May 2024 09:59:58 +0800\n"
)
CALLS: dict[str, dict[str, str]] = {
    "route_query": {"query": "客户收不到我们的邮件，MX 记录对吗？"},
    "check_dns": {"domain": "good.test", "sending_ip": "203.0.113.1"},
    "recover_access": {"description": "I forgot my password", "has_secure_phone": "true"},
    "check_client_settings": {"email": "bob@good.test", "incoming_port": "993", "client": "outlook"},
    "check_webmail": {"domain": "interop.test"},
    "diagnose_send_error": {"error_text": "550 5.1.1 <nobody@remote.test>: Recipient address rejected"},
    "plan_secure_setup": {"domain": "good.test"},
    "diagnose_missing_mail": {"domain": "good.test", "headers": HEADERS},
}
"""One call per tool, as --tool-arg key=value pairs (the inspector converts them by the schema)."""


@dataclass
class Outcome:
    transport: str
    what: str
    ok: bool
    detail: str
    seconds: float


def inspector_command() -> list[str] | None:
    npx = shutil.which("npx")
    return [npx, "-y", PACKAGE, "--cli"] if npx else None


def inspector_available(timeout: float = 180) -> str | None:
    """None when the inspector's CLI runs here, else why not (npx missing, package not fetched)."""
    command = inspector_command()
    if command is None:
        return "npx is not installed"
    try:
        done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"{PACKAGE} could not be fetched within {timeout:.0f} s"
    if done.returncode != 0 or "--cli" not in done.stdout + done.stderr:
        return f"{PACKAGE} did not run: {(done.stderr or done.stdout).strip()[-300:]}"
    return None


def run_inspector(target: list[str], method: list[str], env: dict[str, str]) -> tuple[int, Any, str, float]:
    command = inspector_command()
    assert command is not None
    started = time.monotonic()
    done = subprocess.run(
        [*command, *target, *method], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )
    elapsed = time.monotonic() - started
    try:
        data = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return done.returncode, data, (done.stderr or done.stdout).strip()[-400:], elapsed


def exercise(transport: str, target: list[str], env: dict[str, str]) -> list[Outcome]:
    """tools/list, then tools/call for every listed tool (in parallel: each is its own inspector run)."""
    code, listed, err, seconds = run_inspector(target, ["--method", "tools/list"], env)
    tools = [t["name"] for t in (listed or {}).get("tools", [])] if code == 0 else []
    outcomes = [
        Outcome(transport, "tools/list", bool(tools), f"{len(tools)} tools" if tools else err, seconds)
    ]

    def call(name: str) -> Outcome:
        if name not in CALLS:
            return Outcome(transport, name, False, "no sample arguments in bench/interop.py", 0.0)
        pairs = [f"{k}={v}" for k, v in CALLS[name].items()]
        method = ["--method", "tools/call", "--tool-name", name, "--tool-arg", *pairs]
        code, result, err, seconds = run_inspector(target, method, env)
        if code != 0 or not isinstance(result, dict):
            return Outcome(transport, name, False, err, seconds)
        if result.get("isError"):
            text = " ".join(c.get("text", "") for c in result.get("content", []))
            return Outcome(transport, name, False, f"tool error: {text[:200]}", seconds)
        structured = result.get("structuredContent") or {}
        ok = bool(structured.get("summary"))
        return Outcome(
            transport, name, ok, str(structured.get("summary", "no structuredContent"))[:90], seconds
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes += list(pool.map(call, tools))
    return outcomes


def over_stdio(env: dict[str, str]) -> list[Outcome]:
    target = ["--transport", "stdio", "--", sys.executable, "-m", "alimail_mcp", "serve"]
    return exercise("stdio", target, env)


def over_http(env: dict[str, str]) -> list[Outcome]:
    with http_server("http", env=env) as (_, port):
        outcomes = exercise("http", [f"http://127.0.0.1:{port}/mcp", "--transport", "http"], env)
    # the same client against a server that wants a token it does not send: refused
    with http_server("http", env={**env, "ALIMAIL_MCP_AUTH_TOKEN": "interop-token"}) as (_, port):
        code, _, err, seconds = run_inspector(
            [f"http://127.0.0.1:{port}/mcp", "--transport", "http"], ["--method", "tools/list"], env
        )
    refused = code != 0 and ("401" in err or "bearer token" in err.lower())
    outcomes.append(Outcome("http", "no token -> refused", refused, err[-120:] or f"exit {code}", seconds))
    return outcomes


def test_zones(dns: DnsTestServer) -> dict[str, str]:
    serve_world(dns, zone_file("good.test"), INTEROP_ZONE)
    return {
        "ALIMAIL_MCP_RESOLVERS": dns.address,
        "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(dns.port),
        "ALIMAIL_MCP_DNS_BUDGET": "4",
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transport", choices=("stdio", "http", "both"), default="both")
    args = parser.parse_args()
    missing = inspector_available()
    if missing:
        print(f"skipped: {missing}")
        return 0
    with DnsTestServer() as dns:
        env = test_zones(dns)
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
