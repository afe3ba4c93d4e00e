"""`alimail-mcp check-dns`: audit a domain's DNS for Alibaba Mail (a table, or JSON), or many domains
from a file (JSON Lines on stdout, progress on stderr).

Exit status: 0 all ok, 1 a problem was found, 3 an audit could not complete, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from alimail_mcp.cli.options import add_dns_options, settings_from_args
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.dns.args import CheckDnsArgs
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
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
        print_table(result, sys.stdout)
    return EXIT[result.overall]


async def _audit(args: argparse.Namespace, domain: str, settings: Settings) -> DnsAuditResult:
    from alimail_mcp.dns.audit import audit_domain

    audit = read_arguments(CheckDnsArgs, args, FLAGS, domain=domain)
    return await audit_domain(**dict(audit), settings=settings)


async def _run_file(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.concurrency <= 64:
        raise InputError("--concurrency", "must be between 1 and 64")
    domains = _read_domains(args.file)
    gate = asyncio.Semaphore(args.concurrency)

    async def one(domain: str) -> dict[str, Any]:
        async with gate:
            try:
                result = await _audit(args, domain, settings)
            except InputError as exc:
                return {"domain": domain, "error": str(exc)}
            return result.model_dump(mode="json")

    tasks = [asyncio.ensure_future(one(d)) for d in domains]
    seen: set[str] = set()
    for done, task in enumerate(asyncio.as_completed(tasks), 1):
        line = await task
        overall = str(line.get("overall", "error"))
        seen.add(overall)
        print(json.dumps(line, ensure_ascii=False), flush=True)
        print(f"[{done}/{len(domains)}] {line['domain']}: {overall}", file=sys.stderr, flush=True)
    return next((EXIT.get(o, 2) for o in ("problem", "unreachable", "error") if o in seen), 0)


def _read_domains(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("--file", f"cannot read {path}: {exc}") from None
    domains = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    domains = list(dict.fromkeys(d for d in domains if d))
    if not domains:
        raise InputError("--file", "has no domains (one a line, '#' starts a comment)")
    if len(domains) > MAX_FILE_DOMAINS:
        raise InputError("--file", f"has more than {MAX_FILE_DOMAINS} domains")
    return domains


def print_table(result: DnsAuditResult, out: TextIO) -> None:
    w = out.write
    w(f"{result.domain}: {result.overall.upper()}  ({result.queries} DNS queries, {result.elapsed_ms} ms)\n")
    w(f"{result.summary}\n\n")
    w(f"{'CHECK':<15}{'STATUS':<13}RECORDS\n")
    for name in type(result.checks).model_fields:
        check = getattr(result.checks, name)
        records = [_cut(r, 70) for r in _shown(name, result)] or ["-"]
        w(f"{name:<15}{check.status:<13}{records[0]}\n")
        for record in records[1:4]:
            w(f"{'':<28}{record}\n")
        if len(records) > 4:
            w(f"{'':<28}(+{len(records) - 4} more)\n")
    if result.propagation is not None:
        p = result.propagation
        compared = f"{p.compared} answers compared with {len(p.servers_asked)} server(s)"
        w(f"{'propagation':<15}{p.status:<13}{compared}\n")
    if result.findings:
        w("\nFINDINGS\n")
        for f in result.findings:
            w(f"  [{f.severity.value}] {f.code}: {f.title}\n")
            for step in f.fix:
                w(f"      - {step}\n")
    if result.dns_changes:
        w("\nCHANGE PLAN (in this order)\n")
        for i, c in enumerate(result.dns_changes, 1):
            prio = f" priority {c.priority}" if c.priority is not None else ""
            old = f"  (was {_cut(c.old_value, 60)})" if c.old_value else ""
            w(f"  {i}. {c.action} {c.type} {c.host} -> {_cut(c.value, 80)}{prio}{old}\n")
            if c.find_command:
                w(f"     find RecordId: {c.find_command}\n")
            w(f"     {c.command}\n")
    if result.next_steps:
        w("\nNEXT STEPS\n")
        for step in result.next_steps:
            w(f"  - {step}\n")


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
