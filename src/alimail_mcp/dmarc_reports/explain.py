"""The analysis in the result's shape: the reports and sources, the totals, the policy step, and the
findings, summary and next steps in the knowledge base's words (counts, dates and policy words only:
names read from a report stay in the data fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alimail_mcp.dmarc_reports.knowledge import SKILL, DmarcReportsKnowledge, load_dmarc_reports
from alimail_mcp.dmarc_reports.merge import ReportRead, Tally
from alimail_mcp.dmarc_reports.models import (
    DmarcReportsResult,
    PolicyReadiness,
    PublishedPolicy,
    ReportSummary,
    Totals,
)
from alimail_mcp.dmarc_reports.readiness import Judged, iso, judge, policy_readiness
from alimail_mcp.dmarc_reports.senders import checked, forwarded, sender_class
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.models import Finding

if TYPE_CHECKING:
    from alimail_mcp.dmarc_reports.analyze import Reading
    from alimail_mcp.dmarc_reports.senders import Verdicts

EVIDENCE_SOURCES = 10
_FIXES_FIRST = ("dmarc_report.alibaba-mail-failing", "dmarc_report.authorized-failing")


def compose(reading: Reading, verdicts: Verdicts | None) -> DmarcReportsResult:
    kb = load_dmarc_reports()
    main, asked = reading.main_domain, reading.domain
    shown = [r for r in reading.reports if r.counted or r.duplicate]
    kept = [r for r in shown if r.counted]
    tallies = sorted(reading.tallies.values(), key=lambda t: (-t.messages, t.domain, t.source_ip))
    judged = [_judge(t, verdicts) for t in tallies]
    readiness = policy_readiness(
        main,
        [r for r in kept if asked is not None or r.domain == main],
        [j for j in judged if asked is not None or j.tally.domain == main],
        kb,
        load_provider(),
        _valid(main),
    )
    messages = sum(t.messages for t in tallies)
    passing = sum(t.dmarc_pass for t in tallies)
    totals = Totals(
        messages=messages,
        dmarc_pass=passing,
        dmarc_fail=messages - passing,
        reports=len(kept),
        sources=len(tallies),
    )
    findings = _findings(reading, shown, judged, readiness, verdicts is not None, kb)
    return DmarcReportsResult(
        intent="configure-communication",
        path="dns-auth",
        skill=SKILL,
        summary=_summary(reading, kept, totals, judged, readiness, kb),
        findings=findings,
        next_steps=_next_steps(reading, readiness, findings, kb),
        domain=main,
        reports=[_report(r) for r in shown],
        sources=[j.row() for j in judged],  # validated at once: faster than a model per source
        totals=totals,
        policy_readiness=readiness,
        errors=reading.errors,
        live_checks=verdicts is not None,
    )


def _valid(domain: str | None) -> str | None:
    try:
        return normalize_domain(domain) if domain else None
    except InputError:
        return None


def _report(report: ReportRead) -> ReportSummary:
    return ReportSummary(
        org_name=report.org_name,
        report_id=report.report_id,
        begin=report.begin,
        end=report.end,
        begin_date=iso(report.begin),
        end_date=iso(report.end),
        domain=report.domain,
        policy=published(report.policy),
        messages=report.messages,
        dmarc_pass=report.dmarc_pass,
        dmarc_fail=report.messages - report.dmarc_pass,
        records=report.records,
        source=report.source,
        repaired=list(report.repaired),
        duplicate=report.duplicate,
    )


def published(policy: dict[str, str]) -> PublishedPolicy:
    """The published policy with RFC 7489's defaults where the report leaves a tag out (adkim and aspf
    relaxed, sp as p); pct stays None when absent (RFC 9990 has no pct; 100 applies)."""
    words = {k: v.strip().lower() for k, v in policy.items() if v.strip()}
    return PublishedPolicy(
        p=words.get("p"),
        sp=words.get("sp", words.get("p")),
        pct=_int(words.get("pct")),
        adkim=words.get("adkim", "r"),
        aspf=words.get("aspf", "r"),
        np=words.get("np"),
        fo=words.get("fo"),
    )


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _judge(tally: Tally, verdicts: Verdicts | None) -> Judged:
    sender = sender_class(tally, verdicts)
    alibaba = verdicts.alibaba.get(tally.source_ip) if verdicts else None
    own = verdicts.domain.get((tally.domain, tally.source_ip)) if verdicts else None
    return judge(tally, sender, alibaba, own, forwarded(tally, sender, verdicts), checked(tally, verdicts))


# --- findings --------------------------------------------------------------------------------------


def _findings(
    reading: Reading,
    shown: list[ReportRead],
    judged: list[Judged],
    readiness: PolicyReadiness,
    live: bool,
    kb: DmarcReportsKnowledge,
) -> list[Finding]:
    out: list[Finding] = []
    refused = [e for e in reading.errors if e.refused]
    unreadable = [e for e in reading.errors if not e.refused]
    if refused:
        out.append(kb.finding("dmarc_report.refused", _labels(refused), count=len(refused)))
    if unreadable:
        out.append(kb.finding("dmarc_report.unreadable", _labels(unreadable), count=len(unreadable)))
    repaired = [r for r in shown if r.repaired]
    if repaired:
        out.append(kb.finding("dmarc_report.repaired", count=len(repaired)))
    duplicates = [r for r in shown if r.duplicate]
    if duplicates:
        out.append(kb.finding("dmarc_report.duplicate", count=len(duplicates)))
    domains = {r.domain for r in shown if r.counted}
    asked = reading.domain
    if asked is not None and len(shown) < len(reading.reports):
        out.append(kb.finding("dmarc_report.other-domains", count=len(reading.reports) - len(shown)))
    elif asked is None and len(domains) > 1:
        out.append(kb.finding("dmarc_report.several-domains", count=len(domains)))
    if not live:
        out.append(kb.finding("dmarc_report.offline"))
    mine = [j for j in judged if asked is not None or j.tally.domain == readiness.domain]
    out += _source_findings(mine, kb)
    out += _readiness_findings(readiness, kb)
    return out


def _source_findings(judged: list[Judged], kb: DmarcReportsKnowledge) -> list[Finding]:
    out: list[Finding] = []
    by_kind: dict[str, list[Judged]] = {}
    for j in judged:
        by_kind.setdefault(j.kind, []).append(j)
    alibaba = [j for j in judged if j.sender == "alibaba-mail"]
    failing = by_kind.get("alibaba-mail", [])
    if failing:
        finding = _about("dmarc_report.alibaba-mail-failing", failing, kb)
        if all(j.spf_domain == "pass" for j in failing):  # the SPF record has been fixed since
            finding.fix = finding.fix[1:]
        out.append(finding)
    elif alibaba:
        unsigned = sum(j.tally.messages - j.tally.dkim_aligned for j in alibaba)
        if unsigned:
            out.append(_about("dmarc_report.alibaba-mail-spf-only", alibaba, kb, count=unsigned))
        else:
            out.append(_about("dmarc_report.alibaba-mail-ok", alibaba, kb))
    for kind, code in (
        ("authorized", "dmarc_report.authorized-failing"),
        ("third-party", "dmarc_report.third-party"),
        ("unauthenticated", "dmarc_report.unauthenticated"),
        ("unverified", "dmarc_report.unverified"),
    ):
        if by_kind.get(kind):
            out.append(_about(code, by_kind[kind], kb))
    forwarders = [j for j in judged if j.forwarded]
    if forwarders:
        out.append(_about("dmarc_report.forwarded", forwarders, kb))
    return out


def _about(code: str, judged: list[Judged], kb: DmarcReportsKnowledge, **extra: object) -> Finding:
    values: dict[str, object] = {
        "count": len(judged),
        "messages": sum(j.tally.messages for j in judged),
        "failing": sum(j.tally.dmarc_fail for j in judged),
        "passing": sum(j.tally.dmarc_pass for j in judged),
        **extra,
    }
    ranked = sorted(judged, key=lambda j: (-j.tally.dmarc_fail, -j.tally.messages))
    evidence: dict[str, Any] = {
        "sources": [j.tally.source_ip for j in ranked[:EVIDENCE_SOURCES]],
        "count": len(judged),
    }
    return kb.finding(code, evidence, **values)


def _readiness_findings(readiness: PolicyReadiness, kb: DmarcReportsKnowledge) -> list[Finding]:
    out: list[Finding] = []
    period = readiness.period
    blocked = readiness.blocked_sources
    if period is not None and period.days < load_provider().dmarc.days_at_none:
        out.append(kb.finding("dmarc_report.short-period", days=period.days))
    if readiness.current is None:
        return out
    if readiness.ready and readiness.next is None:
        out.append(kb.finding("dmarc_report.at-reject"))
    elif readiness.ready:
        out.append(kb.finding("dmarc_report.ready", next=readiness.next))
    elif blocked:
        evidence = {"sources": [b.source_ip for b in readiness.blockers[:EVIDENCE_SOURCES]]}
        out.append(
            kb.finding("dmarc_report.not-ready", evidence, next=readiness.next or "reject", count=blocked)
        )
    else:
        out.append(kb.finding("dmarc_report.no-mail"))
    return out


def _labels(errors: list[Any]) -> dict[str, Any]:
    return {"items": [e.source for e in errors[:EVIDENCE_SOURCES]], "count": len(errors)}


# --- words -----------------------------------------------------------------------------------------


def _summary(
    reading: Reading,
    kept: list[ReportRead],
    totals: Totals,
    judged: list[Judged],
    readiness: PolicyReadiness,
    kb: DmarcReportsKnowledge,
) -> str:
    s = kb.summary
    if not kept:
        return render(s.nothing, {"count": reading.items})
    reports = kept
    by_sender = {"alibaba-mail": 0, "authorized": 0, "unknown": 0}
    for j in judged:
        by_sender[j.sender] += j.tally.messages
    percent = round(100 * totals.dmarc_pass / totals.messages, 1) if totals.messages else 0
    parts = [
        render(
            s.read,
            {
                "reports": totals.reports,
                "reporters": len({r.org_name.lower() for r in reports}),
                "messages": totals.messages,
                "sources": totals.sources,
                "begin": iso(min(r.begin for r in reports))[:10],
                "end": iso(max(r.end for r in reports))[:10],
                "percent": percent,
            },
        ),
        render(
            s.senders,
            {
                "alibaba": by_sender["alibaba-mail"],
                "authorized": by_sender["authorized"],
                "unknown": by_sender["unknown"],
            },
        ),
    ]
    if readiness.current is None:
        parts.append(s.no_policy)
    elif readiness.ready:
        parts.append(s.at_reject if readiness.next is None else render(s.ready, {"next": readiness.next}))
    elif readiness.blockers:
        parts.append(
            render(s.not_ready, {"next": readiness.next or "reject", "count": readiness.blocked_sources})
        )
    return " ".join(parts)


def _next_steps(
    reading: Reading, readiness: PolicyReadiness, findings: list[Finding], kb: DmarcReportsKnowledge
) -> list[str]:
    n = kb.next_steps
    out: list[str] = []
    if readiness.ready and readiness.next is not None:
        out.append(render(n.ready, {"next": readiness.next}))
    elif readiness.ready:
        out.append(n.at_reject)
    elif readiness.blockers:
        out.append(render(n.fix_first, {"next": readiness.next or "reject"}))
        out += [step for f in findings if f.code in _FIXES_FIRST for step in f.fix][:3]
    if reading.errors:
        out.append(n.resend)
    if any(f.code == "dmarc_report.several-domains" for f in findings):
        out.append(n.other_domain)
    return list(dict.fromkeys(out))
