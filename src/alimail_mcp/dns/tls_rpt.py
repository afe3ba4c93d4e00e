"""TLS-RPT check (RFC 8460): the `_smtp._tls` record that tells senders where to report TLS failures
(an MTA-STS policy they could not apply, a certificate that did not verify)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from alimail_mcp.dns.client import DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_CONFIGURATION, excerpt, fault, make, problem, subject
from alimail_mcp.dns.models import TlsRptCheck, status_of
from alimail_mcp.dns.standards import load_standards
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.models import Finding

VERSION = "v=TLSRPTv1"
_MAILBOX = re.compile(r"^[^@\s]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z0-9-]+$")


async def check_tls_rpt(client: DnsClient, domain: str) -> TlsRptCheck:
    name = f"_smtp._tls.{domain}"
    answer = await client.query(name, "TXT")
    if not answer.outcome.conclusive:
        return TlsRptCheck(status="unreachable", findings=[fault(answer, subject("tls-rpt-record"))])
    texts = list(answer.records) if answer.outcome is Outcome.OK else []
    published = [t for t in texts if t.startswith(VERSION)]
    near = [t for t in texts if t.strip().lower().startswith("v=tlsrpt")]
    if not published and not near:
        absent = make("tls_rpt.not-published", {"domain": domain}, skill=SKILL_CONFIGURATION)
        return TlsRptCheck(status="ok", findings=[absent])
    records = [excerpt(t) for t in (published or near)[:5]]
    if len(published) > 1:
        return _invalid(domain, records, [problem("tls_rpt.several")])
    if not published:
        return _invalid(domain, records, [problem("tls_rpt.version")])
    problems, rua = read_record(published[0])
    if problems:
        return _invalid(domain, records, problems, rua)
    return TlsRptCheck(status="ok", records=records, record=records[0], rua=rua)


def read_record(text: str) -> tuple[list[str], list[str]]:
    """Syntax problems (our words) and the report URIs of one `v=TLSRPTv1` record."""
    tags = parse_tags(text)
    problems = list(tags.problems)
    if tags.order[:1] != ["v"] or tags.tags.get("v") != "TLSRPTv1":
        problems.append(problem("tls_rpt.version"))
    raw = tags.tags.get("rua")
    if raw is None or not raw.strip():
        problems.append(problem("tls_rpt.no-rua"))
        return problems, []
    rua = [u.strip() for u in raw.split(",") if u.strip()][:10]
    schemes = load_standards().tls_rpt.rua_schemes
    for uri in rua:
        scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
        if scheme not in schemes:
            problems.append(problem("tls_rpt.rua-scheme", allowed=", ".join(f"{s}:" for s in schemes)))
        elif not _well_formed(scheme, uri):
            problems.append(problem("tls_rpt.rua-form", scheme=scheme))
    return list(dict.fromkeys(problems)), rua


def _well_formed(scheme: str, uri: str) -> bool:
    if scheme == "mailto":
        address = uri[len("mailto:") :].split("?", 1)[0]
        return bool(_MAILBOX.match(address))
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return bool(parts.hostname) and " " not in uri


def _invalid(
    domain: str, records: list[str], problems: list[str], rua: list[str] | None = None
) -> TlsRptCheck:
    finding: Finding = make(
        "tls_rpt.invalid",
        {"domain": domain, "problems": "; ".join(problems)},
        evidence={"records": records},
        skill=SKILL_CONFIGURATION,
    )
    return TlsRptCheck(
        status=status_of([finding]), records=records, record=records[0], rua=rua or [], findings=[finding]
    )
