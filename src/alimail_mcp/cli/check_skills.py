"""`alimail-mcp check-skills`: validate every file of the knowledge base (skills/) and report."""

from __future__ import annotations

import argparse
import json


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Load and validate every file of the knowledge base; a broken file is named with "
        "the field at fault. Exit status 1 when any file is broken."
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.knowledge.loader import skills_dir
    from alimail_mcp.knowledge.validate import validate_all

    reports = validate_all()
    if args.json:
        print(json.dumps([r.model_dump() for r in reports], ensure_ascii=False, indent=2))
    else:
        print(f"knowledge base: {skills_dir()}")
        for r in reports:
            print(f"  {'ok    ' if r.ok else 'BROKEN'} {r.files}  ({r.elapsed_ms:.0f} ms)")
            if r.problem:
                print(f"         {r.problem}")
    return 0 if all(r.ok for r in reports) else 1
