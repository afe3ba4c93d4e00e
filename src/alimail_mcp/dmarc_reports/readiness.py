"""Whether the DMARC policy can go one step stricter, judged by the reports: ready when every legitimate
source passed aligned SPF or DKIM over the reports' period.

Legitimate: Alibaba Mail's servers, the senders the domain authorises, and services that authenticate
as other domains (a real mail service sending in the domain's name: it must be authorised or stopped).
Not blockers: forwarders (the domain cannot fix forwarding, and DKIM carries most of it through), and
servers that authenticate as nothing at all, which is what quarantine and reject are for. A source whose
SPF could not be checked blocks until it can be, since it may be Alibaba Mail's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from alimail_mcp.dmarc_reports.knowledge import DmarcReportsKnowledge
from alimail_mcp.dmarc_reports.merge import ReportRead, Tally
from alimail_mcp.dmarc_reports.models import (
    Blocker,
    Period,
    PolicyReadiness,
    PolicyWord,
    SenderClass,
    SpfWord,
)
from alimail_mcp.dns.finding import quoted
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.provider import Provider

MAX_BLOCKERS = 50
"""Blockers listed, most failing mail first (findings count them all)."""
Kind = Literal[
    "alibaba-mail", "authorized", "third-party", "unverified", "unauthenticated", "forwarded", "ok"
]
_POLICIES: tuple[PolicyWord, ...] = ("none", "quarantine", "reject")
_FOLLOWING: dict[PolicyWord, PolicyWord | None] = {
    "none": "quarantine",
    "quarantine": "reject",
    "reject": None,
}


@dataclass(frozen=True, slots=True)
class Judged:
    """A source as the readiness judgement sees it: its tally and what the live checks said."""

    tally: Tally
    sender: SenderClass
    spf_alibaba_mail: SpfWord | None
    spf_domain: SpfWord | None
    forwarded: bool
    checked: bool
    """Its live SPF checks answered."""
    kind: Kind

    def row(self) -> dict[str, Any]:
        """The source as the result lists it (SourceSummary's fields)."""
        t = self.tally
        return {
            "source_ip": t.source_ip,
            "domain": t.domain,
            "messages": t.messages,
            "dmarc_pass": t.dmarc_pass,
            "dmarc_fail": t.messages - t.dmarc_pass,
            "spf_aligned": t.spf_aligned,
            "dkim_aligned": t.dkim_aligned,
            "sender": self.sender,
            "spf_alibaba_mail": self.spf_alibaba_mail,
            "spf_domain": self.spf_domain,
            "forwarded": self.forwarded,
            "authenticated_elsewhere": t.elsewhere,
            "reports": t.reports,
            "spf_domains": [f"{d}: {r}" for d, r in t.spf_seen.items()],
            "dkim_domains": [f"{d}: {r}" for d, r in t.dkim_seen.items()],
        }


def judge(
    tally: Tally,
    sender: SenderClass,
    spf_alibaba_mail: SpfWord | None,
    spf_domain: SpfWord | None,
    forwarded: bool,
    checked: bool,
) -> Judged:
    kind: Kind
    if forwarded:
        kind = "forwarded"
    elif tally.dmarc_pass == tally.messages:
        kind = "ok"
    elif sender != "unknown":
        kind = sender
    elif tally.elsewhere:
        kind = "third-party"
    else:
        kind = "unauthenticated" if checked else "unverified"
    return Judged(tally, sender, spf_alibaba_mail, spf_domain, forwarded, checked, kind)


BLOCKING: frozenset[Kind] = frozenset({"alibaba-mail", "authorized", "third-party", "unverified"})


def policy_readiness(
    domain: str | None,
    reports: list[ReportRead],
    judged: list[Judged],
    kb: DmarcReportsKnowledge,
    provider: Provider,
    record_domain: str | None,
) -> PolicyReadiness:
    """`reports`: the domain's reports counted; `judged`: its sources, most mail first;
    `record_domain`: the domain a next record may name (a valid domain), else None."""
    current, pct = latest_policy(reports)
    following = next_policy(current, pct)
    blocking = [j for j in judged if j.kind in BLOCKING]
    blocking.sort(key=lambda j: -j.tally.dmarc_fail)
    messages = sum(j.tally.messages for j in judged)
    return PolicyReadiness(
        domain=domain,
        current=current,
        current_pct=pct,
        next=following,
        next_record=_next_record(current, pct, provider, record_domain),
        ready=bool(messages) and current is not None and not blocking,
        blockers=[blocker(j, kb) for j in blocking[:MAX_BLOCKERS]],
        blocked_sources=len(blocking),
        period=period(reports),
    )


def latest_policy(reports: list[ReportRead]) -> tuple[PolicyWord | None, int]:
    """The policy and pct of the report with the latest period (pct 100 when absent or unreadable)."""
    if not reports:
        return None, 100
    latest = max(reports, key=lambda r: (r.end, r.begin))
    word = latest.policy.get("p", "").strip().lower()
    current = next((p for p in _POLICIES if p == word), None)
    try:
        pct = max(0, min(100, int(latest.policy.get("pct", "100").strip() or "100")))
    except ValueError:
        pct = 100
    return current, pct


def next_policy(current: PolicyWord | None, pct: int) -> PolicyWord | None:
    if current is None:
        return None
    if current != "none" and pct < 100:
        return current  # the same policy for all mail, not a sample of it
    following: dict[PolicyWord, PolicyWord | None] = {
        "none": "quarantine",
        "quarantine": "reject",
        "reject": None,
    }
    return following[current]


def _next_record(current: PolicyWord | None, pct: int, provider: Provider, domain: str | None) -> str | None:
    following = next_policy(current, pct)
    if following is None or domain is None:
        return None
    template = provider.dmarc.next_record if following == "quarantine" else provider.dmarc.final_record
    return template.format(domain=domain)


def period(reports: list[ReportRead]) -> Period | None:
    if not reports:
        return None
    begin, end = min(r.begin for r in reports), max(r.end for r in reports)
    return Period(
        begin=begin,
        end=end,
        begin_date=iso(begin),
        end_date=iso(end),
        days=round(max(0, end - begin) / 86400, 1),
    )


def iso(stamp: int) -> str:
    try:
        return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(stamp)


def blocker(judged: Judged, kb: DmarcReportsKnowledge) -> Blocker:
    tally = judged.tally
    values = {"failing": tally.dmarc_fail, "messages": tally.messages}
    texts = kb.blockers
    kind = judged.kind
    if kind == "alibaba-mail":
        fix = [texts.alibaba_mail.spf if judged.spf_domain != "pass" else texts.alibaba_mail.spf_now]
        if tally.dkim_aligned < tally.messages:
            fix.append(texts.alibaba_mail.dkim)
        problem = texts.alibaba_mail.problem
    elif kind == "third-party":
        t = texts.third_party
        seen = [d for d, result in tally.spf_seen.items() if result == "pass"]
        seen += [d.split(" ", 1)[0] for d, result in tally.dkim_seen.items() if result == "pass"]
        seen = list(dict.fromkeys(seen))
        fix = [render(t.seen, {"quoted_domains": ", ".join(quoted(d, 80) for d in seen[:3])})] if seen else []
        fix.append(t.dkim)
        if tally.own_spf_failed:
            fix.append(t.spf)
        fix.append(t.stop)
        problem = t.problem
    else:
        plain = texts.authorized if kind == "authorized" else texts.unverified
        fix, problem = list(plain.fix), plain.problem
    return Blocker(
        source_ip=tally.source_ip,
        sender=judged.sender,
        messages=tally.messages,
        dmarc_fail=tally.dmarc_fail,
        problem=render(problem, values),
        fix=fix,
    )
