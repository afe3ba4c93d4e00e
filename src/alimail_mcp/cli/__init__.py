"""`alimail-mcp` command line: one subcommand module per job, all calling the engine the tools call.

COMMANDS lists the subcommands; each module exposes `configure(parser)`, which describes the command,
adds its arguments (a tool's from its arguments model, cli/tool_args.py) and sets `handler` (a
function taking the parsed args and returning an exit code). Only the command being run is configured,
so a command imports nothing the others need. An InputError from a handler is reported here, naming
the subcommand, with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from alimail_mcp import __version__
from alimail_mcp.errors import InputError

COMMANDS: tuple[tuple[str, str], ...] = (
    ("serve", "run the MCP server"),
    ("route", "route a question (English or Chinese) to its troubleshooting path"),
    ("recover", "plan access recovery (forgotten password, lock, QR login, account states)"),
    ("check-dns", "audit a domain's DNS (MX, SPF, DKIM, DMARC, webmail) for Alibaba Mail"),
    ("check-client", "check a mail client's settings (Outlook, Foxmail, iPhone Mail, Thunderbird, Android)"),
    ("check-webmail", "check that mail.<domain> opens Alibaba Mail's webmail (record, HTTP, HTTPS)"),
    ("diagnose", "explain a bounce, an SMTP reply or a webmail/client error message"),
    ("secure-plan", "plan SPF, DKIM and DMARC (with dates), S/MIME and sender filters for a domain"),
    ("smime-check", "check an S/MIME certificate file (.p12/.pfx asks for its password)"),
    (
        "missing-mail",
        "find why mail sent to a domain did not arrive (MX, mailbox settings, spam filtering, headers)",
    ),
    ("dmarc-reports", "read DMARC aggregate reports: who sends as the domain, and when to move to reject"),
    ("check-skills", "validate every knowledge-base file (skills/) against its model"),
)
"""(command, one-line help), in the order `--help` lists them; the module is the command's name with
underscores (`check-dns` is alimail_mcp.cli.check_dns)."""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of the command `argv` names (every command's without argv)."""
    parser = argparse.ArgumentParser(
        prog="alimail-mcp",
        description="Alibaba Mail (阿里邮箱) administration: MCP server and command line.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _command_in(argv)
    for name, summary in COMMANDS:
        command = sub.add_parser(name, help=summary)
        if argv is None or name == wanted:
            module = importlib.import_module(f"alimail_mcp.cli.{name.replace('-', '_')}")
            module.configure(command)
    return parser


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The first word that is not an option: the command (the top level has no option taking a value)."""
    return next((a for a in argv or () if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
