"""`alimail-mcp check-dns`: audit a domain's DNS for Alibaba Mail (a table, or JSON), or many domains
from a file (JSON Lines on stdout, progress on stderr).

Exit status (cli/status.py): 0 all ok, 1 a problem was found, 3 an audit could not complete, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.dns.args import CheckDnsArgs
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dns.answer_cache import AnswerCache
    from alimail_mcp.dns.report import DnsAuditResult

EXIT = {"ok": 0, "problem": 1, "unreachable": 3}
MAX_FILE_DOMAINS = 10_000
FLAGS = {
    "domain": Flag(positional=True, optional=True),
    "dkim_selectors": Flag(name="selector", metavar="S"),
    "sending_ip": Flag(
        name="ip",
        metavar="IP",
        help="an IP the domain sends from: SPF is evaluated for it and it is looked up in the IP "
        "blocklists (repeat the flag, or separate with commas, for several)",
    ),
    "compare_authoritative": Flag(
        name="authoritative", on_by_default=True, help="do not compare with the domain's own nameservers"
    ),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = CheckDnsArgs.__doc__
    add_arguments(p, CheckDnsArgs, FLAGS)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--file", metavar="FILE", help="audit every domain in FILE (one a line; '-' for stdin)")
    p.add_argument(
        "--concurrency", type=int, default=8, metavar="N", help="audits at once with --file (1-64)"
    )
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.file:
        return asyncio.run(_run_file(args, settings))
    if not args.domain:
        raise InputError("domain", "give a domain, or --file FILE")
    result = asyncio.run(_audit(args, args.domain, settings))
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_table(result, Terminal.for_stdout())
    return EXIT[result.overall]


async def _audit(
    args: argparse.Namespace, domain: str, settings: Settings, shared: AnswerCache | None = None
) -> DnsAuditResult:
    from alimail_mcp.dns.audit import audit_domain

    audit = read_arguments(CheckDnsArgs, args, FLAGS, domain=domain)
    return await audit_domain(**dict(audit), settings=settings, shared_answers=shared)


async def _run_file(args: argparse.Namespace, settings: Settings) -> int:
    """Audit every domain of the file, `--concurrency` at a time, sharing one answer cache (the provider's
    records are asked once per run). Each JSON line carries the domain's input line number (`line`)
    and is printed as soon as its audit ends; progress and a closing tally go to stderr."""
    from alimail_mcp.dns.answer_cache import AnswerCache

    if not 1 <= args.concurrency <= 64:
        raise InputError("--concurrency", "must be between 1 and 64")
    domains = _read_domains(args.file)
    gate = asyncio.Semaphore(args.concurrency)
    shared = AnswerCache()
    started = time.monotonic()

    async def one(line_no: int, domain: str) -> dict[str, Any]:
        async with gate:
            try:
                result = await _audit(args, domain, settings, shared)
            except InputError as exc:
                return {"line": line_no, "domain": domain, "overall": "error", "error": str(exc)}
            return {"line": line_no, **result.model_dump(mode="json")}

    tasks = [asyncio.ensure_future(one(n, d)) for n, d in domains]
    tally: Counter[str] = Counter()
    for done, task in enumerate(asyncio.as_completed(tasks), 1):
        line = await task
        overall = str(line["overall"])
        tally[overall] += 1
        print(json.dumps(line, ensure_ascii=False), flush=True)
        why = f": {line['error']}" if "error" in line else ""
        print(f"[{done}/{len(domains)}] {line['domain']}: {overall}{why}", file=sys.stderr, flush=True)
    counts = ", ".join(f"{tally[k]} {k}" for k in ("ok", "problem", "unreachable", "error") if tally[k])
    elapsed = time.monotonic() - started
    print(
        f"{len(domains)} domains in {elapsed:.1f} s: {counts}; "
        f"{shared.misses} DNS questions asked, {shared.hits} answered from the run's cache",
        file=sys.stderr,
    )
    return next((EXIT.get(o, 2) for o in ("problem", "unreachable", "error") if tally[o]), 0)


def _read_domains(path: str) -> list[tuple[int, str]]:
    """(line number, domain) for each domain of the file, first occurrence only."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("--file", f"cannot read {path}: {exc}") from None
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        domain = line.split("#", 1)[0].strip()
        if domain:
            first.setdefault(domain, number)
    if not first:
        raise InputError("--file", "has no domains (one a line, '#' starts a comment)")
    if len(first) > MAX_FILE_DOMAINS:
        raise InputError("--file", f"has more than {MAX_FILE_DOMAINS} domains")
    return [(number, domain) for domain, number in first.items()]


def print_table(result: DnsAuditResult, term: Terminal) -> None:
    w = term.out.write
    head = f"{result.domain}: {result.overall.upper()}"
    style = {"ok": "green", "problem": "red"}.get(result.overall, "yellow")
    w(f"{term.style(head, 'bold', style)}  ({result.queries} DNS queries, {result.elapsed_ms} ms)\n")
    term.resolver(result.resolver)
    term.line(result.summary)
    w(f"\n{'CHECK':<15}{'STATUS':<13}RECORDS\n")
    room = max(20, term.width - 29)
    for name in type(result.checks).model_fields:
        check = getattr(result.checks, name)
        records = [_cut(r, room) for r in _shown(name, result)] or ["-"]
        w(f"{name:<15}{check.status:<13}{records[0]}\n")
        for record in records[1:4]:
            w(f"{'':<28}{record}\n")
        if len(records) > 4:
            w(f"{'':<28}(+{len(records) - 4} more)\n")
    if result.propagation is not None:
        p = result.propagation
        compared = f"{p.compared} answers compared with {len(p.servers_asked)} server(s)"
        w(f"{'propagation':<15}{p.status:<13}{compared}\n")
    term.findings(result.findings)
    if result.dns_changes:
        term.heading("CHANGE PLAN (in this order)")
        for i, c in enumerate(result.dns_changes, 1):
            prio = f" priority {c.priority}" if c.priority is not None else ""
            old = f"  (was {_cut(c.old_value, 60)})" if c.old_value else ""
            term.line(f"{c.action} {c.type} {c.host} -> {_cut(c.value, 80)}{prio}{old}", f"  {i}. ")
            if c.find_command:
                term.code(c.find_command, "     find RecordId: ")
            term.code(c.command, "     ")
    term.steps("NEXT STEPS", result.next_steps)


def _shown(name: str, result: DnsAuditResult) -> list[str]:
    """What the table shows for a check: its records, or for the blocklists and DNSSEC what was found."""
    checks = result.checks
    if name == "blocklist":
        asked = [r for r in checks.blocklist.results if r.state != "not-applicable"]
        states = {s: sum(1 for r in asked if r.state == s) for s in ("listed", "policy", "unverified")}
        parts = [f"{n} {s}" for s, n in states.items() if n]
        ips, domains = len(checks.blocklist.ips), len(checks.blocklist.domains)
        head = f"{ips} IP(s), {domains} domain(s), {len(asked)} lookups"
        named = [f"{r.state}: {r.target} on {r.list_name}" for r in asked if r.state in ("listed", "policy")]
        return [f"{head}: {', '.join(parts) or 'not listed'}", *named]
    if name == "dnssec":
        dnssec = checks.dnssec
        validated = {True: "resolver validated (AD)", False: "not validated by the resolver", None: ""}
        return [f"chain {dnssec.chain}" + (f", {validated[dnssec.validated]}" if dnssec.signed else "")]
    if name == "mta_sts" and checks.mta_sts.mode:
        return [f"mode {checks.mta_sts.mode}, max_age {checks.mta_sts.max_age}", *checks.mta_sts.records]
    records: list[str] = getattr(checks, name).records
    return records


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
