"""MTA-STS check (RFC 8461): the `_mta-sts` record, the policy it announces (fetched over HTTPS from
`mta-sts.<domain>`), the policy's syntax, mode and max_age, and whether its mx patterns cover the
domain's real MX hosts: a policy in enforce mode that leaves one out makes senders refuse to deliver
to it.

The policy host is caller-steered (whoever owns the domain's DNS chooses its address), so its address
passes the outbound policy before anything connects to it (outbound.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import (
    SKILL_CONFIGURATION,
    SKILL_DELIVERY,
    excerpt,
    fault,
    make,
    problem,
    subject,
)
from alimail_mcp.dns.models import status_of
from alimail_mcp.dns.mta_sts.models import MtaStsCheck, PolicyFetch
from alimail_mcp.dns.mta_sts.policy import read_policy, uncovered
from alimail_mcp.dns.mta_sts.record import announcing, near_misses, read_record
from alimail_mcp.dns.standards import MtaStsStandard, load_standards
from alimail_mcp.models import Finding
from alimail_mcp.outbound import OutboundPolicy

POLICY_EVIDENCE_CHARS = 600
_FETCH_KEYS = {
    "http-error": "mta_sts.policy-unavailable.http-status",
    "redirect": "mta_sts.policy-unavailable.redirect",
    "tls-error": "mta_sts.policy-certificate",
    "unreachable": "mta_sts.policy-unavailable",
    "timeout": "mta_sts.policy-unavailable.timeout",
    "too-large": "mta_sts.policy-unavailable.too-large",
}


@dataclass
class _Fetch:
    record: PolicyFetch | None = None
    body: str | None = None
    findings: list[Finding] = field(default_factory=list)


async def check_mta_sts(
    client: DnsClient, domain: str, *, outbound: OutboundPolicy, port: int | None = None
) -> MtaStsCheck:
    """`port`: where the policy is fetched (default: the standard's 443; harnesses use another)."""
    standard = load_standards().mta_sts
    mx = asyncio.ensure_future(client.query(domain, "MX"))  # shared with the MX check's question
    try:
        return await _check(client, domain, mx, outbound, port or standard.port, standard)
    finally:
        mx.cancel()


async def _check(
    client: DnsClient,
    domain: str,
    mx: asyncio.Future[Answer],
    outbound: OutboundPolicy,
    port: int,
    standard: MtaStsStandard,
) -> MtaStsCheck:
    answer = await client.query(f"_mta-sts.{domain}", "TXT")
    if not answer.outcome.conclusive:
        return MtaStsCheck(status="unreachable", findings=[fault(answer, subject("mta-sts-record"))])
    texts = answer.records if answer.outcome is Outcome.OK else ()
    published, near = announcing(texts), near_misses(texts)
    if not published and not near:
        missing = make("mta_sts.not-published", {"domain": domain}, skill=SKILL_CONFIGURATION)
        return MtaStsCheck(status="ok", findings=[missing])
    records = [excerpt(t) for t in (published or near)[:5]]
    result = MtaStsCheck(status="ok", records=records, record=records[0])
    record = read_record(published[0]) if published else None
    problems = record.problems if record else [problem("mta_sts.version")]
    if len(published) > 1:
        problems = [problem("mta_sts.several"), *problems]
    if problems or record is None:
        return _done(result, [_record_invalid(domain, records, problems)])
    result.id = record.id
    host = f"mta-sts.{domain}"
    fetched = await _fetch(client, host, outbound, port, standard)
    result.fetch = fetched.record
    if fetched.body is None:
        return _done(result, fetched.findings)
    return _done(result, await _judge_policy(result, domain, fetched, mx, standard))


async def _fetch(
    client: DnsClient, host: str, outbound: OutboundPolicy, port: int, standard: MtaStsStandard
) -> _Fetch:
    url = f"https://{host}{standard.path}"
    v4 = await client.query(host, "A")
    # IPv6 only when there is no IPv4 address: one question fewer for nearly every policy host.
    v6 = await client.query(host, "AAAA") if not v4.records else v4
    addresses = [*v4.records, *(v6.records if v6 is not v4 else ())]
    if not addresses:
        unanswered = next((a for a in (v4, v6) if not a.outcome.conclusive), None)
        if unanswered is not None:
            return _Fetch(findings=[fault(unanswered, subject("mta-sts-host"))])
        record = PolicyFetch(url=url, outcome="no-address")
        return _Fetch(record, findings=[_unavailable("mta_sts.policy-unavailable.no-host", host, record)])
    chosen, refused = outbound.choose(addresses)
    if chosen is None:
        record = PolicyFetch(url=url, address=refused[0].address, outcome="target-refused")
        evidence = {"host": host, "addresses": [t.evidence() for t in refused[:10]]}
        refusal = make("mta_sts.target-refused", {"host": host}, evidence=evidence, skill=SKILL_DELIVERY)
        return _Fetch(record, findings=[refusal])
    from alimail_mcp.dns.mta_sts.fetch import fetch_policy

    got = await fetch_policy(
        host,
        chosen,
        port=port,
        path=standard.path,
        timeout=standard.fetch_timeout_s,
        max_bytes=standard.policy_max_bytes,
    )
    record = PolicyFetch(
        url=url,
        address=got.address,
        outcome=got.outcome,
        status_code=got.status_code,
        content_type=got.content_type,
        error=got.error,
    )
    if got.outcome != "ok":
        return _Fetch(record, findings=[_unavailable(_FETCH_KEYS[got.outcome], host, record)])
    return _Fetch(record, body=got.body)


async def _judge_policy(
    result: MtaStsCheck, domain: str, fetched: _Fetch, mx: asyncio.Future[Answer], standard: MtaStsStandard
) -> list[Finding]:
    body = fetched.body or ""
    policy = read_policy(body, standard)
    result.policy = excerpt(body, POLICY_EVIDENCE_CHARS)
    result.mode, result.max_age, result.mx_patterns = policy.mode, policy.max_age, policy.mx[:50]
    evidence = {"policy": result.policy, "url": fetched.record.url if fetched.record else None}
    if policy.problems:
        problems = {"domain": domain, "problems": "; ".join(dict.fromkeys(policy.problems))}
        return [make("mta_sts.policy-invalid", problems, evidence=evidence, skill=SKILL_DELIVERY)]
    findings = []
    content_type = (fetched.record.content_type if fetched.record else None) or ""
    if content_type.split(";", 1)[0].strip().lower() != "text/plain":
        findings.append(
            make(
                "mta_sts.policy-content-type",
                {},
                evidence={"content_type": content_type},
                skill=SKILL_DELIVERY,
            )
        )
    if policy.mode == "testing":
        findings.append(make("mta_sts.testing", {}, evidence=evidence, skill=SKILL_CONFIGURATION))
    elif policy.mode == "none":
        findings.append(make("mta_sts.mode-none", {}, evidence=evidence, skill=SKILL_CONFIGURATION))
    if policy.max_age is not None and policy.max_age < standard.max_age_short_s:
        ages = {"max_age": policy.max_age, "short": standard.max_age_short_s}
        findings.append(make("mta_sts.max-age-short", ages, evidence=evidence, skill=SKILL_CONFIGURATION))
    findings += await _coverage(result, policy.mode, mx)
    return findings


async def _coverage(result: MtaStsCheck, mode: str | None, mx: asyncio.Future[Answer]) -> list[Finding]:
    """MX hosts no pattern covers: refused by senders in enforce mode, reported by them in testing."""
    answer = await mx
    if answer.outcome is not Outcome.OK or mode not in ("enforce", "testing"):
        return []
    hosts = [r.split(" ", 1)[1] for r in answer.records if " " in r and r.split(" ", 1)[1] != "."][:20]
    result.mx_hosts = hosts
    result.uncovered_hosts = uncovered(result.mx_patterns, hosts)
    if not result.uncovered_hosts:
        return []
    key = "mta_sts.mx-not-covered" if mode == "enforce" else "mta_sts.mx-not-covered.testing"
    evidence = {"uncovered": result.uncovered_hosts, "patterns": result.mx_patterns, "mx_hosts": hosts}
    values = {"count": len(result.uncovered_hosts)}
    return [make(key, values, evidence=evidence, skill=SKILL_DELIVERY)]


def _record_invalid(domain: str, records: list[str], problems: list[str]) -> Finding:
    values = {"domain": domain, "problems": "; ".join(dict.fromkeys(problems))}
    return make("mta_sts.record-invalid", values, evidence={"records": records}, skill=SKILL_DELIVERY)


def _unavailable(key: str, host: str, record: PolicyFetch) -> Finding:
    return make(key, {"host": host}, evidence=record.model_dump(exclude_none=True), skill=SKILL_DELIVERY)


def _done(result: MtaStsCheck, findings: list[Finding]) -> MtaStsCheck:
    result.findings = findings
    result.status = status_of(findings)
    return result
