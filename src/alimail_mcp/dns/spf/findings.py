"""The SPF check's findings: one small function per code, the words ours, the records quoted as evidence.

Record values (the recommended include and record) come from skills/provider.yaml via the caller.
"""

from __future__ import annotations

from collections.abc import Sequence

from alimail_mcp.dns.finding import SKILL_CONFIGURATION, SKILL_DELIVERY, excerpt
from alimail_mcp.dns.spf.models import SpfInclude, SpfResult
from alimail_mcp.dns.spf.record import SpfSyntaxError
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange, Finding, Severity

# The recommended record keeps the published record's terms, which are outside text: it is given in
# dns_change (and the plan), never spliced into a step.
_PUBLISH = (
    "In the DNS console of the domain, edit the TXT record at host '@' so that its value is the record "
    "in dns_change."
)


def _records(records: Sequence[str]) -> list[str]:
    return [excerpt(r) for r in records]


def missing(domain: str, provider: Provider, change: DnsChange) -> Finding:
    return Finding(
        code="spf.missing",
        severity=Severity.ERROR,
        title="No SPF record",
        detail=(
            f"{domain} publishes no TXT record starting with v=spf1, so receivers cannot tell which "
            "servers may send its mail; many file such mail as spam or reject it."
        ),
        evidence={"domain": domain},
        fix=[
            f"Add a TXT record at host '@' with the value: {provider.spf.recommended_record}",
            f"If the domain also sends through Alibaba Cloud DirectMail, use instead: "
            f"{provider.spf.directmail_record}",
        ],
        dns_change=change,
        skill=SKILL_CONFIGURATION,
    )


def multiple(domain: str, records: Sequence[str], recommended: str, change: DnsChange | None) -> Finding:
    return Finding(
        code="spf.multiple",
        severity=Severity.ERROR,
        title=f"{len(records)} SPF records: receivers treat this as a permanent error",
        detail=(
            "A domain may publish exactly one v=spf1 record (RFC 7208 4.5). With several, every SPF "
            "check of its mail ends in permerror, which receivers handle like a failure."
        ),
        evidence={"domain": domain, "records": _records(records)},
        fix=[
            "Merge them into one record that keeps every sender they authorise.",
            _PUBLISH.format(record=recommended),
            "Delete the other v=spf1 TXT records at '@'; keep TXT records that are not SPF.",
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def syntax(domain: str, record: str, errors: Sequence[SpfSyntaxError], change: DnsChange | None) -> Finding:
    fix = ["Correct or remove the terms listed in the evidence; every term must follow RFC 7208 syntax."]
    if change is not None:
        fix.append(
            _PUBLISH.format(record=change.value)
            + " (invalid terms dropped; add them back in correct form if they named a real sender)."
        )
    return Finding(
        code="spf.syntax",
        severity=Severity.ERROR,
        title="The SPF record has syntax errors: receivers treat it as a permanent error",
        detail="One invalid term anywhere makes the whole record a permerror (RFC 7208 4.6).",
        evidence={
            "domain": domain,
            "record": excerpt(record),
            "errors": [excerpt(str(e), 160) for e in errors],
        },
        fix=fix,
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def missing_alimail_include(
    domain: str, record: str, provider: Provider, change: DnsChange | None
) -> Finding:
    return Finding(
        code="spf.missing-alimail-include",
        severity=Severity.ERROR,
        title="SPF does not authorise Alibaba Mail's servers",
        detail=(
            f"The record never reaches include:{provider.spf.recommended_include} (or another include "
            "Alibaba Mail accepts), so mail sent through Alibaba Mail fails SPF at the receiver."
        ),
        evidence={
            "domain": domain,
            "record": excerpt(record),
            "accepted": list(provider.spf.accepted_includes),
        },
        fix=[
            f"Add include:{provider.spf.recommended_include} before the 'all' term; keep the other senders.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_CONFIGURATION,
    )


def plus_all(domain: str, record: str, change: DnsChange | None) -> Finding:
    return Finding(
        code="spf.plus-all",
        severity=Severity.ERROR,
        title="SPF ends in +all: every server on the internet may send as this domain",
        detail="'+all' (or a bare 'all') passes any sender, so the record does nothing against forgery.",
        evidence={"domain": domain, "record": excerpt(record)},
        fix=[
            "End the record with -all instead.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def soft_all(domain: str, record: str, qualifier: str | None, change: DnsChange | None) -> Finding:
    what = f"ends in {qualifier}" if qualifier else "has no 'all' term"
    return Finding(
        code="spf.soft-all",
        severity=Severity.WARNING,
        title=f"SPF {what}: mail from unlisted servers is not refused",
        detail=(
            "With ~all (softfail), ?all or no 'all' (neutral) receivers only weigh the result, so forged "
            "mail can still be delivered. Alibaba Mail's recommended record ends in -all."
        ),
        evidence={"domain": domain, "record": excerpt(record), "all": qualifier},
        fix=[
            "Once every server that sends for the domain is listed, end the record with -all.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def too_many_lookups(domain: str, record: str, lookups: int, includes: list[str]) -> Finding:
    return Finding(
        code="spf.too-many-lookups",
        severity=Severity.ERROR,
        title=f"SPF needs {lookups} DNS lookups; receivers stop at 10 with a permanent error",
        detail=(
            "include, a, mx, ptr, exists and redirect each cost one lookup, counted through nested "
            "includes (RFC 7208 4.6.4). Past 10 the check ends in permerror."
        ),
        evidence={"domain": domain, "record": excerpt(record), "lookups": lookups, "includes": includes[:30]},
        fix=[
            "Remove includes of services the domain no longer sends through.",
            "Replace a and mx terms with ip4:/ip6: ranges of the servers they stand for, and drop ptr.",
            "Ask senders with deep includes for a flatter record, or publish their ip4:/ip6: ranges.",
        ],
        skill=SKILL_DELIVERY,
    )


def void_lookups(domain: str, record: str, names: list[str], change: DnsChange | None) -> Finding:
    return Finding(
        code="spf.void-lookups",
        severity=Severity.ERROR,
        title=f"SPF refers to {len(names)} names that do not exist or have no records",
        detail=(
            "Receivers allow at most 2 lookups that find nothing (void lookups, RFC 7208 4.6.4); "
            "past that the check ends in permerror. Such terms authorise nothing anyway."
        ),
        evidence={"domain": domain, "record": excerpt(record), "void": names[:20]},
        fix=[
            "Remove the terms naming these hosts, or create the records they were meant to find.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def loop(domain: str, chains: list[str], change: DnsChange | None) -> Finding:
    return Finding(
        code="spf.loop",
        severity=Severity.ERROR,
        title="SPF includes loop back on themselves",
        detail="A record that includes (or redirects to) itself, directly or through others, never ends: "
        "receivers give up with a permanent error once 10 lookups are spent.",
        evidence={"domain": domain, "chains": [excerpt(c, 200) for c in chains[:10]]},
        fix=[
            "Remove the include or redirect that points back to a record already on the chain.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def broken_include(domain: str, include: SpfInclude, change: DnsChange | None) -> Finding:
    why = {
        "no-record": f"{include.domain} publishes no SPF record",
        "multiple": f"{include.domain} publishes several SPF records",
        "syntax": f"the SPF record of {include.domain} has syntax errors",
    }[include.status]
    return Finding(
        code="spf.broken-include",
        severity=Severity.ERROR,
        title=f"An {include.via} target is broken: {why}",
        detail=(
            f"{include.via} to a domain without one valid SPF record makes the whole check a "
            "permanent error (RFC 7208 5.2, 6.1)."
        ),
        evidence={
            "domain": domain,
            "target": include.domain,
            "status": include.status,
            "record": include.record,
        },
        fix=[
            f"Check the spelling of {include.domain}; remove the term if the service is no longer used.",
            "If the record belongs to a service provider, ask them to fix it or to give a working include.",
            *([_PUBLISH.format(record=change.value)] if change else []),
        ],
        dns_change=change,
        skill=SKILL_DELIVERY,
    )


def ip_not_authorized(domain: str, evaluation: SpfResult, provider: Provider) -> Finding:
    severity = Severity.ERROR if evaluation.result == "fail" else Severity.WARNING
    return Finding(
        code="spf.ip-not-authorized",
        severity=severity,
        title=f"SPF gives {evaluation.result} for {evaluation.ip}",
        detail=(
            "The record does not authorise this server, so receivers see its mail as not coming "
            "from the domain. The trace shows which term decided."
        ),
        evidence={
            "ip": evaluation.ip,
            "result": evaluation.result,
            "decided_by": evaluation.decided_by.term if evaluation.decided_by else None,
        },
        fix=[
            f"If this server is Alibaba Mail's, make sure the record includes "
            f"include:{provider.spf.recommended_include}.",
            "If it is another service that sends for the domain, add its include or its ip4:/ip6: range.",
            "If nobody should send from it, the result is correct: the mail is forged.",
        ],
        skill=SKILL_DELIVERY,
    )
