"""Validate every file of the knowledge base at once: each engine's loader, in one place.

The server loads each part when a request first needs it; this is the start-up check for people
who edit skills/ and for packaging (`alimail-mcp check-skills`).
"""

from __future__ import annotations

import importlib
import time

from pydantic import BaseModel

from alimail_mcp.errors import KnowledgeError

LOADERS = (
    ("skills/alimail/**, provider.yaml, routing.yaml", "alimail_mcp.knowledge.loader", "load_knowledge"),
    ("receivers.yaml", "alimail_mcp.diagnosis.receiver.registry", "receivers"),
    ("errors.yaml", "alimail_mcp.diagnosis.catalog", "catalog"),
    ("reasons.yaml", "alimail_mcp.diagnosis.reason.tables", "tables"),
    ("recovery.yaml", "alimail_mcp.recovery.knowledge", "load_recovery"),
    ("clients.yaml", "alimail_mcp.clients.knowledge", "load_clients"),
    ("webmail.yaml", "alimail_mcp.webmail.knowledge", "load_webmail"),
    ("secure_setup.yaml", "alimail_mcp.secure_setup.knowledge", "load_secure_setup"),
    ("missing_mail.yaml", "alimail_mcp.missing_mail.knowledge", "load_missing_mail"),
    ("headers.yaml", "alimail_mcp.headers.knowledge", "load_headers"),
    ("dns.yaml", "alimail_mcp.dns.knowledge", "load_dns"),
)
"""What each loader reads, where it lives, and its name. Each raises KnowledgeError(file, field)."""


class PartReport(BaseModel):
    files: str
    ok: bool
    elapsed_ms: float
    problem: str | None = None


def validate_all() -> list[PartReport]:
    """Run every loader; a broken file is reported with its name and field, and the others still run."""
    reports = []
    for files, module, name in LOADERS:
        started = time.perf_counter()
        try:
            getattr(importlib.import_module(module), name)()
            problem = None
        except KnowledgeError as exc:
            problem = str(exc)
        elapsed = (time.perf_counter() - started) * 1000
        reports.append(
            PartReport(files=files, ok=problem is None, elapsed_ms=round(elapsed, 1), problem=problem)
        )
    return reports
