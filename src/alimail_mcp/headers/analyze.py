"""`analyze_headers()`: a raw header block read as the message's way to the mailbox.

The Received chain becomes hops with the delay at each, the Authentication-Results and Received-SPF
fields become verdicts (with DMARC alignment worked out from them), spam-filter fields become
verdicts, and what stands out becomes findings. Pure and synchronous: no DNS, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import getaddresses, parseaddr
from typing import Any, Literal

from alimail_mcp.errors import InputError
from alimail_mcp.headers.authres import RawVerdict, parse_authentication_results, parse_received_spf
from alimail_mcp.headers.knowledge import HeaderKnowledge, load_headers
from alimail_mcp.headers.models import (
    Alignment,
    AuthVerdict,
    HeaderAnalysis,
    Hop,
    MessageIdentity,
    SpamVerdict,
)
from alimail_mcp.headers.route import (
    ALIBABA,
    Route,
    is_public,
    organisation,
    provider_of,
    route_of,
    sending_ip,
    via_foreign,
)
from alimail_mcp.headers.spam import deciding, read_spam
from alimail_mcp.mail.dates import parse_date
from alimail_mcp.mail.header_block import HeaderBlock, read_header_block
from alimail_mcp.mail.received import parse_received
from alimail_mcp.models import Finding

FIELD_CHARS = 300
ADDRESS_FIELD_CHARS = 4000
"""Characters of a From, To or Return-Path value read for its addresses (results keep FIELD_CHARS)."""
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)


def analyze_headers(
    text: str,
    *,
    mx_hosts: Iterable[str] = (),
    foreign_mx: Iterable[str] = (),
    field: str = "headers",
) -> HeaderAnalysis:
    """Read `text` (a header block, untrusted). `mx_hosts`: the domain's Alibaba Mail MX hosts;
    `foreign_mx`: MX hosts of other providers the domain publishes. InputError when nothing is a field."""
    kb = load_headers()
    block = require_fields(text, field)
    ours = {h.lower().rstrip(".") for h in mx_hosts}
    foreign = {h.lower().rstrip(".") for h in foreign_mx}
    message = _identity(block)
    hops, skewed = _hops(block, kb, ours, message)
    route = route_of(hops, kb, ours)
    verdicts = _verdicts(block, kb)
    spam = [v for f in block.fields if (v := read_spam(f.name, f.value, kb)) is not None]
    analysis = HeaderAnalysis(
        fields=len(block.fields),
        truncated=block.truncated,
        message=message,
        hops=hops,
        reached_alibaba=route.receiver == ALIBABA or any(h.by_host in ours for h in hops if h.by_host),
        via_foreign_mx=[h.raw for h in via_foreign(hops, route, foreign)][:5],
        auth=verdicts,
        spam=spam,
        spam_flagged=_any_flag(deciding(spam, kb)),
        sending_ip=_recorded_ip(block) or sending_ip(route),
    )
    _delays(analysis, kb)
    analysis.alignment = _alignment(analysis)
    analysis.dmarc_disposition = _disposition(analysis)
    analysis.findings = _findings(analysis, block, kb, skewed, forwarded=_forwarded(verdicts, route))
    return analysis


def _any_flag(verdicts: list[SpamVerdict]) -> bool | None:
    if any(v.flagged for v in verdicts):
        return True
    return False if any(v.flagged is False for v in verdicts) else None


def require_fields(text: str, field: str = "headers") -> HeaderBlock:
    """The block's fields; InputError naming `field` when the text holds none."""
    limits = load_headers().model.limits
    block = read_header_block(
        text, pasted=True, decode=True, max_chars=limits.max_chars, max_fields=limits.max_fields
    )
    if not block.fields:
        raise InputError(field, "contains no header fields (lines such as 'Received: ...' or 'From: ...')")
    return block


# --- the message's own fields ---------------------------------------------------------------------


def _identity(block: HeaderBlock) -> MessageIdentity:
    sender = block.first("from")
    address = _address(sender) if sender else ""
    return_path = block.first("return-path")
    to = block.first("to")
    return MessageIdentity(
        from_address=_cut(address) or None,
        from_domain=domain_of(address),
        return_path=_cut(_address(return_path) or return_path) if return_path else None,
        to=_cut(", ".join(_addresses(to)) or to) if to else None,
        subject=_cut(block.first("subject")),
        date=_cut(block.first("date")),
        message_id=_cut(block.first("message-id")),
    )


def _address(value: str) -> str:
    """The address of a From or Return-Path value; '' when there is none, or when the value nests
    comments deeper than `email.utils` can follow (it recurses once per parenthesis)."""
    try:
        return parseaddr(value[:ADDRESS_FIELD_CHARS])[1]
    except RecursionError:
        return ""


def _addresses(value: str) -> list[str]:
    try:
        return [a for _, a in getaddresses([value[:ADDRESS_FIELD_CHARS]]) if a]
    except RecursionError:
        return []


def domain_of(address: str | None) -> str | None:
    """The lower-case domain after the last @ when it looks like a domain name; else None."""
    if not address or "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower()
    return domain if _DOMAIN.match(domain) else None


def _cut(value: str | None, limit: int = FIELD_CHARS) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- the Received chain ---------------------------------------------------------------------------


def _hops(
    block: HeaderBlock, kb: HeaderKnowledge, ours: set[str], message: MessageIdentity
) -> tuple[list[Hop], list[Hop]]:
    values = block.all("received")[: kb.model.limits.max_hops]
    hops: list[Hop] = []
    for number, value in enumerate(reversed(values), 1):
        parsed = parse_received(value)
        by = parsed.by_host
        hops.append(
            Hop(
                number=number,
                from_host=_cut(parsed.from_host, 120),
                from_ip=parsed.from_ip,
                by_host=_cut(by, 120),
                by_provider=provider_of(by, kb, ours),
                protocol=parsed.protocol,
                received_at=parsed.when.isoformat() if parsed.when else None,
                raw=_cut(value) or "",
            )
        )
    skewed: list[Hop] = []
    previous = parse_date(message.date) if message.date else None
    skew = kb.model.delays.skew_minutes * 60
    for hop in hops:
        when = datetime.fromisoformat(hop.received_at) if hop.received_at else None
        if when is not None and previous is not None:
            seconds = round((when - previous).total_seconds())
            if seconds < -skew:
                skewed.append(hop)
            else:
                hop.delay_s = max(0, seconds)
                hop.delayed = hop.delay_s >= kb.model.delays.notable_minutes * 60
        if when is not None:
            previous = when
    return hops, skewed


def _delays(analysis: HeaderAnalysis, kb: HeaderKnowledge) -> None:
    times = [datetime.fromisoformat(h.received_at) for h in analysis.hops if h.received_at]
    start = parse_date(analysis.message.date) if analysis.message.date else None
    start = start or (times[0] if times else None)
    if times and start is not None:
        analysis.total_delay_s = max(0, round((times[-1] - start).total_seconds()))
    delayed = [h for h in analysis.hops if h.delayed and h.delay_s is not None]
    if delayed:
        analysis.slowest_hop = max(delayed, key=lambda h: h.delay_s or 0).number


def _recorded_ip(block: HeaderBlock) -> str | None:
    """The client address a receiving server wrote into its SPF verdict, when it did."""
    for value in block.all("received-spf")[:3]:
        raw = parse_received_spf(value)
        if raw and is_public(raw.properties.get("client-ip")):
            return raw.properties["client-ip"]
    for name in ("authentication-results", "arc-authentication-results"):
        for value in block.all(name)[:3]:
            for raw in parse_authentication_results(value, arc=name.startswith("arc")):
                ip = raw.properties.get("smtp.client-ip") or raw.properties.get("client-ip")
                if is_public(ip):
                    return ip
    return None


def _forwarded(verdicts: list[AuthVerdict], route: Route) -> bool:
    """An intermediary sealed the message (ARC) before the server that received it last. A receiver that
    seals what it receives (Gmail seals every message, i=1) is not a forwarder, nor is a sender's own
    system sealing what it sends out (Microsoft 365: every result `none`, nothing was received)."""
    if any(
        v.method == "arc" and v.source == "authentication-results" and v.result != "none" for v in verdicts
    ):
        return True
    sealers = {
        v.authserv_id
        for v in verdicts
        if v.source == "arc-authentication-results"
        and v.authserv_id
        and v.method != "arc"
        and v.result != "none"
    }
    if not sealers:
        return False
    if route.receiver is None or route.receiver == ALIBABA:
        return True
    return any(organisation(s) != route.receiver for s in sealers)


# --- authentication results -----------------------------------------------------------------------


def _verdicts(block: HeaderBlock, kb: HeaderKnowledge) -> list[AuthVerdict]:
    out: list[AuthVerdict] = []
    for position, value in enumerate(block.all("authentication-results")[:20]):
        out += [
            _verdict(r, "authentication-results", position, kb) for r in parse_authentication_results(value)
        ]
    for position, value in enumerate(block.all("arc-authentication-results")[:20]):
        out += [
            _verdict(r, "arc-authentication-results", position, kb)
            for r in parse_authentication_results(value, arc=True)
        ]
    for position, value in enumerate(block.all("received-spf")[:20]):
        raw = parse_received_spf(value)
        if raw is not None:
            out.append(_verdict(raw, "received-spf", position, kb))
    return out[:60]


def _verdict(raw: RawVerdict, source: str, position: int, kb: HeaderKnowledge) -> AuthVerdict:
    props = dict(raw.properties)
    domain: str | None = None
    if raw.method == "spf":
        identity = props.get("smtp.mailfrom") or props.get("envelope-from") or props.get("smtp.helo") or ""
        domain = domain_of(identity) if "@" in identity else _bare_domain(identity)
    elif raw.method == "dkim":
        domain = _bare_domain(props.get("header.d", "")) or domain_of(props.get("header.i"))
    elif raw.method == "dmarc":
        domain = _bare_domain(props.get("header.from", ""))
    return AuthVerdict.model_validate(
        {
            "method": raw.method,
            "result": raw.result[:20],
            "source": source,
            "position": position,
            "authserv_id": raw.authserv_id,
            "instance": raw.instance,
            "domain": domain,
            "properties": props,
            "meaning": kb.meaning(raw.method, raw.result),
        }
    )


def _bare_domain(text: str) -> str | None:
    name = text.strip().strip("<>").rstrip(".").lower()
    return name if _DOMAIN.match(name) else None


def primary(verdicts: list[AuthVerdict], method: str) -> AuthVerdict | None:
    """The verdict the server nearest the mailbox recorded: Authentication-Results first, then
    Received-SPF, then the newest ARC instance."""
    order = {"authentication-results": 0, "received-spf": 1, "arc-authentication-results": 2}
    found = [v for v in verdicts if v.method == method]
    if not found:
        return None
    return min(found, key=lambda v: (order[v.source], v.position, -(v.instance or 0)))


def _alignment(analysis: HeaderAnalysis) -> Alignment | None:
    from alimail_mcp.dns.names import organizational_domain

    sender = analysis.message.from_domain
    spf = primary(analysis.auth, "spf")
    near = min((v.position for v in analysis.auth if v.source == "authentication-results"), default=None)
    dkim_pass = [
        v.domain
        for v in analysis.auth
        if v.method == "dkim"
        and v.result == "pass"
        and v.domain
        and (v.source != "authentication-results" or v.position == near)
    ]
    if sender is None or (spf is None and not dkim_pass):
        return None
    org = organizational_domain(sender)
    spf_domain = spf.domain if spf else domain_of(analysis.message.return_path)
    return Alignment(
        from_domain=sender,
        spf_domain=spf_domain,
        dkim_domains=list(dict.fromkeys(dkim_pass))[:5],
        spf_aligned=None
        if spf is None or spf_domain is None
        else spf.result == "pass" and organizational_domain(spf_domain) == org,
        dkim_aligned=any(organizational_domain(d) == org for d in dkim_pass) if dkim_pass else False,
    )


def _disposition(analysis: HeaderAnalysis) -> Literal["none", "quarantine", "reject"] | None:
    """What the receiver did under the DMARC policy: Gmail's dis=, Microsoft's action= (lower case)."""
    dmarc = primary(analysis.auth, "dmarc")
    if dmarc is None:
        return None
    value = (dmarc.properties.get("dis") or dmarc.properties.get("action") or "").lower()
    if value == "oreject":  # Microsoft overrode a reject policy and delivered to Junk instead
        return "quarantine"
    if "quarantine" in value:
        return "quarantine"
    if "reject" in value:
        return "reject"
    return "none" if "none" in value else None


# --- findings -------------------------------------------------------------------------------------


def _findings(
    analysis: HeaderAnalysis, block: HeaderBlock, kb: HeaderKnowledge, skewed: list[Hop], *, forwarded: bool
) -> list[Finding]:
    out: list[Finding] = []
    if analysis.via_foreign_mx:
        out.append(kb.finding("headers.foreign-mx", {"received": analysis.via_foreign_mx[:3]}))
    if not analysis.hops:
        out.append(kb.finding("headers.no-received", {}))
    if analysis.slowest_hop is not None:
        hop = analysis.hops[analysis.slowest_hop - 1]
        minutes = round((hop.delay_s or 0) / 60)
        if minutes >= kb.model.delays.long_minutes:
            delay: dict[str, Any] = {
                "hop": hop.number,
                "from": hop.from_host,
                "by": hop.by_host,
                "delay_s": hop.delay_s,
                "received": hop.raw,
            }
            out.append(kb.finding("headers.hop-delayed", delay, minutes=minutes))
    if skewed:
        out.append(kb.finding("headers.clock-skew", {"hops": [h.number for h in skewed][:5]}))
    out += _auth_findings(analysis, kb)
    if forwarded:
        out.append(kb.finding("headers.arc-forwarded", {"arc_seals": len(block.all("arc-seal"))}))
    flagged = [v for v in deciding(analysis.spam, kb) if v.flagged]
    if flagged:
        filters: dict[str, Any] = {
            "filters": [
                {
                    "header": v.header,
                    "system": v.system,
                    "score": v.score,
                    "threshold": v.threshold,
                    "verdict": v.verdict,
                }
                for v in flagged[:5]
            ]
        }
        out.append(kb.finding("headers.spam-flagged", filters))
    return out


def _auth_findings(analysis: HeaderAnalysis, kb: HeaderKnowledge) -> list[Finding]:
    out: list[Finding] = []
    spf, dkim, dmarc = (primary(analysis.auth, m) for m in ("spf", "dkim", "dmarc"))
    if spf is not None and spf.result in ("fail", "softfail"):
        code = "headers.spf-fail" if spf.result == "fail" else "headers.spf-softfail"
        out.append(kb.finding(code, _auth_evidence(spf, analysis)))
    alignment = analysis.alignment
    dkim_passed = bool(alignment and alignment.dkim_domains)
    if dkim is not None and dkim.result in ("fail", "permerror") and not dkim_passed:
        out.append(kb.finding("headers.dkim-fail", _auth_evidence(dkim, analysis)))
    if dmarc is not None and dmarc.result == "fail":
        out.append(kb.finding("headers.dmarc-fail", _auth_evidence(dmarc, analysis)))
    unaligned = (
        alignment is not None
        and dkim_passed
        and alignment.dkim_aligned is False
        and not alignment.spf_aligned
    )
    if unaligned and (dmarc is None or dmarc.result != "pass") and alignment is not None:
        evidence = {
            "from_domain": alignment.from_domain,
            "dkim_domains": alignment.dkim_domains,
            "spf_domain": alignment.spf_domain,
            "dmarc": dmarc.result if dmarc else None,
        }
        out.append(kb.finding("headers.dmarc-alignment", evidence))
    return out


def _auth_evidence(verdict: AuthVerdict, analysis: HeaderAnalysis) -> dict[str, object]:
    return {
        "result": verdict.result,
        "domain": verdict.domain,
        "recorded_by": verdict.authserv_id,
        "source": verdict.source,
        "from_domain": analysis.message.from_domain,
        "sending_ip": analysis.sending_ip,
    }
