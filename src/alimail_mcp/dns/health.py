"""Whether the resolver itself answered a live check, and the one finding that says so when it did not.

A dead resolver (or no network at all) makes every question time out or fail, which the checks would
otherwise report question by question as the domain's fault. `resolver_report` asks the client what
happened (with one control question when nothing came back); `resolver_finding` is the verdict that
replaces those per-question findings: the fault is on this machine's side.
"""

from __future__ import annotations

from typing import Any

from alimail_mcp.dns.client import DnsClient
from alimail_mcp.dns.finding import SKILL_DELIVERY, make
from alimail_mcp.models import Finding, ResolverReport

RESOLVER_DOWN = ("not-answering", "no-route")
RESOLVER_CODES = ("dns.resolver-not-answering", "dns.no-route")
_KEYS = {"not-answering": "dns.resolver-not-answering", "no-route": "dns.no-route"}


async def resolver_report(client: DnsClient) -> ResolverReport | None:
    """The client's report on its resolvers (None for a client that keeps none: test doubles)."""
    report = getattr(client, "report", None)
    if report is None:
        return None
    found: ResolverReport = await report()
    return found


def is_down(report: ResolverReport | None) -> bool:
    return report is not None and report.state in RESOLVER_DOWN


def resolver_finding(report: ResolverReport | None) -> Finding | None:
    """The finding for a resolver that did not answer (or could not be reached); None when it did."""
    if report is None or report.state not in _KEYS:
        return None
    source = "ALIMAIL_MCP_RESOLVERS" if report.configured else "/etc/resolv.conf"
    values: dict[str, Any] = {"resolvers": ", ".join(report.servers) or "none configured", "source": source}
    evidence = {"resolvers": report.servers, "configured": report.configured, "state": report.state}
    return make(_KEYS[report.state], values, evidence=evidence, skill=SKILL_DELIVERY)
