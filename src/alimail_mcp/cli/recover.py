"""`alimail-mcp recover`: plan access recovery for a locked-out user (the recover_access tool)."""

from __future__ import annotations

import argparse
import asyncio

from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import add_arguments, read_arguments
from alimail_mcp.recovery.args import RecoverAccessArgs


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Plan how a user gets back into their Alibaba Mail account. Facts left out are inferred "
        "from --description where possible and otherwise assumed (the plan says which)."
    )
    add_arguments(p, RecoverAccessArgs)
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.recovery.plan import recover_access

    plan = asyncio.run(recover_access(**dict(read_arguments(RecoverAccessArgs, args))))
    if args.json:
        print(plan.model_dump_json(indent=2))
        return 0
    term = Terminal.for_stdout()
    term.line(plan.summary)
    term.line()
    term.line(f"{plan.path} ({plan.intent})", "Path: ")
    if plan.unlock_at:
        term.line(f"{plan.unlock_at} ({plan.minutes_remaining} minutes remaining)", "Unlocks at: ")
    term.line("yes" if plan.needs_admin else "no", "Needs an administrator: ")
    if plan.account_state:
        term.line(plan.account_state.id, "Account state: ")
    _listed(term, "Steps", plan.steps, numbered=True)
    _listed(term, "If that fails", [f"[{f.path}] {f.step}" for f in plan.fallbacks], numbered=True)
    _listed(term, "For the administrator", plan.admin_steps, numbered=True)
    _listed(term, "Send the administrator", plan.what_to_send_admin, numbered=True)
    _listed(term, "Inferred", [f'{f.fact} = {f.value} (from "{f.evidence}")' for f in plan.inferred])
    _listed(term, "ASSUMED", [f"{a.fact} = {a.value}: {a.reason}" for a in plan.assumed])
    return 0


def _listed(term: Terminal, title: str, items: list[str], *, numbered: bool = False) -> None:
    if items:
        term.line()
        term.line(f"{title}:")
        for i, item in enumerate(items, 1):
            term.line(item, f"  {i}. " if numbered else "  - ")
