"""`alimail-mcp missing-mail DOMAIN`: why mail sent to the domain did not arrive (diagnose_missing_mail).

Exit status: 0 the evidence decides the cause, 1 a question is still open, 3 the domain's DNS could
not be read, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.errors import InputError
from alimail_mcp.missing_mail.args import SYMPTOMS, DiagnoseMissingMailArgs

if TYPE_CHECKING:
    from alimail_mcp.missing_mail.models import MissingMailDiagnosis

FLAGS = {
    "domain": Flag(positional=True),
    "sender": Flag(metavar="ADDRESS|DOMAIN"),
    "symptoms": Flag(name="symptom", choices=SYMPTOMS),
    "headers": Flag(from_file=True),
    "bounce_text": Flag(name="bounce", from_file=True),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Rank the likely causes of missing inbound mail from the domain's live DNS, the "
        "symptoms, a message's headers and the bounce; say which question to ask next when the evidence "
        "cannot decide."
    )
    add_arguments(p, DiagnoseMissingMailArgs, FLAGS)
    p.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.missing_mail.diagnose import diagnose_missing_mail

    if args.headers == "-" and args.bounce_text == "-":
        raise InputError("--bounce", "only one of --headers and --bounce can read stdin")
    settings = settings_from_args(args)
    diagnosis = read_arguments(DiagnoseMissingMailArgs, args, FLAGS)
    result = asyncio.run(diagnose_missing_mail(**dict(diagnosis), settings=settings))
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_diagnosis(result, sys.stdout)
    if result.dns_overall == "unreachable":
        return 3
    return 0 if result.decided else 1


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
