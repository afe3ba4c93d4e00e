"""`alimail-mcp check-skills`: validate every file of the knowledge base (skills/) at once and report.

The server loads each part when a request first needs it; this is the start-up check for people who
edit skills/ and for packaging. It sits above the engines because it runs each engine's own loader.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from pydantic import BaseModel

from alimail_mcp.errors import KnowledgeError


class PartReport(BaseModel):
    files: str
    ok: bool
    elapsed_ms: float
    problem: str | None = None


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Load and validate every file of the knowledge base; a broken file is named with "
        "the field at fault. Exit status 1 when any file is broken."
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.knowledge.loader import skills_dir

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


def parts() -> tuple[tuple[str, Callable[[], object]], ...]:
    """(the files a loader reads, the loader); each loader raises KnowledgeError(file, field)."""
    from alimail_mcp.clients.knowledge import load_clients
    from alimail_mcp.diagnosis.catalog import catalog
    from alimail_mcp.diagnosis.reason.tables import tables
    from alimail_mcp.diagnosis.receiver.registry import receivers
    from alimail_mcp.dmarc_reports.knowledge import load_dmarc_reports
    from alimail_mcp.dns.blocklist.lists import load_blocklists
    from alimail_mcp.dns.knowledge import load_dns
    from alimail_mcp.dns.standards import load_standards
    from alimail_mcp.headers.knowledge import load_headers
    from alimail_mcp.knowledge.loader import load_knowledge
    from alimail_mcp.missing_mail.knowledge import load_missing_mail
    from alimail_mcp.recovery.knowledge import load_recovery
    from alimail_mcp.secure_setup.knowledge import load_secure_setup
    from alimail_mcp.webmail.knowledge import load_webmail

    return (
        ("skills/alimail/**, provider.yaml, routing.yaml", load_knowledge),
        ("receivers.yaml", receivers),
        ("errors.yaml", catalog),
        ("reasons.yaml", tables),
        ("recovery.yaml", load_recovery),
        ("clients.yaml", load_clients),
        ("webmail.yaml", load_webmail),
        ("secure_setup.yaml", load_secure_setup),
        ("missing_mail.yaml", load_missing_mail),
        ("headers.yaml", load_headers),
        ("dns.yaml", load_dns),
        ("dmarc_reports.yaml", load_dmarc_reports),
        ("blocklists.yaml", load_blocklists),
        ("mail_standards.yaml", load_standards),
    )


def validate_all() -> list[PartReport]:
    """Run every loader; a broken file is reported with its name and field, and the others still run."""
    reports = []
    for files, load in parts():
        started = time.perf_counter()
        try:
            load()
            problem = None
        except KnowledgeError as exc:
            problem = str(exc)
        elapsed = (time.perf_counter() - started) * 1000
        reports.append(
            PartReport(files=files, ok=problem is None, elapsed_ms=round(elapsed, 1), problem=problem)
        )
    return reports
