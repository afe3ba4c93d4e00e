"""`alimail-mcp check-client`: check a mail client's POP/IMAP/SMTP settings (check_client_settings).

Exit status (cli/status.py): 0 nothing to fix, 1 a setting to fix (an error finding), 3 a probe could
not run (the resolver or the network did not answer) and nothing else is wrong, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.status import verdict
from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import add_arguments, read_arguments
from alimail_mcp.clients.args import CheckClientSettingsArgs


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Compare a mail client's settings with Alibaba Mail's and print the correct ones for "
        "that client and site. --probe also connects to the configured servers (never sends a password)."
    )
    add_arguments(p, CheckClientSettingsArgs)
    add_dns_options(p)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.clients.check import check_client_settings

    settings = settings_from_args(args)
    check = read_arguments(CheckClientSettingsArgs, args)
    result = asyncio.run(check_client_settings(**dict(check), settings=settings))
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_result(result, Terminal.for_stdout())
    from alimail_mcp.dns.health import RESOLVER_CODES

    problems = any(f.severity == "error" and f.code not in RESOLVER_CODES for f in result.findings)
    unchecked = any(p.status == "not-checked" for p in result.probes)
    return verdict(problems=problems, unchecked=unchecked)


def print_result(result: Any, term: Terminal) -> None:
    term.line(result.summary)
    if result.probes:
        term.resolver(result.resolver)
    # reminders are listed on their own below; a finding that only says "fine" adds nothing to the table
    term.findings(f for f in result.findings if f.severity != "ok" and not f.code.endswith("-reminder"))
    term.heading(f"CORRECT SETTINGS for {result.client_label}, site {result.site}")
    term.line(f"Webmail: https://{result.site_webmail}. Where: {result.where}", "  ")
    width = max(len(row.label) for row in result.settings)
    for row in result.settings:
        mark = "" if row.matches is None else ("  ok" if row.matches else f"  (you have: {row.configured})")
        term.line(f"{row.value}{mark}", f"  {row.label.ljust(width)}  ")
    if result.probes:
        term.heading("PROBE")
        for p in result.probes:
            tls = f", {p.tls_version}" if p.tls_version else ""
            why = f": {p.error}" if p.error else ""
            term.line(f"{p.role} {p.host}:{p.port} ({p.mode}{tls}): {p.status.replace('-', ' ')}{why}", "  ")
    term.steps("NEXT STEPS", result.next_steps)
    term.steps("REMINDERS", result.reminders)
    term.steps("ASSUMED", result.assumed)
