"""`plan_secure_setup()`: the ordered plan to secure a domain's mail, built on the check_dns audit.

Goals decide what is planned: anti-spoofing (SPF, DKIM, DMARC stages from the live DNS), signing and
encryption (S/MIME eligibility and the certificate's checks), spam-control (what the sender filters
cost and the whitelist to build first). No goal means all of them.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from alimail_mcp.config import load_settings
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import CHOICE_CHARS, normalize_address, normalize_domain
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.models import Finding, PathId
from alimail_mcp.secure_setup.args import GOALS, MAX_GOALS, GoalId
from alimail_mcp.secure_setup.filters import sender_filter_advice
from alimail_mcp.secure_setup.knowledge import (
    SKILL_CONFIGURATION,
    SKILL_SECURITY,
    SecureSetupKnowledge,
    load_secure_setup,
)
from alimail_mcp.secure_setup.models import (
    CertificateCheck,
    EditionId,
    PlanStep,
    SecureSetupPlan,
    SmimeEligibility,
)
from alimail_mcp.secure_setup.smime import smime_eligibility

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dmarc_reports.analyze import Item
    from alimail_mcp.dmarc_reports.models import DmarcReportsResult, PolicyReadiness
    from alimail_mcp.dns.client import DnsClient
    from alimail_mcp.dns.report import DnsAuditResult
    from alimail_mcp.secure_setup.certificate import Purpose

_SKILLS: dict[str, str] = {
    "dns-auth": SKILL_CONFIGURATION,
    "smime": SKILL_SECURITY,
    "sender-filters": SKILL_SECURITY,
}
_AUTH_CHECKS = ("spf.", "dkim.", "dmarc.")


async def plan_secure_setup(
    domain: str,
    edition: str | None = None,
    goals: list[str] | None = None,
    certificate: str | None = None,
    mailbox: str | None = None,
    reports: list[str] | None = None,
    *,
    report_items: Sequence[Item] | None = None,
    today: date | str | None = None,
    dkim_selectors: list[str] | None = None,
    certificate_check: CertificateCheck | None = None,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    authoritative_port: int | None = None,
) -> SecureSetupPlan:
    """Plan SPF -> DKIM -> DMARC (dated stages), S/MIME and sender filters for `domain`.

    `certificate`: PEM or base64 DER text, or the path of a .cer/.crt/.pem/.der file on this machine
    (a .p12/.pfx is refused: the command line checks those and passes `certificate_check`).
    `reports` (or `report_items`, files the command line read): the domain's DMARC aggregate reports;
    the next DMARC stage is then due when they show every legitimate source passing.
    Raises InputError naming the field for bad input; DNS problems become findings.
    """
    kb = load_secure_setup()
    provider = load_provider()
    name = normalize_domain(domain)
    edition_id = normalize_edition(edition, kb)
    wanted = normalize_goals(goals)
    address = normalize_address(mailbox, "mailbox") if mailbox and mailbox.strip() else None
    day = parse_day(today)
    settings = settings or load_settings()
    if certificate_check is None and certificate is not None and certificate.strip():
        from alimail_mcp.secure_setup.certificate import check_certificate, read_certificate_input

        data = read_certificate_input(certificate, allow_paths=settings.local_files)
        now = datetime.now(UTC) if today is None else datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        certificate_check = await asyncio.to_thread(  # parsing is CPU work: off the event loop
            check_certificate, data, mailbox=address, purposes=_purposes(wanted), now=now
        )

    audit = None
    analysis = None
    items = _report_items(reports, report_items) if "anti-spoofing" in wanted else None
    if "anti-spoofing" in wanted or "spam-control" in wanted:
        audit, analysis = await asyncio.gather(
            _audit(name, dkim_selectors, settings, client, authoritative_port),
            _reports(items, name, settings, client),
        )

    findings: list[Finding] = []
    steps: list[PlanStep] = []
    readiness = analysis.policy_readiness if analysis is not None else None
    if audit is not None and "anti-spoofing" in wanted:
        from alimail_mcp.secure_setup.steps import authentication_steps

        steps = authentication_steps(audit, kb, provider, day, readiness)
        findings += audit.findings
    if analysis is not None:
        findings += [f for f in analysis.findings if f.severity.value in ("error", "warning")]
    smime = None
    if certificate_check is not None or {"signing", "encryption"} & set(wanted):
        smime, smime_findings = smime_eligibility(edition_id, certificate_check, kb, provider)
        findings += smime_findings
    filters = sender_filter_advice(kb, provider, audit) if "spam-control" in wanted else None

    path = _path(wanted, kb)
    return SecureSetupPlan(
        intent="configure-communication",
        path=path,
        skill=_SKILLS[path],
        summary=_summary(name, steps, smime, filters is not None, kb, readiness, blamed=_blamed(audit)),
        findings=findings,
        next_steps=_next_steps(steps, smime, filters is not None, audit, kb),
        domain=name,
        edition=edition_id,
        goals=list(wanted),
        today=day.isoformat(),
        dns_overall=audit.overall if audit is not None else None,
        authentication_steps=steps,
        dns_changes=audit.dns_changes if audit is not None else [],
        dmarc_readiness=readiness,
        smime=smime,
        sender_filters=filters,
        resolver=audit.resolver if audit is not None else None,
    )


def _blamed(audit: DnsAuditResult | None) -> Finding | None:
    """The finding that blames this machine's resolver, when it did not answer the audit."""
    from alimail_mcp.dns.health import RESOLVER_CODES

    return next((f for f in audit.findings if f.code in RESOLVER_CODES), None) if audit else None


async def _audit(
    name: str,
    selectors: list[str] | None,
    settings: Settings,
    client: DnsClient | None,
    port: int | None,
) -> DnsAuditResult:
    from alimail_mcp.dns.audit import audit_domain

    return await audit_domain(
        name,
        dkim_selectors=selectors,
        compare_authoritative=True,
        settings=settings,
        client=client,
        authoritative_port=port if port is not None else settings.authoritative_port,
    )


async def _reports(
    items: Sequence[Item] | None, name: str, settings: Settings, client: DnsClient | None
) -> DmarcReportsResult | None:
    if not items:
        return None
    from alimail_mcp.dmarc_reports.analyze import analyze_items

    return await analyze_items(items, name, settings=settings, client=client)


# --- input rules ----------------------------------------------------------------------------------


def _report_items(reports: list[str] | None, files: Sequence[Item] | None) -> list[Item] | None:
    """The reports to judge the DMARC stages by: the tool's texts (checked as analyze_dmarc_reports
    checks them) or the command line's files."""
    if files:
        return list(files)
    if not reports:
        return None
    from alimail_mcp.dmarc_reports.analyze import text_items

    return text_items(reports)


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return " ".join(folded.replace("_", " ").replace("-", " ").split())


def normalize_edition(value: str | None, kb: SecureSetupKnowledge | None = None) -> EditionId | None:
    if value is None or not value.strip():
        return None
    kb = kb or load_secure_setup()
    if len(value) > CHOICE_CHARS:
        raise InputError("edition", f"is longer than {CHOICE_CHARS} characters")
    key = _key(value)
    for edition in kb.editions:
        if key in {_key(a) for a in (*edition.aliases, edition.id, edition.label)}:
            return edition.id
    allowed = ", ".join(e.label for e in kb.editions)
    raise InputError("edition", f"{value[:40]!r} is not an edition; use one of: {allowed}")


def normalize_goals(values: list[str] | None) -> tuple[GoalId, ...]:
    """Goals in plan order, duplicates dropped; none given means all of them."""
    if not values:
        return GOALS
    if len(values) > MAX_GOALS:
        raise InputError("goals", f"at most {MAX_GOALS} goals")
    chosen: set[str] = set()
    for raw in values:
        key = _key(str(raw)).replace(" ", "-")
        if key not in GOALS:
            raise InputError("goals", f"{str(raw)[:40]!r} is not a goal; use any of: {', '.join(GOALS)}")
        chosen.add(key)
    return tuple(g for g in GOALS if g in chosen)


def parse_day(value: date | str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) > 40:
            raise ValueError
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise InputError("today", "must be a date like 2024-06-01") from None


def _purposes(goals: tuple[GoalId, ...]) -> tuple[Purpose, ...]:
    both: tuple[Purpose, ...] = ("signing", "encryption")
    chosen = tuple(p for p in both if p in goals)
    return chosen or both


def _path(goals: tuple[GoalId, ...], kb: SecureSetupKnowledge) -> PathId:
    paths = {g.id: g.path for g in kb.goals}
    return paths[goals[0]]


# --- the plan in words ----------------------------------------------------------------------------


def _summary(
    domain: str,
    steps: list[PlanStep],
    smime: SmimeEligibility | None,
    filters: bool,
    kb: SecureSetupKnowledge,
    readiness: PolicyReadiness | None = None,
    *,
    blamed: Finding | None = None,
) -> str:
    s = kb.summary
    parts: list[str] = []
    judged = readiness is not None and readiness.period is not None and readiness.next is not None
    if steps:
        now = [st for st in steps if st.status in ("to-do", "fix")]
        unknown = [st for st in steps if st.status == "unknown"]
        if blamed is not None:
            parts.append(render(s.dns_resolver, {"resolver": blamed.title, "domain": domain}))
        elif unknown:
            parts.append(render(s.dns_unknown, {"domain": domain}))
        elif now:
            records = {st.id.split("-")[0] for st in now}
            parts.append(render(s.dns_todo, {"domain": domain, "count": len(records), "first": now[0].title}))
        elif all(st.status == "done" for st in steps):
            parts.append(render(s.dns_ok, {"domain": domain}))
        else:
            parts.append(render(s.dns_staged, {"domain": domain}))
        dated = {st.id: st.not_before for st in steps if st.status == "later" and st.not_before}
        if judged and readiness is not None:
            text = s.dmarc_ready if readiness.ready else s.dmarc_blocked
            parts.append(render(text, {"next": readiness.next, "count": readiness.blocked_sources}))
        elif "dmarc-quarantine" in dated and "dmarc-reject" in dated:
            values = {"quarantine_date": dated["dmarc-quarantine"], "reject_date": dated["dmarc-reject"]}
            parts.append(render(s.dmarc_dates, values))
        elif "dmarc-reject" in dated:
            parts.append(render(s.dmarc_reject_date, {"reject_date": dated["dmarc-reject"]}))
    if smime is not None:
        cert = smime.certificate
        if smime.eligible is False:
            parts.append(s.smime_not_eligible)
        elif cert is not None and not cert.fit:
            errors = sum(1 for f in cert.findings if f.severity.value == "error")
            parts.append(render(s.smime_cert_problems, {"count": errors}))
        elif smime.eligible and cert is not None:
            parts.append(s.smime_ok)
        else:
            parts.append(s.smime_unknown)
    if filters and len(parts) < 3:  # the summary stays at three sentences; the advice is in sender_filters
        parts.append(s.filters)
    return " ".join(parts)


def _next_steps(
    steps: list[PlanStep],
    smime: SmimeEligibility | None,
    filters: bool,
    audit: DnsAuditResult | None,
    kb: SecureSetupKnowledge,
) -> list[str]:
    out: list[str] = []
    s = kb.summary
    blamed = _blamed(audit)
    if blamed is not None:  # nothing was read: what to do is make the resolver answer
        out += blamed.fix
        steps = [st for st in steps if st.status != "unknown"]
    for step in steps:
        if step.status in ("to-do", "fix") and step.actions:
            out.append(render(s.step_now, {"title": step.title, "action": step.actions[0]}))
        elif step.status == "later" and step.not_before:
            out.append(render(s.step_later, {"title": step.title, "date": step.not_before}))
        elif step.status == "unknown":
            out.append(render(s.step_unknown, {"title": step.title}))
    if (
        audit is not None
        and blamed is None
        and any(
            f.severity.value in ("error", "warning") and not f.code.startswith(_AUTH_CHECKS)
            for f in audit.findings
        )
    ):
        out.append(s.other_dns)
    if smime is not None and smime.eligible is not False:
        cert = smime.certificate
        if cert is not None and not cert.fit:
            out += [f.fix[0] for f in cert.findings if f.severity.value == "error" and f.fix][:2]
        out.append(smime.steps[0])
    if filters:
        out.append(kb.sender_filters.order[0])
    return list(dict.fromkeys(out))
