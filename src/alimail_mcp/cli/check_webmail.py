"""`alimail-mcp check-webmail DOMAIN`: does mail.<domain> lead to Alibaba Mail's webmail? (check_webmail)

Exit status (cli/status.py): 0 it works, 1 a problem (an error finding), 3 the name could not be
looked up (the resolver or the domain's DNS did not answer), 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.status import verdict
from alimail_mcp.cli.terminal import Terminal
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
        print_result(result, Terminal.for_stdout())
    from alimail_mcp.dns.health import RESOLVER_CODES

    unchecked = {*RESOLVER_CODES, "webmail.dns-unreachable"}
    problems = any(f.severity == "error" and f.code not in unchecked for f in result.findings)
    return verdict(problems=problems, unchecked=any(f.code in unchecked for f in result.findings))


def print_result(result: Any, term: Terminal) -> None:
    term.resolver(result.resolver)
    term.line(result.summary)
    chain = " -> ".join([result.name, *result.cname_chain, *result.addresses[:1]])
    term.line()
    term.line(chain, "Record: ")
    for fetch in result.fetches:
        if fetch.outcome == "skipped":
            term.line(f"{fetch.url}: not checked (no address to fetch)", "  ")
            continue
        status = fetch.status_code if fetch.outcome != "tls-error" else fetch.tls_error
        where = f" -> {fetch.location}" if fetch.location else ""
        detail = f" ({status})" if status is not None else ""
        term.line(f"{fetch.url}: {fetch.outcome}{detail}{where}", "  ")
    term.findings(result.findings)
    term.steps("NEXT STEPS", result.next_steps, numbered=True)
    term.line()
    term.line(result.official_address, "Official webmail address: ")
