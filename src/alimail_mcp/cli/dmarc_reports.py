"""`alimail-mcp dmarc-reports FILE...`: read DMARC aggregate reports and say who sends as the domain and
whether the policy can move on (the analyze_dmarc_reports tool).

    alimail-mcp dmarc-reports google.com!example.com!1717200000!1717286399.zip
    alimail-mcp dmarc-reports reports/ --domain example.com --json

Files may be report XML, .xml.gz, .zip, report emails (.eml) or mbox files; a folder is read whole
(with its subfolders). With many files a progress line goes to stderr. Exit status: 0 ready for the
next policy step, 1 not ready, 3 no report could be read, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.dmarc_reports.args import AnalyzeDmarcReportsArgs
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.dmarc_reports.analyze import Item
    from alimail_mcp.dmarc_reports.models import DmarcReportsResult

FLAGS = {"domain": Flag(metavar="D")}
MAX_FILE_BYTES = 64_000_000
MAX_FILES = 20_000
PROGRESS_FROM = 20
"""Files from which a progress line is shown."""
SHOWN_SOURCES = 25
SHOWN_BLOCKERS = 10


def configure(p: argparse.ArgumentParser) -> None:
    p.description = AnalyzeDmarcReportsArgs.__doc__
    p.add_argument(
        "reports",
        nargs="+",
        metavar="FILE",
        help="report files (.xml, .xml.gz, .zip), report emails (.eml), mbox files, or folders of them",
    )
    add_arguments(p, AnalyzeDmarcReportsArgs, FLAGS, skip={"reports"})
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument(
        "--no-live", dest="live", action="store_false", help="skip the live SPF checks of the senders"
    )
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.dmarc_reports.analyze import analyze_items

    checked = read_arguments(AnalyzeDmarcReportsArgs, args, FLAGS, reports=["(files)"])
    paths = list_files(args.reports)
    items = read_items(paths)
    settings = settings_from_args(args) if args.live else None
    progress = _progress if len(items) >= PROGRESS_FROM else None
    result = asyncio.run(
        analyze_items(items, checked.domain, settings=settings, live=args.live, progress=progress)
    )
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_result(result, sys.stdout)
    if not result.totals.reports:
        return 3
    return 0 if result.policy_readiness.ready else 1


def list_files(given: list[str]) -> list[Path]:
    """The files named, folders expanded to the files under them (sorted)."""
    files: list[Path] = []
    for text in given:
        path = Path(text)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("FILE", f"{text} is neither a file nor a folder")
        if len(files) > MAX_FILES:
            raise InputError("FILE", f"more than {MAX_FILES} files")
    if not files:
        raise InputError("FILE", "the folders hold no files")
    return files


def read_items(paths: list[Path]) -> list[Item]:
    items: list[Item] = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InputError("FILE", f"{path} is larger than {MAX_FILE_BYTES:,} bytes")
            items.append((str(path), path.read_bytes()))
        except OSError as exc:
            raise InputError("FILE", f"cannot read {path}: {exc.strerror or exc}") from None
    return items


def _progress(done: int, total: int) -> None:
    step = max(1, total // (50 if sys.stderr.isatty() else 10))
    if done % step == 0 or done == total:
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        print(f"read {done}/{total} files", end=end, file=sys.stderr, flush=True)


def print_result(result: DmarcReportsResult, out: TextIO) -> None:
    w = out.write
    t, r = result.totals, result.policy_readiness
    w(f"DMARC reports: {t.reports} report(s), {t.messages} message(s), {t.sources} source(s)\n")
    w(f"{result.summary}\n")
    if result.sources:
        w(f"\n{'SOURCE':<40}{'SENDER':<14}{'MESSAGES':>9}{'PASS':>8}{'FAIL':>8}{'SPF':>8}{'DKIM':>8}  NOTE\n")
        for s in result.sources[:SHOWN_SOURCES]:
            note = "forwarded" if s.forwarded else ("third party" if s.authenticated_elsewhere else "")
            w(
                f"{s.source_ip:<40}{s.sender:<14}{s.messages:>9}{s.dmarc_pass:>8}{s.dmarc_fail:>8}"
                f"{s.spf_aligned:>8}{s.dkim_aligned:>8}  {note}\n"
            )
        if len(result.sources) > SHOWN_SOURCES:
            w(f"(+{len(result.sources) - SHOWN_SOURCES} more sources; --json lists all)\n")
    if r.current is not None:
        step = f"p={r.current}" + (f" (pct={r.current_pct})" if r.current_pct < 100 else "")
        target = f"p={r.next}" if r.next else "nothing further"
        w(f"\nPOLICY: {step} -> {target}: {'READY' if r.ready else 'NOT READY'}\n")
        if r.ready and r.next_record:
            w(f"  publish: {r.next_record}\n")
        for b in r.blockers[:SHOWN_BLOCKERS]:
            w(f"  blocker {b.source_ip} ({b.sender}): {b.problem}\n")
            for fix in b.fix:
                w(f"      - {fix}\n")
        if r.blocked_sources > SHOWN_BLOCKERS:
            w(f"  (+{r.blocked_sources - SHOWN_BLOCKERS} more blockers; --json lists the first 50)\n")
    if result.findings:
        w("\nFINDINGS\n")
        for f in result.findings:
            w(f"  [{f.severity.value}] {f.code}: {f.title}\n")
    if result.errors:
        w("\nNOT READ\n")
        for e in result.errors:
            w(f"  {e.source}: {e.error}\n")
    if result.next_steps:
        w("\nNEXT STEPS\n")
        for line in result.next_steps:
            w(f"  - {line}\n")
