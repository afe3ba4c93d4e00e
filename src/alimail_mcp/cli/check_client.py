"""`alimail-mcp check-client`: check a mail client's POP/IMAP/SMTP settings (check_client_settings).

Exit status: 0 nothing to fix, 1 a setting to fix (an error finding), 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
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
        print(_text(result))
    return 1 if any(f.severity == "error" for f in result.findings) else 0


def _text(result: Any) -> str:
    out = [result.summary, ""]
    for f in result.findings:
        if f.severity != "info" or not f.code.endswith("-reminder"):
            out.append(f"[{f.severity}] {f.code}: {f.title}")
    out += [
        "",
        f"Correct settings for {result.client_label}, site {result.site} (webmail {result.site_webmail})",
    ]
    out.append(f"Where: {result.where}")
    width = max(len(row.label) for row in result.settings)
    for row in result.settings:
        mark = "" if row.matches is None else ("  ok" if row.matches else f"  (you have: {row.configured})")
        out.append(f"  {row.label.ljust(width)}  {row.value}{mark}")
    if result.probes:
        out += ["", "Probe:"]
        for p in result.probes:
            tls = f", {p.tls_version}" if p.tls_version else ""
            out.append(f"  {p.role} {p.host}:{p.port} ({p.mode}{tls}): {p.status}")
    out += ["", "Reminders:", *(f"  - {r}" for r in result.reminders)]
    if result.assumed:
        out += ["", "Assumed:", *(f"  - {a}" for a in result.assumed)]
    return "\n".join(out)
