"""`alimail-mcp missing-mail DOMAIN`: why mail sent to the domain did not arrive (diagnose_missing_mail).

Exit status (cli/status.py): 0 the evidence decides the cause (its steps are the fix), 1 a question is
still open, 3 the domain's DNS could not be read (the resolver, the network or the domain's
nameservers did not answer), 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.status import NOT_CHECKED, OK, PROBLEMS
from alimail_mcp.cli.terminal import Terminal
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
        print_diagnosis(result, Terminal.for_stdout())
    if result.dns_overall == "unreachable":
        return NOT_CHECKED
    return OK if result.decided else PROBLEMS


def print_diagnosis(result: MissingMailDiagnosis, term: Terminal) -> None:
    state = "decided" if result.decided else "open question"
    head = f"{result.domain}: missing mail ({state}; path {result.path}; DNS {result.dns_overall})"
    term.line(term.style(head, "bold"))
    term.resolver(result.resolver)
    term.line(result.summary)
    term.heading("LIKELY CAUSES")
    for cause in result.causes:
        term.line(f"{cause.score:4.0%}  {cause.title}  [{cause.id}]", f"  {cause.rank}. ", 11)
        for e in cause.evidence[:4]:
            quote = f'  "{e.quote}"' if e.quote else ""
            term.line(f"{e.says}{quote}", "        + ")
        for e in cause.against[:2]:
            term.line(e.says, "        - ")
        if cause.rank <= 3:
            for step in cause.steps:
                term.line(step, "        > ", step=True)
            for change in cause.dns_changes:
                term.code(change.command, "        $ ")
    if result.next_question is not None:
        q = result.next_question
        term.heading("NEXT QUESTION")
        term.line(q.ask, "  ")
        term.line(f"(why: {q.why})", "  ")
    if result.headers is not None and result.headers.hops:
        term.heading("HOPS (oldest first)")
        for hop in result.headers.hops:
            delay = f"+{hop.delay_s}s" if hop.delay_s is not None else "?"
            mark = "  <- delayed" if hop.delayed else ""
            route = f"{hop.from_host or '?'} -> {hop.by_host or '?'}"
            term.line(f"{delay:>8}  {route}{mark}", f"  {hop.number}. ")
        verdicts = ", ".join(f"{v.method}={v.result}" for v in result.headers.auth if v.position == 0)
        if verdicts:
            term.line(verdicts, "  authentication: ")
        flagged = [v.system for v in result.headers.spam if v.flagged]
        if flagged:
            term.line(", ".join(dict.fromkeys(flagged)), "  flagged as spam by: ")
    term.findings(result.findings)
    term.steps("NEXT STEPS", result.next_steps)
