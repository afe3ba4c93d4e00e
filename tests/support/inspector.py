"""Interop with a client nobody here wrote: the MCP Inspector's CLI (Node, the TypeScript SDK) lists
the tools and calls each one once, over stdio and over streamable HTTP. Used by the opt-in test
(tests/interop/test_interop.py) and by bench/interop.py.

The inspector is pinned (INSPECTOR_VERSION; another package or version: ALIMAIL_INSPECTOR=...) and run with
`npx --offline`, so it comes from the local npm cache and npm never asks the registry: without the
package cached, `probe()` says so within seconds (fill the cache once, with network, by running
FETCH_HINT). DNS goes to the test nameserver (tests/support/dns_server.py) serving the test zones.
Over HTTP a second run sets a token and checks that the inspector, which sends none, is refused.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file
from tests.support.mcp_harness import http_server

INSPECTOR_VERSION = "0.15.0"
PACKAGE = os.environ.get("ALIMAIL_INSPECTOR", f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}")
FETCH_HINT = f"npx -y {PACKAGE} --cli --help"
PROBE_TIMEOUT = 30.0
"""Enough for npx to install the package from the cache on a cold disk (about 12 s seen here); a
missing package fails with ENOTCACHED well before it."""
CALL_TIMEOUT = 60.0
"""One inspector run (a listing or a call); a warm one takes about 2 s."""
NPM_ENV = {"npm_config_offline": "true", "npm_config_update_notifier": "false", "npm_config_fund": "false"}
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
DMARC_REPORT = base64.b64encode(
    gzip.compress(
        b"<feedback><report_metadata><org_name>receiver.test</org_name><report_id>1</report_id>"
        b"<date_range><begin>1717200000</begin><end>1717286399</end></date_range></report_metadata>"
        b"<policy_published><domain>good.test</domain><p>none</p></policy_published><record><row>"
        b"<source_ip>203.0.113.5</source_ip><count>3</count><policy_evaluated><disposition>none"
        b"</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row></record></feedback>"
    )
).decode("ascii")
"""A gzip report as base64 (one line: the inspector passes a JSON list of it)."""
CALLS: dict[str, dict[str, str]] = {
    "route_query": {"query": "客户收不到我们的邮件，MX 记录对吗？"},
    "check_dns": {"domain": "good.test", "sending_ip": "203.0.113.1"},
    "recover_access": {"description": "I forgot my password", "has_secure_phone": "true"},
    "check_client_settings": {"email": "bob@good.test", "incoming_port": "993", "client": "outlook"},
    "check_webmail": {"domain": "interop.test"},
    "diagnose_send_error": {"error_text": "550 5.1.1 <nobody@remote.test>: Recipient address rejected"},
    "plan_secure_setup": {"domain": "good.test"},
    "diagnose_missing_mail": {"domain": "good.test", "headers": HEADERS},
    "analyze_dmarc_reports": {"reports": json.dumps([DMARC_REPORT]), "domain": "good.test"},
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
    return [npx, "--offline", "--yes", PACKAGE, "--cli"] if npx else None


def probe(timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when the inspector's CLI runs here from the npm cache, else why not (npx missing, the
    package not cached). Never reaches the network: npx runs offline."""
    command = inspector_command()
    if command is None:
        return "npx is not installed"
    try:
        done = subprocess.run(
            [*command, "--help"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **NPM_ENV},
        )
    except subprocess.TimeoutExpired:
        return f"{PACKAGE} did not start within {timeout:.0f} s"
    if done.returncode != 0 or "--cli" not in done.stdout + done.stderr:
        why = (done.stderr or done.stdout).strip()[-300:]
        return f"{PACKAGE} is not in the npm cache (fill it once with `{FETCH_HINT}`): {why}"
    return None


def run_inspector(target: list[str], method: list[str], env: dict[str, str]) -> tuple[int, Any, str, float]:
    command = inspector_command()
    assert command is not None
    started = time.monotonic()
    done = subprocess.run(
        [*command, *target, *method],
        capture_output=True,
        text=True,
        timeout=CALL_TIMEOUT,
        env={**os.environ, **NPM_ENV, **env},
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
            return Outcome(transport, name, False, "no sample arguments in tests/support/inspector.py", 0.0)
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


def interop_env(dns: DnsTestServer) -> dict[str, str]:
    """Serve the test zones on `dns`; the environment that points the server at it."""
    serve_world(dns, zone_file("good.test"), INTEROP_ZONE)
    return {
        "ALIMAIL_MCP_RESOLVERS": dns.address,
        "ALIMAIL_MCP_AUTHORITATIVE_PORT": str(dns.port),
        "ALIMAIL_MCP_DNS_BUDGET": "4",
        "ALIMAIL_MCP_ALLOW_PRIVATE_TARGETS": "1",  # the test nameserver also stands for the domain's own
    }
