"""`alimail-mcp missing-mail DOMAIN`: why mail sent to the domain did not arrive (diagnose_missing_mail).

Exit status: 0 the evidence decides the cause, 1 a question is still open, 3 the domain's DNS could
not be read, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.missing_mail.models import MissingMailDiagnosis

SYMPTOM_CHOICES = (  # missing_mail.models.SYMPTOMS, restated so that building the parser stays cheap
    "uses_pop_client",
    "mailbox_full",
    "has_rules_or_forwarding",
    "sender_got_bounce",
    "bounce_text",
    "found_in_spam",
    "only_some_senders",
    "recently_changed_dns",
)
MAX_FILE_BYTES = 1_048_576


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "missing-mail",
        help="find why mail sent to a domain did not arrive (MX, mailbox settings, spam filtering, headers)",
        description="Rank the likely causes of missing inbound mail from the domain's live DNS, the "
        "symptoms, a message's headers and the bounce; say which question to ask next when the evidence "
        "cannot decide.",
    )
    p.add_argument("domain", help="the receiving mail domain, e.g. example.com")
    p.add_argument("--sender", metavar="ADDRESS|DOMAIN", help="who sent the missing mail")
    p.add_argument(
        "--symptom", action="append", choices=SYMPTOM_CHOICES, help="what the user reports (repeatable)"
    )
    p.add_argument("--headers", metavar="FILE", help="a file with the message's raw headers ('-' for stdin)")
    p.add_argument("--bounce", metavar="FILE", help="a file with the bounce the sender got ('-' for stdin)")
    p.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    add_dns_options(p)
    p.add_argument("--authoritative-port", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.missing_mail.diagnose import diagnose_missing_mail

    if args.headers == "-" and args.bounce == "-":
        raise InputError("--bounce", "only one of --headers and --bounce can read stdin")
    settings = settings_from_args(args)
    result = asyncio.run(
        diagnose_missing_mail(
            args.domain,
            sender=args.sender,
            symptoms=args.symptom,
            headers=read_text(args.headers, "--headers") if args.headers else None,
            bounce_text=read_text(args.bounce, "--bounce") if args.bounce else None,
            settings=settings,
            authoritative_port=args.authoritative_port,
        )
    )
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_diagnosis(result, sys.stdout)
    if result.dns_overall == "unreachable":
        return 3
    return 0 if result.decided else 1


def read_text(path: str, flag: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read(MAX_FILE_BYTES + 1)
        file = Path(path)
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InputError(flag, f"{path} is larger than {MAX_FILE_BYTES} bytes")
        return file.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise InputError(flag, f"cannot read {path}: {exc.strerror or exc}") from None


def print_diagnosis(result: MissingMailDiagnosis, out: TextIO) -> None:
    w = out.write
    state = "decided" if result.decided else "open question"
    w(f"{result.domain}: missing mail ({state}; path {result.path}; DNS {result.dns_overall})\n")
    w(f"{result.summary}\n\nLIKELY CAUSES\n")
    for cause in result.causes:
        w(f"  {cause.rank}. {cause.score:4.0%}  {cause.title}  [{cause.id}]\n")
        for e in cause.evidence[:4]:
            quote = f'  "{e.quote}"' if e.quote else ""
            w(f"        + {e.says}{quote}\n")
        for e in cause.against[:2]:
            w(f"        - {e.says}\n")
        if cause.rank <= 3:
            for step in cause.steps:
                w(f"        > {step}\n")
            for change in cause.dns_changes:
                w(f"        $ {change.command}\n")
    if result.next_question is not None:
        q = result.next_question
        w(f"\nNEXT QUESTION\n  {q.ask}\n  (why: {q.why})\n")
    if result.headers is not None and result.headers.hops:
        w("\nHOPS (oldest first)\n")
        for hop in result.headers.hops:
            delay = f"+{hop.delay_s}s" if hop.delay_s is not None else "?"
            mark = "  <- delayed" if hop.delayed else ""
            w(f"  {hop.number}. {delay:>8}  {hop.from_host or '?'} -> {hop.by_host or '?'}{mark}\n")
        verdicts = ", ".join(f"{v.method}={v.result}" for v in result.headers.auth if v.position == 0)
        if verdicts:
            w(f"  authentication: {verdicts}\n")
        flagged = [v.system for v in result.headers.spam if v.flagged]
        if flagged:
            w(f"  flagged as spam by: {', '.join(dict.fromkeys(flagged))}\n")
    if result.findings:
        w("\nFINDINGS\n")
        for f in result.findings:
            w(f"  [{f.severity.value}] {f.code}: {f.title}\n")
    if result.next_steps:
        w("\nNEXT STEPS\n")
        for line in result.next_steps:
            w(f"  - {line}\n")
