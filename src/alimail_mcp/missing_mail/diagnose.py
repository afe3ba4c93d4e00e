"""`diagnose_missing_mail()`: why mail sent to a domain's mailbox did not show up.

Reads the domain's live MX/SPF (the check_dns audit), the header block and the bounce when given,
and the sender's SPF/DMARC; turns all of it and the reported symptoms into signals; ranks the causes
of skills/missing_mail.yaml; and says which question to ask when the evidence cannot decide.
Headers and bounce text are untrusted: they are quoted as evidence, never repeated in the summary
or the steps.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from alimail_mcp.dns.health import RESOLVER_CODES
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_address, normalize_domain
from alimail_mcp.knowledge.facts import render
from alimail_mcp.missing_mail.args import HEADERS_CHARS, MAX_SYMPTOMS
from alimail_mcp.missing_mail.bounce import read_bounce
from alimail_mcp.missing_mail.knowledge import (
    SKILLS,
    MissingMailKnowledge,
    QuestionSpec,
    load_missing_mail,
)
from alimail_mcp.missing_mail.models import (
    SYMPTOMS,
    LikelyCause,
    MissingMailDiagnosis,
    NextQuestion,
    SenderChecks,
    Symptom,
)
from alimail_mcp.missing_mail.rank import Scored, candidates, choose_question, confirmed, is_decided, rank
from alimail_mcp.missing_mail.signals import observe
from alimail_mcp.models import Finding, PathId

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dns.client import DnsClient
    from alimail_mcp.dns.report import DnsAuditResult
    from alimail_mcp.headers.models import HeaderAnalysis

_DOMAIN_FINDINGS = ("mx.", "spf.", "dns.")


async def diagnose_missing_mail(
    domain: str,
    sender: str | None = None,
    symptoms: list[str] | None = None,
    headers: str | None = None,
    bounce_text: str | None = None,
    *,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    authoritative_port: int | None = None,
) -> MissingMailDiagnosis:
    """Rank the likely causes of missing inbound mail for `domain`. InputError names a bad field."""
    kb = load_missing_mail()
    name = normalize_domain(domain)
    sender_address, sender_domain = normalize_sender(sender)
    reported = normalize_symptoms(symptoms)
    header_text = _bounded(headers, "headers", HEADERS_CHARS)
    bounce = _bounded(bounce_text, "bounce_text", HEADERS_CHARS)

    if header_text:
        from alimail_mcp.headers.analyze import require_fields

        # Refuse a block without fields before any DNS is asked; reading it is CPU work, off the loop.
        await asyncio.to_thread(require_fields, header_text)

    from alimail_mcp.config import load_settings

    settings = settings or load_settings()
    reading_task = asyncio.ensure_future(read_bounce(bounce, kb, name)) if bounce else None
    audit = await _audit(name, settings, client, authoritative_port)
    analysis = await asyncio.to_thread(_headers, header_text, audit) if header_text else None
    reading = await reading_task if reading_task else None

    if sender_domain is None and analysis is not None:
        sender_domain = analysis.message.from_domain  # the message's own From when no sender was named
    blamed = next((f for f in audit.findings if f.code in RESOLVER_CODES), None)
    checks = None
    if sender_domain is not None and blamed is None:
        asker = client if client is not None else _client(settings)
        checks = await _sender(asker, name, sender_domain, sender_address, analysis, settings)

    ranked = rank(observe(reported, audit, analysis, checks, reading), kb)
    decided = is_decided(ranked, kb)
    inputs = {n for n, given in (("headers", header_text), ("bounce_text", bounce)) if given}
    question = None if decided else choose_question(ranked, kb, reported, inputs)
    listed = _listed(ranked, kb, audit)
    path = _path(ranked, decided, kb)
    findings: list[Finding] = [f for f in audit.findings if f.code.startswith(_DOMAIN_FINDINGS)]
    if analysis is not None:
        findings += analysis.findings
    return MissingMailDiagnosis(
        intent="troubleshoot-received",
        path=path,
        skill=SKILLS[path],
        summary=_summary(name, ranked, decided, question, audit, kb, blamed),
        findings=findings,
        next_steps=[*(blamed.fix if blamed else []), *_next_steps(listed, ranked, decided, question, kb)],
        domain=name,
        sender=sender_address or sender_domain,
        symptoms=list(reported),
        causes=listed,
        decided=decided,
        next_question=_next_question(question),
        dns_overall=audit.overall,
        mx=audit.checks.mx,
        dns_changes=[c for c in audit.dns_changes if c.reason.startswith(("mx.", "spf."))],
        sender_checks=checks,
        headers=analysis,
        bounce=reading,
        resolver=audit.resolver,
    )


# --- input rules ----------------------------------------------------------------------------------


def normalize_symptoms(values: list[str] | None) -> tuple[Symptom, ...]:
    if not values:
        return ()
    if len(values) > MAX_SYMPTOMS:
        raise InputError("symptoms", f"at most {MAX_SYMPTOMS} values")
    chosen: set[str] = set()
    for raw in values:
        key = "_".join(str(raw).strip().lower().replace("-", " ").split())
        if key not in SYMPTOMS:
            raise InputError(
                "symptoms", f"{str(raw)[:40]!r} is not a symptom; use any of: {', '.join(SYMPTOMS)}"
            )
        chosen.add(key)
    return tuple(s for s in SYMPTOMS if s in chosen)


def normalize_sender(value: str | None) -> tuple[str | None, str | None]:
    """(address, domain) of the sender: an address gives both, a domain only the domain."""
    if value is None or not value.strip():
        return None, None
    if "@" in value.strip().lstrip("@"):
        address = normalize_address(value, "sender")
        return address, address.rsplit("@", 1)[1]
    return None, normalize_domain(value.strip().lstrip("@"), "sender")


def _bounded(value: str | None, field: str, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > limit:
        raise InputError(field, f"is {len(value)} characters long; the limit is {limit}")
    return value


# --- reading ------------------------------------------------------------------------------------


async def _audit(name: str, settings: Settings, client: DnsClient | None, port: int | None) -> DnsAuditResult:
    from alimail_mcp.dns.audit import audit_domain

    return await audit_domain(
        name,
        compare_authoritative=True,
        settings=settings,
        client=client,
        authoritative_port=port if port is not None else settings.authoritative_port,
    )


async def _sender(
    client: DnsClient,
    domain: str,
    sender_domain: str,
    address: str | None,
    analysis: HeaderAnalysis | None,
    settings: Settings,
) -> SenderChecks:
    from alimail_mcp.missing_mail.sender import check_sender

    ip = analysis.sending_ip if analysis else None
    return await check_sender(
        client, domain, sender_domain, address=address, sending_ip=ip, budget=settings.dns_budget
    )


def _client(settings: Settings) -> DnsClient:
    from alimail_mcp.dns.resolver import ResolverClient

    return ResolverClient.from_settings(settings)


def _headers(text: str, audit: DnsAuditResult) -> HeaderAnalysis:
    from alimail_mcp.headers.analyze import analyze_headers

    mx = audit.checks.mx
    ours = [h.host for h in mx.hosts if h.provider_set]
    return analyze_headers(text, mx_hosts=ours, foreign_mx=mx.foreign_hosts)


# --- the result in words ----------------------------------------------------------------------------


def _listed(ranked: list[Scored], kb: MissingMailKnowledge, audit: DnsAuditResult) -> list[LikelyCause]:
    d = kb.decision
    kept = [s for s in ranked[: d.listed] if s.score >= d.floor] or ranked[:3]
    if len(kept) < 3:
        kept = ranked[:3]
    out: list[LikelyCause] = []
    for rank_no, scored in enumerate(kept, 1):
        spec = scored.spec
        changes = [c for c in audit.dns_changes if c.reason in spec.dns_reasons]
        out.append(
            LikelyCause(
                rank=rank_no,
                id=spec.id,
                path=spec.path,
                skill=SKILLS[spec.path],
                title=spec.title,
                score=scored.score,
                evidence=scored.evidence,
                against=scored.against,
                steps=list(spec.steps),
                dns_changes=changes,
            )
        )
    return out


def _path(ranked: list[Scored], decided: bool, kb: MissingMailKnowledge) -> PathId:
    """The top cause's path when decided; otherwise the path the leading candidates weigh most on."""
    if decided:
        return ranked[0].spec.path
    mass: dict[PathId, float] = {}
    for s in candidates(ranked, kb):
        mass[s.spec.path] = mass.get(s.spec.path, 0.0) + s.score
    return max(mass, key=lambda p: (mass[p], p == ranked[0].spec.path))


def _summary(
    domain: str,
    ranked: list[Scored],
    decided: bool,
    question: tuple[QuestionSpec, list[str]] | None,
    audit: DnsAuditResult,
    kb: MissingMailKnowledge,
    blamed: Finding | None = None,
) -> str:
    s = kb.summary
    top = ranked[0]
    lead = [render(s.resolver, {"resolver": blamed.title})] if blamed else []
    if not decided and top.score < kb.decision.floor * 4:
        parts = [*lead, render(s.nothing, {"domain": domain})]
    else:
        parts = [*lead, render(s.top, {"domain": domain, "title": top.spec.title})]
        others = confirmed(ranked, kb)[1:2]
        if others:
            parts.append(render(s.also, {"title": others[0].spec.title}))
        elif top.evidence:
            parts.append(render(s.evidence, {"says": top.evidence[0].says}))
    if not decided and question is not None:
        parts.append(render(s.undecided, {"ask": question[0].ask}))
    elif audit.overall == "problem" and not top.spec.id.startswith("dns.") and _mx_problem(audit):
        parts.append(s.dns_problem)
    return " ".join(parts)


def _mx_problem(audit: DnsAuditResult) -> bool:
    return any(f.code.startswith("mx.") and f.severity.value == "error" for f in audit.findings)


def _next_steps(
    listed: list[LikelyCause],
    ranked: list[Scored],
    decided: bool,
    question: tuple[QuestionSpec, list[str]] | None,
    kb: MissingMailKnowledge,
) -> list[str]:
    steps = list(listed[0].steps[:2]) if listed else []
    for other in confirmed(ranked, kb)[1:3]:
        steps.append(other.spec.steps[0])
    if not decided and question is not None:
        steps.append(question[0].ask)
    return [s for s in dict.fromkeys(steps) if s]


def _next_question(question: tuple[QuestionSpec, list[str]] | None) -> NextQuestion | None:
    if question is None:
        return None
    spec, moved = question
    answers = spec.unless_input
    if answers is None and spec.signal and spec.signal.startswith("symptom."):
        answers = spec.signal.removeprefix("symptom.")
    return NextQuestion(id=spec.id, ask=spec.ask, why=spec.why, answers=answers, helps_decide=moved)
