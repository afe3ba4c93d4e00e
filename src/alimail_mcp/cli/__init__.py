"""`alimail-mcp` command line: one subcommand module per job, all calling the engine the tools call.

COMMANDS lists the subcommands; each module exposes `configure(parser)`, which describes the command,
adds its arguments (a tool's from its arguments model, cli/tool_args.py) and sets `handler` (a
function taking the parsed args and returning an exit code, cli/status.py). Only the command being run
is configured, so a command imports nothing the others need.

What goes wrong is reported here in one line on stderr, naming the subcommand: bad input (an InputError,
naming the flag) exits 2, a broken knowledge base 3, Ctrl-C 130; a closed output pipe (`| head`) ends
the command quietly; anything else is a bug, reported in one line with where to report it (the
traceback only with --debug).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from alimail_mcp import __version__
from alimail_mcp.cli.status import BAD_INPUT, EPILOG, INTERRUPTED, NOT_CHECKED
from alimail_mcp.errors import InputError, KnowledgeError

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
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_debug(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _command_in(argv)
    for name, summary in COMMANDS:
        command = sub.add_parser(name, help=summary, epilog=EPILOG)
        _add_debug(command)
        if argv is None or name == wanted:
            module = importlib.import_module(f"alimail_mcp.cli.{name.replace('-', '_')}")
            module.configure(command)
    return parser


def _add_debug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="on an internal error, print the traceback (for a bug report)",
    )


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The first word that is not an option: the command (the top level has no option taking a value)."""
    return next((a for a in argv or () if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    command = _command_in(argv) or ""
    who = f"alimail-mcp {command}".strip() if command in dict(COMMANDS) else "alimail-mcp"
    stdout = sys.stdout
    sys.stdout = _PipeSafe(stdout)
    try:
        return _run(argv)
    except InputError as exc:  # bad input from any subcommand: say which rule, exit 2
        _say(f"{who}: invalid {exc.field}: {exc.rule}")
        return BAD_INPUT
    except KnowledgeError as exc:
        _say(f"{who}: the knowledge base is broken ({exc}); run `alimail-mcp check-skills`")
        return NOT_CHECKED
    except KeyboardInterrupt:
        # Work cut short leaves cancelled futures whose collection asyncio would log, traceback and all.
        logging.getLogger("asyncio").disabled = True
        _say(f"{who}: interrupted")
        return INTERRUPTED
    except Exception as exc:  # a bug: one line and where to report it; the traceback only when asked
        if debug:
            import traceback

            traceback.print_exc()
        _say(
            f"{who}: internal error ({type(exc).__name__}); this is a bug: please report it to the project's "
            "issue tracker with the command and what it prints with --debug"
        )
        return NOT_CHECKED
    finally:
        sys.stdout = stdout


def _run(argv: list[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return BAD_INPUT
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # before the interpreter's last flush, which would report a closed pipe
    except InputError as exc:
        names: dict[str, str] = getattr(args, "flag_names", {})
        raise InputError(names.get(exc.field, exc.field), _flags_in(exc.rule, names)) from None
    return code


def _flags_in(rule: str, names: dict[str, str]) -> str:
    """The rule with the tool fields it names spelt as the command line spells them (`lock_message` is
    --lock-message); only names with an underscore, which never occur as plain words."""
    import re

    fields = sorted((f for f in names if "_" in f), key=len, reverse=True)
    if not fields:
        return rule
    return re.sub(r"\b(" + "|".join(map(re.escape, fields)) + r")\b", lambda m: names[m.group(1)], rule)


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


class _PipeSafe:
    """stdout that a reader going away (`| head -1`) does not break: from the first BrokenPipeError on,
    output is dropped (the descriptor then points at /dev/null, so that the interpreter's last flush
    has nothing to complain about) and the command finishes with its own exit status."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _utf8_stdio() -> None:
    """Read and write UTF-8 whatever the platform's code page (Chinese text must survive)."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace" if stream is not sys.stdin else "strict")
