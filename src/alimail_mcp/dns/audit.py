"""`audit_domain()`: every check of a mail domain at once, within the DNS budget, and the change plan.

All checks start together and every question they can ask without waiting for another answer is in
flight at once; the client shares identical questions. The budget is a hard deadline: questions
still open shortly before it come back as timeouts (so checks finish with what they have), and a
check that still has not finished when it runs out is reported as unreachable.

The work is bounded whatever the records hold: each check caps what it follows (MX records in mx.py,
the SPF walk in spf/walk.py, report destinations in dmarc.py), and the audit's view of the client
hands the authoritative comparison at most MAX_NAMESERVERS names of an NS answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ipaddress
import re
import time
from collections.abc import Awaitable, Coroutine, Sequence
from typing import Any

from alimail_mcp import progress
from alimail_mcp.config import Settings, load_settings
from alimail_mcp.dns.answer_cache import AnswerCache
from alimail_mcp.dns.args import MAX_SELECTORS, MAX_SENDING_IPS
from alimail_mcp.dns.bimi import check_bimi
from alimail_mcp.dns.blocklist.check import check_blocklists
from alimail_mcp.dns.blocklist.lists import active_lists
from alimail_mcp.dns.blocklist.models import BlocklistCheck
from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.dkim import check_dkim
from alimail_mcp.dns.dmarc import check_dmarc
from alimail_mcp.dns.dnssec.check import check_dnssec
from alimail_mcp.dns.dnssec.models import DnssecCheck
from alimail_mcp.dns.finding import FAULT_CODES, SKILL_DELIVERY, make
from alimail_mcp.dns.health import resolver_finding, resolver_report
from alimail_mcp.dns.models import (
    BimiCheck,
    CheckResult,
    DkimCheck,
    DmarcCheck,
    MxCheck,
    PropagationCheck,
    TlsRptCheck,
    WebmailCheck,
)
from alimail_mcp.dns.mta_sts.check import check_mta_sts
from alimail_mcp.dns.mta_sts.models import MtaStsCheck
from alimail_mcp.dns.mx import check_mx
from alimail_mcp.dns.names import fqdn, organizational_domain
from alimail_mcp.dns.plan import build_plan
from alimail_mcp.dns.propagation import DirectAsker
from alimail_mcp.dns.propagation import compare_authoritative as compare_with_authoritative
from alimail_mcp.dns.report import DnsAuditResult, DnsChecks
from alimail_mcp.dns.spf import SpfCheck, check_spf
from alimail_mcp.dns.tls_rpt import check_tls_rpt
from alimail_mcp.dns.verdict import next_steps_of, overall_of, route_of, summary_of
from alimail_mcp.dns.webmail_cname import check_webmail_cname
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding
from alimail_mcp.outbound import OutboundPolicy

_SELECTOR = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$")
_MARGIN = 0.1
"""Share of the budget kept for the checks to finish after their last question (at most 0.3 s)."""
MAX_NAMESERVERS = 32
"""NS names an NS answer keeps for the authoritative comparison, first by name: more than twice the 13
a registrar takes. Each is listed, and each the comparison looks up costs two address questions."""


async def audit_domain(
    domain: str,
    *,
    dkim_selectors: list[str] | None = None,
    sending_ip: str | Sequence[str] | None = None,
    compare_authoritative: bool = False,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    authoritative_port: int | None = None,
    shared_answers: AnswerCache | None = None,
) -> DnsAuditResult:
    """Audit `domain` against the Alibaba Mail profile. Raises InputError for bad input only.

    `authoritative_port`: where the domain's own nameservers are asked (default: the settings'; tests
    run them elsewhere); it is not a tool argument: callers never choose name servers.
    `shared_answers`: answers shared by the audits of one run (bulk); see dns/answer_cache.py.
    """
    started = time.monotonic()
    name = normalize_domain(domain)
    selectors = normalize_selectors(dkim_selectors)
    ips = normalize_ips(sending_ip)
    settings = settings or load_settings()
    provider = load_provider()
    lists = active_lists(settings.blocklist_zones)
    inner = client if client is not None else _network_client(settings, shared_answers)
    margin = min(0.3, settings.dns_budget * _MARGIN)
    bounded = _Bounded(inner, started + settings.dns_budget - margin)
    outbound = OutboundPolicy.from_settings(settings)

    dmarc = asyncio.ensure_future(check_dmarc(bounded, name, provider=provider))
    jobs: dict[str, Awaitable[CheckResult]] = {
        "mx": check_mx(bounded, name, provider=provider),
        "spf": check_spf(bounded, name, sending_ip=ips),
        "dkim": check_dkim(bounded, name, selectors, provider=provider),
        "dmarc": dmarc,
        "webmail_cname": check_webmail_cname(bounded, name, provider=provider),
        "blocklist": check_blocklists(
            bounded, domains=list(dict.fromkeys((name, organizational_domain(name)))), ips=ips, lists=lists
        ),
        "mta_sts": check_mta_sts(bounded, name, outbound=outbound, port=settings.mta_sts_port),
        "tls_rpt": check_tls_rpt(bounded, name),
        "bimi": check_bimi(bounded, name, dmarc=asyncio.shield(dmarc)),
        "dnssec": check_dnssec(bounded, name),
    }
    if compare_authoritative and isinstance(inner, DirectAsker):
        questions = _questions(name, selectors or list(provider.dkim.common_selectors), provider)
        port = authoritative_port or settings.authoritative_port
        jobs["propagation"] = compare_with_authoritative(
            bounded, bounded, name, questions, port=port, provider=provider, outbound=outbound
        )
    results = await _run(jobs, started + settings.dns_budget)
    resolver = await resolver_report(inner)
    blamed = resolver_finding(resolver)
    if blamed is not None:  # the resolver is down: its silence says nothing about the domain
        for result in results.values():
            result.findings = [f for f in result.findings if f.code not in FAULT_CODES]

    checks = DnsChecks(
        mx=_as(results["mx"], MxCheck),
        spf=_as(results["spf"], SpfCheck),
        dkim=_as(results["dkim"], DkimCheck),
        dmarc=_as(results["dmarc"], DmarcCheck),
        webmail_cname=_as(results["webmail_cname"], WebmailCheck),
        blocklist=_as(results["blocklist"], BlocklistCheck),
        mta_sts=_as(results["mta_sts"], MtaStsCheck),
        tls_rpt=_as(results["tls_rpt"], TlsRptCheck),
        bimi=_as(results["bimi"], BimiCheck),
        dnssec=_as(results["dnssec"], DnssecCheck),
    )
    propagation = _as(results["propagation"], PropagationCheck) if "propagation" in results else None
    if propagation is not None and bounded.nameservers_cut:
        propagation.findings.append(_too_many_nameservers(max(bounded.nameservers_cut.values())))
    by_name: dict[str, CheckResult] = {k: getattr(checks, k) for k in DnsChecks.model_fields}
    findings = [f for c in (*by_name.values(), *([propagation] if propagation else [])) for f in c.findings]
    if blamed is not None:
        findings.insert(0, blamed)
    plan = build_plan(
        name,
        organizational_domain(name),
        mx=checks.mx,
        spf=checks.spf,
        dmarc=checks.dmarc,
        webmail=checks.webmail_cname,
        provider=provider,
    )
    # The lists are third parties: not reaching them leaves the domain's audit complete.
    overall = overall_of(findings, {k: c for k, c in by_name.items() if k != "blocklist"})
    route = route_of(overall, findings)
    dkim_found = any(k.valid and not k.revoked for k in checks.dkim.keys)
    return DnsAuditResult(
        **route.model_dump(),
        summary=summary_of(name, overall, findings, plan, dkim_found=dkim_found),
        findings=findings,
        next_steps=next_steps_of(overall, findings, plan, propagation, provider),
        domain=name,
        overall=overall,
        checks=checks,
        dns_changes=plan,
        propagation=propagation,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        queries=inner.queries,
        resolver=resolver,
    )


def normalize_selectors(values: list[str] | None) -> list[str] | None:
    """DKIM selectors as DNS labels (`s1`, `aliyun-cn-hangzhou`, `k1.sub`); None/empty: try common ones."""
    if not values:
        return None
    if len(values) > MAX_SELECTORS:
        raise InputError("dkim_selectors", f"at most {MAX_SELECTORS} selectors")
    out: list[str] = []
    for raw in values:
        text = str(raw).strip().lower().rstrip(".")
        text = text.split("._domainkey", 1)[0]
        if len(text) > 200 or not _SELECTOR.match(text):
            raise InputError(
                "dkim_selectors",
                f"{text[:80]!r} is not a selector (letters, digits, '-', '_', dot-separated labels of 1-63)",
            )
        out.append(text)
    return list(dict.fromkeys(out))


def normalize_ip(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise InputError("sending_ip", f"{str(value)[:60]!r} is not an IPv4 or IPv6 address") from None


def normalize_ips(value: str | Sequence[str] | None) -> list[str]:
    """Sending IPs, canonical and without repeats: one address, a comma-separated string or a list."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    if len(items) > MAX_SENDING_IPS:
        raise InputError("sending_ip", f"at most {MAX_SENDING_IPS} addresses")
    return list(dict.fromkeys(ip for item in items if (ip := normalize_ip(item)) is not None))


def _network_client(settings: Settings, shared: AnswerCache | None) -> DnsClient:
    from alimail_mcp.dns.resolver import ResolverClient

    return ResolverClient.from_settings(settings, shared=shared)


def _questions(domain: str, selectors: list[str], provider: Provider) -> list[tuple[str, str]]:
    """The questions the checks ask about the domain's own zone: what propagation compares."""
    names = [
        (domain, "MX"),
        (domain, "TXT"),
        (f"_dmarc.{domain}", "TXT"),
        (fqdn(provider.webmail_cname.host, domain), "CNAME"),
    ]
    names += [(fqdn(c.host, domain), "CNAME") for c in provider.optional_cnames]
    names += [(f"{s}._domainkey.{domain}", "TXT") for s in selectors]
    return names


async def _run(jobs: dict[str, Awaitable[CheckResult]], deadline: float) -> dict[str, CheckResult]:
    tasks = {key: asyncio.ensure_future(job) for key, job in jobs.items()}
    finished: list[str] = []

    def done(key: str, task: asyncio.Future[CheckResult]) -> None:
        if not task.cancelled():  # cut off by the budget: reported as unreachable, not as progress
            finished.append(key)
            progress.report(len(finished), len(tasks), f"{key} checked")

    for key, task in tasks.items():
        task.add_done_callback(functools.partial(done, key))
    _done, pending = await asyncio.wait(tasks.values(), timeout=max(0.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    out: dict[str, CheckResult] = {}
    for key, task in tasks.items():
        out[key] = task.result() if task in _done else _out_of_time(key)
    return out


def _out_of_time(check: str) -> CheckResult:
    finding = make("dns.timeout.budget", {"check": check}, skill=SKILL_DELIVERY)
    return CheckResult(status="unreachable", findings=[finding])


def _too_many_nameservers(count: int) -> Finding:
    return make(
        "dns.too-many-nameservers",
        {"count": count, "asked": MAX_NAMESERVERS},
        evidence={"nameservers": count, "considered": MAX_NAMESERVERS},
        skill=SKILL_DELIVERY,
    )


def _as(result: CheckResult, model: type[Any]) -> Any:
    """The check's own model; a check cut off by the budget comes back as a bare CheckResult."""
    if isinstance(result, model):
        return result
    return model(status=result.status, records=result.records, findings=result.findings)


class _Bounded:
    """The audit's view of a client: TIMEOUT answers past the deadline, whatever the client does, and
    NS answers cut to MAX_NAMESERVERS names (sorted)."""

    def __init__(self, inner: DnsClient, deadline: float) -> None:
        self.inner = inner
        self.deadline = deadline
        self.nameservers_cut: dict[str, int] = {}
        """Names whose NS answer was cut, with how many names it held."""

    @property
    def queries(self) -> int:
        return self.inner.queries

    async def query(self, name: str, rdtype: str) -> Answer:
        answer = await self._bounded(self.inner.query(name, rdtype), name, rdtype)
        if answer.rdtype == "NS" and len(answer.records) > MAX_NAMESERVERS:
            self.nameservers_cut[answer.name] = len(answer.records)
            answer = dataclasses.replace(answer, records=tuple(sorted(answer.records)[:MAX_NAMESERVERS]))
        return answer

    async def query_at(self, server: str, port: int, name: str, rdtype: str) -> Answer:
        direct: DirectAsker = self.inner  # type: ignore[assignment]
        return await self._bounded(direct.query_at(server, port, name, rdtype), name, rdtype)

    async def _bounded(self, asked: Coroutine[Any, Any, Answer], name: str, rdtype: str) -> Answer:
        left = self.deadline - time.monotonic()
        if left <= 0:
            asked.close()
            return Answer(name=name, rdtype=rdtype.upper(), outcome=Outcome.TIMEOUT)
        try:
            return await asyncio.wait_for(asked, left)
        except TimeoutError:
            return Answer(name=name, rdtype=rdtype.upper(), outcome=Outcome.TIMEOUT)
