"""`alimail-mcp recover`: plan access recovery for a locked-out user (the recover_access tool)."""

from __future__ import annotations

import argparse
import asyncio

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
    out = [plan.summary, "", f"Path: {plan.path} ({plan.intent})"]
    if plan.unlock_at:
        out.append(f"Unlocks at: {plan.unlock_at} ({plan.minutes_remaining} minutes remaining)")
    out.append(f"Needs an administrator: {'yes' if plan.needs_admin else 'no'}")
    if plan.account_state:
        out.append(f"Account state: {plan.account_state.id}")
    out += _numbered("Steps", plan.steps)
    out += _numbered("If that fails", [f"[{f.path}] {f.step}" for f in plan.fallbacks])
    out += _numbered("For the administrator", plan.admin_steps)
    out += _numbered("Send the administrator", plan.what_to_send_admin)
    out += _listed("Inferred", [f'{f.fact} = {f.value} (from "{f.evidence}")' for f in plan.inferred])
    out += _listed("Assumed", [f"{a.fact} = {a.value}: {a.reason}" for a in plan.assumed])
    print("\n".join(out))
    return 0


def _numbered(title: str, items: list[str]) -> list[str]:
    return ["", f"{title}:", *(f"  {i}. {item}" for i, item in enumerate(items, 1))] if items else []


def _listed(title: str, items: list[str]) -> list[str]:
    return ["", f"{title}:", *(f"  - {item}" for item in items)] if items else []
