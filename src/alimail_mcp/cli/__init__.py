"""`alimail-mcp` command line: one subcommand module per job, all calling the engine the tools call.

Each module in COMMANDS exposes `register(subparsers)`, which adds its subparser and sets
`handler` (a function taking the parsed args and returning an exit code). An InputError from a
handler is reported here, naming the subcommand, with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from alimail_mcp import __version__
from alimail_mcp.errors import InputError

COMMANDS = (
    "serve",
    "route",
    "recover",
    "check_dns",
    "check_client",
    "check_webmail",
    "diagnose",
    "secure_plan",
    "smime_check",
    "missing_mail",
    "check_skills",
)
"""Subcommand modules under alimail_mcp.cli, in the order `--help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alimail-mcp",
        description="Alibaba Mail (阿里邮箱) administration: MCP server and command line.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"alimail_mcp.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except InputError as exc:  # bad input from any subcommand: say which rule, exit 2
        print(f"alimail-mcp {args.command}: {exc}", file=sys.stderr)
        return 2


def _utf8_stdio() -> None:
    """Read and write UTF-8 whatever the platform's code page (Chinese text must survive)."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace" if stream is not sys.stdin else "strict")
