"""`alimail-mcp diagnose`: explain an SMTP reply, a webmail/client error or a bounce message.

    alimail-mcp diagnose "550 5.7.26 ... gsmtp"
    alimail-mcp diagnose --file bounce.eml --domain example.com --json
    alimail-mcp diagnose --dir bounces/ > results.jsonl

With --dir every regular file of the folder is diagnosed (without DNS unless --live) and one JSON
line per file is written to stdout. Exit status (cli/status.py): 0 diagnosed (with --dir: every file
read), 3 the text was not recognised as a bounce, an SMTP reply or a client/webmail error (said on
stderr), 2 bad input (a binary file, an empty text).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.status import NOT_CHECKED, OK
from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.diagnosis.args import DiagnoseSendErrorArgs
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.diagnosis.models import DiagnosisResult

FLAGS = {
    "error_text": Flag(name="text", positional=True, optional=True),
    "domain": Flag(metavar="D"),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = "Explain why a message failed, whether retrying helps and what to do."
    add_arguments(p, DiagnoseSendErrorArgs, FLAGS)
    p.add_argument("--file", metavar="F", help="read the error or the bounce (.eml) from F ('-' for stdin)")
    p.add_argument("--dir", metavar="DIR", help="diagnose every file in DIR; JSON Lines on stdout")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    live = p.add_mutually_exclusive_group()
    live.add_argument(
        "--no-live", dest="live", action="store_false", default=None, help="skip the DNS checks"
    )
    live.add_argument("--live", dest="live", action="store_true", help="run the DNS checks also with --dir")
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.dir:
        return _run_dir(args)
    text = _input_text(args)
    result = asyncio.run(_diagnose(args, text, live=args.live is not False))
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_result(result, Terminal.for_stdout())
    if result.kind == "unrecognized":
        print(
            "alimail-mcp diagnose: the text was not recognised as a bounce, an SMTP reply or a client or "
            "webmail error message; nothing was diagnosed",
            file=sys.stderr,
        )
        return NOT_CHECKED
    return OK


async def _diagnose(args: argparse.Namespace, text: str, *, live: bool) -> DiagnosisResult:
    from alimail_mcp.diagnosis.engine import diagnose

    # The model checks a form of the text without the undecodable bytes that surrogateescape kept for
    # the MIME parser (pydantic refuses lone surrogates); the engine gets the text as read.
    checked = read_arguments(DiagnoseSendErrorArgs, args, FLAGS, error_text=_printable(text))
    settings = settings_from_args(args) if live else None
    return await diagnose(**(dict(checked) | {"error_text": text}), settings=settings, live=live)


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _input_text(args: argparse.Namespace) -> str:
    if args.error_text is not None and args.file:
        raise InputError("error_text", "give the text or --file, not both")
    if args.error_text is not None:
        return str(args.error_text)
    if args.file and args.file != "-":
        return read_file(Path(args.file), "--file")
    if args.file == "-" or not sys.stdin.isatty():
        return _text_of(sys.stdin.buffer.read(), "--file" if args.file else "TEXT", "stdin")
    raise InputError("error_text", "give the error text, --file F, --dir DIR, or pipe it on stdin")


def read_file(path: Path, field: str) -> str:
    """A file's bytes as text; bytes that are not UTF-8 survive (the MIME parser decodes them)."""
    from alimail_mcp.diagnosis.classify import MAX_INPUT_BYTES

    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(field, f"{path.name} is over the {MAX_INPUT_BYTES}-byte (10 MB) limit")
        return _text_of(path.read_bytes(), field, path.name)
    except OSError as exc:
        raise InputError(field, f"cannot read {path}: {exc.strerror}") from None


_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")
SNIFF_BYTES = 8192


def _text_of(data: bytes, field: str, name: str) -> str:
    """The bytes as text, or InputError when they are a binary file: a NUL byte, or more than one byte in
    ten a control character, in the first 8 KB (a bounce with 8-bit or badly encoded text passes)."""
    head = data[:SNIFF_BYTES]
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    if b"\x00" in head or controls * 10 > len(head):
        raise InputError(field, f"{name} is a binary file, not a bounce, an SMTP reply or an error message")
    return data.decode("utf-8", "surrogateescape")


def _run_dir(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputError("--dir", f"{args.dir} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    for path in files:
        line: dict[str, Any] = {"file": path.name}
        try:
            result = asyncio.run(_diagnose(args, read_file(path, "--dir"), live=bool(args.live)))
            line.update(dir_line(result))
        except InputError as exc:
            line["error"] = str(exc)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0


def dir_line(result: DiagnosisResult) -> dict[str, Any]:
    """One JSON line per file: the most common reason among its recipients, the first recipient's details."""
    recipients = result.recipients
    reasons = Counter(r.reason for r in recipients)
    first = recipients[0] if recipients else None
    return {
        "kind": result.kind,
        "recipient": first.recipient if first else None,
        "reason": reasons.most_common(1)[0][0] if reasons else None,
        "reply_code": first.reply_code if first else None,
        "enhanced_status": first.enhanced_status if first else None,
        "permanent": first.permanent if first else None,
        "cause": first.cause if first else None,
        "receiver": first.receiver if first else None,
        "retry_helps": result.retry_helps,
        "intent": result.intent,
        "path": result.path,
        "recipients": [
            {
                "recipient": r.recipient,
                "reason": r.reason,
                "cause": r.cause,
                "enhanced_status": r.enhanced_status,
            }
            for r in recipients
        ],
    }


_KINDS = {
    "bounce": "Bounce message",
    "error_text": "Error message",
    "not_a_failure": "Not a delivery failure (an auto-reply, a feedback report or a delivery report)",
    "unrecognized": "Not recognised",
}


def print_result(result: DiagnosisResult, term: Terminal) -> None:
    w = term.out.write
    w(f"{term.style(_KINDS.get(result.kind, result.kind), 'bold')}\n")
    if result.intent:
        term.line(f"{result.intent} / {result.path} ({result.skill})", "Troubleshooting path: ")
    term.line(result.summary)
    if result.recipients:
        w(f"\n{'RECIPIENT':<34}{'REASON':<16}{'REPLY':<7}{'STATUS':<10}{'PERMANENT':<11}CAUSE\n")
        for r in result.recipients:
            permanent = {True: "yes", False: "no", None: "-"}[r.permanent]
            w(
                f"{_cut(r.recipient or '-', 33):<34}{r.reason:<16}{r.reply_code or '-':<7}"
                f"{r.enhanced_status or '-':<10}{permanent:<11}{r.cause or '-'}\n"
            )
            if r.diagnostic:
                term.line(f'"{_cut(r.diagnostic, 200)}"', "    server said: ")
    if result.live is not None:
        live = result.live
        term.heading(f"DNS CHECK of {live.domain}: {live.status}")
        term.resolver(live.resolver)
        if live.spf is not None:
            decided = f" (decided by {live.spf.decided_by})" if live.spf.decided_by else ""
            term.line(f"SPF for {live.spf.ip}: {live.spf.result}{decided}", "  ")
        term.findings(live.findings, title="FINDINGS OF THE DNS CHECK")
    term.steps("NEXT STEPS", result.next_steps)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
