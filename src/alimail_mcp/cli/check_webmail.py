"""`alimail-mcp check-webmail DOMAIN`: does mail.<domain> lead to Alibaba Mail's webmail? (check_webmail)

Exit status: 0 it works, 1 a problem (an error finding), 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.webmail.args import CheckWebmailArgs

FLAGS = {"domain": Flag(positional=True)}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Resolve mail.<domain>, fetch http:// and https:// at the address found, and report "
        "status codes, redirects and certificate problems, with the official address to use instead."
    )
    add_arguments(p, CheckWebmailArgs, FLAGS)
    add_dns_options(p)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.webmail.check import check_webmail

    settings = settings_from_args(args)
    check = read_arguments(CheckWebmailArgs, args, FLAGS)
    result = asyncio.run(check_webmail(**dict(check), settings=settings))
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(_text(result))
    return 1 if any(f.severity == "error" for f in result.findings) else 0


def _text(result: Any) -> str:
    chain = " -> ".join([result.name, *result.cname_chain, *result.addresses[:1]])
    out = [result.summary, "", f"Record: {chain}"]
    for fetch in result.fetches:
        status = fetch.status_code if fetch.outcome != "tls-error" else fetch.tls_error
        where = f" -> {fetch.location}" if fetch.location else ""
        out.append(f"  {fetch.url}: {fetch.outcome} ({status}){where}")
    out.append("")
    out += [f"[{f.severity}] {f.code}: {f.title}" for f in result.findings]
    if result.next_steps:
        out += ["", "Next steps:", *(f"  {i}. {s}" for i, s in enumerate(result.next_steps, 1))]
    out += ["", f"Official webmail address: {result.official_address}"]
    return "\n".join(out)
