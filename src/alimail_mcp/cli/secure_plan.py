"""`alimail-mcp secure-plan DOMAIN`: the plan to secure a domain's mail (the plan_secure_setup tool).

`--certificate FILE` may be a .p12/.pfx file: its password is asked for on the terminal.
Exit status (cli/status.py): 0 nothing to do now, 1 steps to take now (or a certificate problem), 3 the
DNS could not be read completely and nothing else needs doing now, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.status import verdict
from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import Flag, add_arguments, name_flags, read_arguments
from alimail_mcp.secure_setup.args import GOALS, PlanSecureSetupArgs

if TYPE_CHECKING:
    from alimail_mcp.secure_setup.models import SecureSetupPlan

FLAGS = {
    "domain": Flag(positional=True),
    "goals": Flag(name="goal", choices=GOALS),
    "mailbox": Flag(metavar="ADDRESS"),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Plan how to secure a domain's mail on Alibaba Mail: SPF first, then DKIM, then DMARC "
        "from p=none to p=reject with dates; S/MIME eligibility and certificate checks; sender-filter costs."
    )
    # A certificate is read from a file here, which may be a .p12 asking for its password.
    add_arguments(p, PlanSecureSetupArgs, FLAGS, skip={"certificate", "reports"})
    p.add_argument(
        "--certificate",
        metavar="FILE",
        help="an S/MIME certificate: .p12/.pfx (asks for the password), .pem, .cer/.crt/.der",
    )
    p.add_argument(
        "--selector", action="append", metavar="S", help="DKIM selector shown in the admin console"
    )
    p.add_argument(
        "--report",
        dest="reports",
        action="append",
        metavar="FILE",
        help="a DMARC aggregate report file (.xml, .gz, .zip, .eml, mbox) or a folder of them: the next "
        "DMARC step is judged by the reports instead of by dates (repeatable)",
    )
    p.add_argument(
        "--today", metavar="YYYY-MM-DD", help="count the DMARC stages from this date (default today)"
    )
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    name_flags(p, today="--today", dkim_selectors="--selector", certificate="--certificate")
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.secure_setup.plan import normalize_goals, plan_secure_setup

    settings = settings_from_args(args)
    plan_args = read_arguments(PlanSecureSetupArgs, args, FLAGS, certificate=None, reports=None)  # read below
    report_items = None
    if args.reports:
        from alimail_mcp.cli.dmarc_reports import list_files, read_items

        report_items = read_items(list_files(args.reports))
    goals = normalize_goals(plan_args.goals)
    check = None
    if args.certificate:
        from alimail_mcp.cli.smime_check import check_file

        purposes = tuple(g for g in ("signing", "encryption") if g in goals) or ("signing", "encryption")
        check = check_file(Path(args.certificate), plan_args.mailbox, purposes)
    plan = asyncio.run(
        plan_secure_setup(
            **dict(plan_args),
            report_items=report_items,
            today=args.today,
            dkim_selectors=args.selector,
            certificate_check=check,
            settings=settings,
        )
    )
    if args.json:
        print(plan.model_dump_json(indent=2))
    else:
        print_plan(plan, Terminal.for_stdout())
    return exit_status(plan)


def exit_status(plan: SecureSetupPlan) -> int:
    now = any(s.status in ("to-do", "fix") for s in plan.authentication_steps)
    cert = plan.smime.certificate if plan.smime else None
    unknown = any(s.status == "unknown" for s in plan.authentication_steps)
    return verdict(problems=now or (cert is not None and not cert.fit), unchecked=unknown)


_MARK = {"done": "done", "to-do": "TO DO", "fix": "FIX", "later": "later", "unknown": "??"}


def print_plan(plan: SecureSetupPlan, term: Terminal) -> None:
    w = term.out.write
    w(f"{plan.domain}: secure mail plan ({', '.join(plan.goals)}); DMARC dates counted from {plan.today}\n")
    term.resolver(plan.resolver)
    term.line(plan.summary)
    if plan.authentication_steps:
        w("\nAUTHENTICATION STEPS (in this order)\n")
        for step in plan.authentication_steps:
            when = f"  from {step.not_before}" if step.status == "later" and step.not_before else ""
            w(f"  {step.order}. [{_MARK[step.status]}] {step.title}{when}\n")
            for action in step.actions:
                term.line(action, "       - ", step=True)
            for change in step.dns_changes:
                w(f"       {change.action} {change.type} {change.host}: {change.value}\n")
                term.code(change.command, "         ")
            if not step.dns_changes:
                for record in step.records:
                    w(f"       {record.action} {record.type} {record.host}: {record.value}\n")
            if step.condition and step.status in ("to-do", "later"):
                term.line(step.condition, "       note: ")
            if step.propagation and step.status in ("to-do", "fix"):
                term.line(step.propagation.text, "       takes effect: ")
    if plan.smime is not None:
        s = plan.smime
        verdict = {True: "included", False: "NOT included", None: "unknown (edition not given)"}[s.eligible]
        w(f"\nS/MIME: {verdict}; at most {s.max_certificates_per_mailbox} certificates per mailbox\n")
        for r in s.requirements:
            mark = {True: "ok", False: "NO", None: "check"}[r.met]
            term.line(r.text, f"  [{mark}] ")
        if s.certificate is not None:
            c = s.certificate
            w(f"  certificate: {'fit' if c.fit else 'NOT fit'}; {c.subject}; expires {c.not_after[:10]}\n")
    if plan.sender_filters is not None:
        f = plan.sender_filters
        w("\nSENDER FILTERS\n")
        for option in (f.strict_mode, f.permanently_delete_spam):
            term.line(f"{option.name}: {option.what}", "  ", 4)
            term.line(option.cost, "    cost: ")
            term.line(option.advice, "    advice: ")
        w("  whitelist first:\n")
        for item in f.whitelist_first:
            term.line(item, "    - ")
        if f.own_senders:
            w(f"    (other senders in the SPF record: {', '.join(f.own_senders)})\n")
    if plan.dmarc_readiness is not None and plan.dmarc_readiness.period is not None:
        judged = plan.dmarc_readiness
        verdict = "ready" if judged.ready else f"not ready ({judged.blocked_sources} blocker(s))"
        term.heading(f"DMARC REPORTS: p={judged.current} -> p={judged.next}: {verdict}")
        for b in judged.blockers[:10]:
            term.line(b.problem, f"  blocker {b.source_ip} ({b.sender}): ")
    term.findings(plan.findings)
    term.steps("NEXT STEPS", plan.next_steps)
