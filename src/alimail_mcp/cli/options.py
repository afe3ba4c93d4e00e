"""Command-line flags shared by subcommands: each setting's env var is also a flag."""

from __future__ import annotations

import argparse

from alimail_mcp.config import (
    ENV_BLOCKLIST_ZONES,
    ENV_DNS_BUDGET,
    ENV_DNS_TIMEOUT,
    ENV_RESOLVERS,
    Settings,
    load_settings,
    parse_blocklist_zones,
    parse_nameservers,
    parse_seconds,
)


def add_dns_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("DNS")
    g.add_argument("--resolvers", metavar="IP[:PORT],...", help=f"resolvers to use (env {ENV_RESOLVERS})")
    g.add_argument("--dns-timeout", metavar="SECONDS", help=f"per-query timeout (env {ENV_DNS_TIMEOUT})")
    g.add_argument("--dns-budget", metavar="SECONDS", help=f"time for a whole audit (env {ENV_DNS_BUDGET})")
    g.add_argument(
        "--blocklist-zones",
        metavar="ID=ZONE,...",
        help="blocklist zones to ask instead of the public ones; ID= turns a list off "
        f"(env {ENV_BLOCKLIST_ZONES})",
    )
    # Where a domain's own nameservers are asked: test harnesses serve them on another port.
    g.add_argument("--authoritative-port", type=int, default=None, help=argparse.SUPPRESS)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Environment first, then the flags given on the command line (raises InputError)."""
    settings = load_settings()
    resolvers = parse_nameservers(args.resolvers, "--resolvers") if getattr(args, "resolvers", None) else None
    timeout = _flag_seconds(args, "dns_timeout", 0.05, 60)
    budget = _flag_seconds(args, "dns_budget", 0.1, 300)
    zones_text = getattr(args, "blocklist_zones", None)
    zones = parse_blocklist_zones(zones_text, "--blocklist-zones") if zones_text is not None else None
    return settings.with_overrides(
        resolvers=resolvers,
        blocklist_zones=zones,
        dns_timeout=timeout,
        dns_budget=budget,
        authoritative_port=getattr(args, "authoritative_port", None),
    )


def _flag_seconds(args: argparse.Namespace, name: str, low: float, high: float) -> float | None:
    text = getattr(args, name, None)
    return parse_seconds(text, "--" + name.replace("_", "-"), low, high) if text else None
