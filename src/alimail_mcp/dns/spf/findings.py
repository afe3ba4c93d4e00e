"""The SPF check's findings: one small function per code, the words in skills/dns.yaml, the records
quoted as evidence.

The recommended record keeps the published record's terms, which are outside text: it is given in
dns_change (and the plan), and a step only says to publish it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alimail_mcp.dns.finding import SKILL_CONFIGURATION, SKILL_DELIVERY, excerpt, make, step
from alimail_mcp.dns.spf.models import SpfInclude, SpfResult
from alimail_mcp.dns.spf.record import SpfSyntaxError
from alimail_mcp.dns.spf.walk import MAX_DEPTH, MAX_ENTRIES, MAX_NAMES, MAX_VOID_CHECKS
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding


def _records(records: Sequence[str]) -> list[str]:
    return [excerpt(r) for r in records]


def _publish(change: DnsChange | None) -> list[str]:
    """The step that points at dns_change, when there is a change to publish."""
    return [step("publish-spf")] if change else []


def missing(domain: str, change: DnsChange) -> Finding:
    return make(
        "spf.missing",
        {"domain": domain},
        evidence={"domain": domain},
        dns_change=change,
        skill=SKILL_CONFIGURATION,
    )


def multiple(domain: str, records: Sequence[str], count: int, change: DnsChange | None) -> Finding:
    return make(
        "spf.multiple",
        {"count": count},
        evidence={"domain": domain, "records": _records(records), "published": count},
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def syntax(domain: str, record: str, errors: Sequence[SpfSyntaxError], change: DnsChange | None) -> Finding:
    return make(
        "spf.syntax",
        evidence={
            "domain": domain,
            "record": excerpt(record),
            "errors": [excerpt(str(e), 160) for e in errors],
        },
        after=[step("publish-spf-without-invalid")] if change else [],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def missing_alimail_include(
    domain: str, record: str, provider: Provider, change: DnsChange | None
) -> Finding:
    return make(
        "spf.missing-alimail-include",
        evidence={
            "domain": domain,
            "record": excerpt(record),
            "accepted": list(provider.spf.accepted_includes),
        },
        after=_publish(change),
        dns_change=change,
        skill=SKILL_CONFIGURATION,
    )


def plus_all(domain: str, record: str, change: DnsChange | None) -> Finding:
    return make(
        "spf.plus-all",
        evidence={"domain": domain, "record": excerpt(record)},
        after=_publish(change),
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def soft_all(domain: str, record: str, qualifier: str | None, change: DnsChange | None) -> Finding:
    return make(
        "spf.soft-all" if qualifier else "spf.soft-all.no-all",
        {"qualifier": qualifier},
        evidence={"domain": domain, "record": excerpt(record), "all": qualifier},
        after=_publish(change),
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def too_many_lookups(domain: str, record: str, lookups: int, includes: list[str]) -> Finding:
    return make(
        "spf.too-many-lookups",
        {"lookups": lookups},
        evidence={"domain": domain, "record": excerpt(record), "lookups": lookups, "includes": includes[:30]},
        skill=SKILL_DELIVERY,
    )


def void_lookups(domain: str, record: str, names: list[str], change: DnsChange | None) -> Finding:
    return make(
        "spf.void-lookups",
        {"count": len(names)},
        evidence={"domain": domain, "record": excerpt(record), "void": names[:20]},
        after=_publish(change),
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def loop(domain: str, chains: list[str], change: DnsChange | None) -> Finding:
    return make(
        "spf.loop",
        evidence={"domain": domain, "chains": [excerpt(c, 200) for c in chains[:10]]},
        after=_publish(change),
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def walk_truncated(domain: str, limits: Sequence[str], names_read: int) -> Finding:
    return make(
        "spf.walk-truncated",
        {"names": MAX_NAMES, "entries": MAX_ENTRIES, "depth": MAX_DEPTH, "void_checks": MAX_VOID_CHECKS},
        evidence={"domain": domain, "limits_reached": list(limits), "records_read": names_read},
        skill=SKILL_DELIVERY,
    )


_BROKEN = {
    "no-record": "spf.broken-include.no-record",
    "multiple": "spf.broken-include.multiple",
    "syntax": "spf.broken-include.syntax",
}


def broken_include(domain: str, include: SpfInclude, change: DnsChange | None) -> Finding:
    which = "An include" if include.via == "include" else "The redirect"
    return make(
        _BROKEN[include.status],
        {"via": include.via, "which": which, "quoted_target": include.domain},
        evidence={
            "domain": domain,
            "target": include.domain,
            "status": include.status,
            "record": include.record,
        },
        after=_publish(change),
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def ip_not_authorized(evaluation: SpfResult) -> Finding:
    return make(
        "spf.ip-not-authorized" if evaluation.result == "fail" else "spf.ip-not-authorized.not-fail",
        {"result": evaluation.result},
        evidence={
            "ip": evaluation.ip,
            "result": evaluation.result,
            "decided_by": evaluation.decided_by.term if evaluation.decided_by else None,
        },
        skill=SKILL_DELIVERY,
    )
