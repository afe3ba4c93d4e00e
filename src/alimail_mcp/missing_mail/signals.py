"""Observations as signals: what the symptoms, the domain's DNS, the sender's DNS, the headers and the
bounce say, each with the outside text behind it (quoted, truncated) where there is one."""

from __future__ import annotations

from collections.abc import Iterable

from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.headers.analyze import primary
from alimail_mcp.headers.knowledge import load_headers
from alimail_mcp.headers.models import HeaderAnalysis
from alimail_mcp.headers.spam import deciding
from alimail_mcp.missing_mail.models import BounceReading, SenderChecks, Symptom

Observed = dict[str, str | None]
"""Signal id -> the quote behind it (None when the signal is the engine's own conclusion)."""
QUOTE_CHARS = 200


def _quote(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def observe(
    symptoms: Iterable[Symptom],
    audit: DnsAuditResult,
    analysis: HeaderAnalysis | None,
    checks: SenderChecks | None,
    reading: BounceReading | None,
) -> Observed:
    """Every observation as signals. A bounce whose wording was read replaces the bare fact of a bounce."""
    observed: Observed = {**from_symptoms(symptoms), **from_audit(audit)}
    if analysis is not None:
        observed.update(from_headers(analysis))
    if checks is not None:
        observed.update(from_sender(checks))
    if reading is not None:
        if reading.signal is not None:
            observed.pop("symptom.sender_got_bounce", None)
        observed.update(from_bounce(reading))
    return observed


def from_symptoms(symptoms: Iterable[Symptom]) -> Observed:
    observed: Observed = {f"symptom.{s}": None for s in symptoms}
    if "symptom.bounce_text" in observed:  # having the bounce's text means there was a bounce
        del observed["symptom.bounce_text"]
        observed["symptom.sender_got_bounce"] = None
    return observed


def from_audit(audit: DnsAuditResult) -> Observed:
    from alimail_mcp.dns.health import is_down

    if is_down(audit.resolver):  # this machine's resolver did not answer: nothing is known of the domain
        return {}
    mx = audit.checks.mx
    errors = {f.code for f in mx.findings if f.severity.value == "error"}
    codes = {f.code for f in mx.findings}
    observed: Observed = {}
    if mx.status == "unreachable" and not mx.hosts:
        observed["dns.unreachable"] = None
        return observed
    if "mx.missing" in codes:
        observed["dns.mx-missing"] = None
    if "mx.wrong-provider" in codes:
        observed["dns.mx-wrong-provider"] = _quote(", ".join(mx.foreign_hosts))
    if "mx.conflict" in codes and mx.foreign_hosts:
        observed["dns.mx-conflict"] = _quote(", ".join(mx.foreign_hosts))
    if "mx.host-unresolvable" in errors:
        bad = [h.host for h in mx.hosts if h.resolves is False]
        observed["dns.mx-unresolvable"] = _quote(", ".join(bad)) if bad else None
    if not observed and mx.provider_set and any(h.provider_set and h.resolves is not False for h in mx.hosts):
        observed["dns.mx-ok"] = None
    propagation = audit.propagation
    if propagation is not None and any(d.type == "MX" for d in propagation.differences):
        observed["dns.propagation-pending"] = None
    return observed


def from_headers(analysis: HeaderAnalysis) -> Observed:
    observed: Observed = {}
    if analysis.reached_alibaba:
        observed["headers.reached-alibaba"] = None
    if analysis.via_foreign_mx:
        observed["headers.via-foreign-mx"] = _quote(analysis.via_foreign_mx[0])
    if analysis.slowest_hop is not None:
        hop = analysis.hops[analysis.slowest_hop - 1]
        observed["headers.delayed"] = _quote(hop.raw)
    if analysis.spam_flagged:
        flagged = next(v for v in deciding(analysis.spam, load_headers()) if v.flagged)
        observed["headers.spam-flagged"] = _quote(f"{flagged.header}: {flagged.raw}")
    elif analysis.spam_flagged is False and analysis.reached_alibaba:
        observed["headers.spam-clean"] = None
    spf, dkim, dmarc = (primary(analysis.auth, m) for m in ("spf", "dkim", "dmarc"))
    if spf is not None and spf.result in ("fail", "permerror"):
        observed["headers.spf-fail"] = _quote(f"spf={spf.result} {spf.domain or ''}".strip())
    elif spf is not None and spf.result == "softfail":
        observed["headers.spf-softfail"] = _quote(f"spf=softfail {spf.domain or ''}".strip())
    dkim_passed = bool(analysis.alignment and analysis.alignment.dkim_domains)
    if dkim is not None and dkim.result in ("fail", "permerror") and not dkim_passed:
        observed["headers.dkim-fail"] = _quote(f"dkim={dkim.result} {dkim.domain or ''}".strip())
    if dmarc is not None and dmarc.result == "fail":
        observed["headers.dmarc-fail"] = _quote(f"dmarc=fail {dmarc.domain or ''}".strip())
    codes = {f.code for f in analysis.findings}
    if "headers.dmarc-alignment" in codes and analysis.alignment is not None:
        a = analysis.alignment
        observed["headers.dmarc-alignment"] = _quote(
            f"From {a.from_domain}; DKIM {', '.join(a.dkim_domains)}"
        )
    if analysis.dmarc_disposition in ("quarantine", "reject"):
        observed["headers.dmarc-quarantined"] = None
    if "headers.arc-forwarded" in codes:
        observed["headers.forwarded"] = None
    return observed


def from_sender(checks: SenderChecks) -> Observed:
    observed: Observed = {}
    if checks.internal:
        observed["sender.internal"] = None
        return observed
    if checks.spf_result in ("fail", "softfail", "permerror"):
        observed["sender.spf-fail"] = _quote(f"{checks.sending_ip}: {checks.spf_result}")
    if checks.spf_record is False:
        observed["sender.spf-missing"] = None
    if checks.dmarc_policy in ("quarantine", "reject"):
        observed["sender.dmarc-enforcing"] = _quote(f"p={checks.dmarc_policy}")
    return observed


def from_bounce(reading: BounceReading) -> Observed:
    """The bounce's own category; once it is known, the bare fact of a bounce no longer counts. A text
    that reports no failure (a delivery report, an auto-reply) is no bounce."""
    if not reading.failed:
        return {}
    observed: Observed = {"symptom.sender_got_bounce": None}
    if reading.signal is not None:
        observed = {"bounce.read": None, reading.signal: _quote(reading.diagnostic)}
    if reading.about_this_domain is False:
        observed["bounce.recipient-elsewhere"] = _quote(reading.recipient)
    return observed
