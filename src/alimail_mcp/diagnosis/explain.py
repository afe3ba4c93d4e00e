"""Turn an analysis (and the live DNS check) into the tool's result: per-recipient entries, one
finding per cause, a summary a person can act on, next steps and the route.

Everything written here comes from the catalog, the reason tables and the engine; text from the
bounce only appears in `diagnostic` and `evidence` fields, quoted and truncated.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from alimail_mcp.diagnosis.catalog import Cause, CauseRoute, catalog
from alimail_mcp.diagnosis.classify import MAX_RECIPIENTS as MAX_CLASSIFIED
from alimail_mcp.diagnosis.classify import Analysis, Classified
from alimail_mcp.diagnosis.fact import NOT_FAILURES
from alimail_mcp.diagnosis.message import MAX_LINES, MAX_MESSAGES, MAX_PARTS, MAX_TEXT_CHARS
from alimail_mcp.diagnosis.models import DiagnosisResult, InputKind, LiveCheck, RecipientDiagnosis
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.dns.finding import quotes_a_value
from alimail_mcp.models import Finding, Severity

DIAGNOSTIC_LIMIT = 300
"""Characters of the server's own text kept as evidence per recipient."""
_MAX_STEPS = 8
MAX_RECIPIENTS = 200
"""Recipients listed in a result; findings and the summary still count all of them."""
_CUT = (
    f"Only the start of this input was read (at most {MAX_MESSAGES:,} messages, {MAX_PARTS:,} MIME parts, "
    f"{MAX_LINES:,} lines or {MAX_TEXT_CHARS:,} characters of text, {MAX_CLASSIFIED:,} recipients); "
    "paste one bounce at a time for the rest."
)


def quote(text: str, limit: int = DIAGNOSTIC_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compose(
    analysis: Analysis, *, sender_domain: str | None, live: LiveCheck | None = None
) -> DiagnosisResult:
    recipients = [_recipient(item) for item in analysis.items[:MAX_RECIPIENTS]]
    failed = [item for item in analysis.items if item.fact.reason not in NOT_FAILURES]
    kind = _kind(analysis, failed)
    findings = _findings(analysis.items)
    primary = _primary_cause(failed)
    retry_helps = bool(failed) and all(item.retry for item in failed)
    summary = _summary(kind, analysis.items, failed, primary, retry_helps, live)
    result = DiagnosisResult(
        summary=f"{summary} {_CUT}" if analysis.cut else summary,
        findings=findings + (live.findings if live else []),
        next_steps=_next_steps(failed, primary, live),
        kind=kind,
        recipients=recipients,
        recipients_total=len(analysis.items),
        retry_helps=retry_helps,
        sender_domain=sender_domain,
        live=live,
    )
    if primary is not None:
        route = _route(primary, failed)
        result.intent, result.path, result.skill = route.intent, route.path, route.skill
    return result


def _route(primary: Cause, failed: list[Classified]) -> CauseRoute:
    """The primary cause's route, unless Alibaba Mail's own MX hosts refused the mail: then it is mail
    travelling to an Alibaba Mail mailbox, and the refusal points into troubleshoot-received."""
    if primary.route.intent != "resolve-failure":
        return primary.route
    inbound = next((item for item in failed if _alibaba_mx(item.fact.remote_host)), None)
    if inbound is None:
        return primary.route
    incoming = catalog().data.incoming
    route: CauseRoute = incoming.by_reason.get(inbound.fact.reason, incoming.default)  # type: ignore[call-overload]
    return route


def _alibaba_mx(host: str) -> bool:
    return bool(host) and host.lower().rstrip(".") in alibaba_mx_hosts()


@cache
def alibaba_mx_hosts() -> frozenset[str]:
    """Alibaba Mail's inbound MX hosts (every set of skills/provider.yaml, current and older)."""
    from alimail_mcp.knowledge.loader import load_provider

    return frozenset(record.host for mx_set in load_provider().mx_sets for record in mx_set.records)


def _kind(analysis: Analysis, failed: list[Classified]) -> InputKind:
    if not analysis.items:
        return "unrecognized"
    if not failed:
        return "not_a_failure"
    return "bounce" if analysis.kind == "bounce" else "error_text"


def _recipient(item: Classified) -> RecipientDiagnosis:
    fact = item.fact
    return RecipientDiagnosis(
        recipient=quote(fact.recipient, 320) or None,
        reason=fact.reason,
        permanent=item.permanent,
        retry_helps=item.retry,
        reply_code=fact.reply_code or None,
        enhanced_status=fact.status or None,
        cause=item.cause.id if item.cause else None,
        receiver=item.receiver,
        remote_host=quote(fact.remote_host, 255) or None,
        smtp_command=fact.command or None,
        diagnostic=quote(fact.diagnosis),
        date=quote(fact.date, 100) or None,
        source=fact.agent,
    )


def _primary_cause(failed: list[Classified]) -> Cause | None:
    counts = Counter(item.cause.id for item in failed if item.cause)
    if not counts:
        return None
    top = counts.most_common(1)[0][0]
    return next(item.cause for item in failed if item.cause and item.cause.id == top)


def _findings(items: list[Classified]) -> list[Finding]:
    groups: dict[str, list[Classified]] = {}
    for item in items:
        key = item.cause.id if item.cause else f"not-a-failure.{item.fact.reason}"
        groups.setdefault(key, []).append(item)
    return [_finding(key, group) for key, group in groups.items()]


def _finding(key: str, group: list[Classified]) -> Finding:
    first = group[0]
    evidence = {
        "recipients": [item.fact.recipient for item in group if item.fact.recipient][:20],
        "reason": first.fact.reason,
        "reply_code": first.fact.reply_code or None,
        "enhanced_status": first.fact.status or None,
        "receiver": first.receiver,
        "diagnostic": quote(first.fact.diagnosis, 300),
    }
    cause = first.cause
    if cause is None:
        entry = tables().data.reasons.get(first.fact.reason)  # type: ignore[call-overload]
        return Finding(
            code=key,
            severity=Severity.INFO,
            title=_NOT_FAILURE_TITLES.get(first.fact.reason, "Not a delivery failure"),
            detail=entry.summary if entry else "",
            evidence=evidence,
        )
    permanent = any(item.permanent for item in group)
    return Finding(
        code=cause.id,
        severity=Severity.ERROR if permanent else Severity.WARNING,
        title=cause.title,
        detail=cause.summary,
        evidence=evidence,
        fix=list(cause.steps),
        skill=cause.route.skill,
        needs_admin=cause.needs_admin,
    )


_NOT_FAILURE_TITLES = {
    "vacation": "An automatic reply, not a failure",
    "feedback": "A complaint (feedback report), not a failure",
    "delivered": "A delivery report: the message was delivered",
}


def _summary(
    kind: InputKind,
    items: list[Classified],
    failed: list[Classified],
    primary: Cause | None,
    retry_helps: bool,
    live: LiveCheck | None,
) -> str:
    if kind == "unrecognized":
        return (
            "No delivery error was recognised in this text. Paste the SMTP reply line, the error "
            "shown by webmail or the mail client, or the whole bounce message with its headers."
        )
    if kind == "not_a_failure":
        reason = items[0].fact.reason
        entry = tables().data.reasons.get(reason)  # type: ignore[call-overload]
        title = _NOT_FAILURE_TITLES.get(reason, "Not a delivery failure")
        return f"{title}. {entry.summary if entry else ''}".strip()
    parts: list[str] = []
    count = len(failed)
    if primary is not None:
        lead = (
            primary.title
            if count == 1
            else f"{count} recipients failed; the main cause: {_lower_first(primary.title)}"
        )
        parts.append(f"{lead}. {primary.summary}")
    else:
        parts.append(f"{count} recipient(s) failed for a reason that could not be classified.")
    parts.append(
        "Sending again later, unchanged, can succeed."
        if retry_helps
        else "Sending the same message again will fail until the cause is fixed."
    )
    if live is not None:
        parts.append(_live_sentence(live))
    return " ".join(p for p in parts if p)


def _live_sentence(live: LiveCheck) -> str:
    """What the live checks found, in our words (no name or address read from the bounce or DNS)."""
    parts: list[str] = []
    if "dns" in live.checks:
        parts.append(_auth_sentence(live))
    if live.ptr is not None:
        parts.append(_PTR_SENTENCES[live.ptr.status])
    if live.blocklist is not None:
        parts.append(_blocklist_sentence(live))
    if live.still_present is True:
        parts.append("Checked now, the problem the bounce describes is still there.")
    elif live.still_present is False:
        parts.append(
            "Checked now, the problem the bounce describes is no longer there; sending again can work."
        )
    return " ".join(p for p in parts if p)


def _auth_sentence(live: LiveCheck) -> str:
    if live.status == "error":
        return "The DNS check of the sender domain could not run."
    if live.status == "unreachable" and live.still_present is None:
        return "The DNS check of the sender domain could not complete."
    spf = f" SPF for the sending IP gives {live.spf.result}." if live.spf is not None else ""
    if live.failing:
        names = ", ".join(name.upper() for name in live.failing)
        publish = (
            f" The exact record(s) to publish are in live.records_to_publish"
            f" ({len(live.records_to_publish)})."
            if live.records_to_publish
            else ""
        )
        return f"The sender domain's {names} fail(s) now.{spf}{publish}"
    if live.findings:
        count = len(live.findings)
        others = f"its DNS check found {count} other thing(s) to fix"
        return f"The sender domain's SPF, DKIM and DMARC pass now; {others}.{spf}"
    return f"The sender domain's SPF, DKIM and DMARC pass now.{spf}"


_PTR_SENTENCES = {
    "ok": "The sending IP has a reverse DNS (PTR) name that points back to it now.",
    "missing": (
        "The sending IP has no reverse DNS (PTR) name now. Alibaba Mail's own sending servers have one, "
        "so this message did not go out through them."
    ),
    "mismatch": (
        "The sending IP's reverse DNS (PTR) name does not point back to it now. Alibaba Mail's own "
        "sending servers have matching names, so this message did not go out through them."
    ),
    "unreachable": "The sending IP's reverse DNS could not be looked up in time.",
    "not-public": "The sending IP is a private or reserved address; its reverse DNS was not looked up.",
}


def _blocklist_sentence(live: LiveCheck) -> str:
    listed = live.blocklist
    if listed is None:
        return ""
    if not listed.checked:
        return (
            "The blocklist look-up did not run in this build; "
            "check the sending IP on the public blocklists by hand."
        )
    hits = [item for item in listed.listings if item.status == "listed"]
    if hits:
        total = len(listed.listings)
        return f"{len(hits)} of the {total} address(es) or domain(s) the bounce names are on a blocklist now."
    total = len(listed.listings)
    return f"None of the {total} address(es) or domain(s) the bounce names is on the blocklists checked now."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _next_steps(failed: list[Classified], primary: Cause | None, live: LiveCheck | None) -> list[str]:
    steps: list[str] = []
    if live is not None:
        for finding in live.findings:
            # a DNS fix step may quote a name the records hold: next steps are our words only
            steps.extend([s for s in finding.fix if not quotes_a_value(s)][:1])
    if primary is not None:
        steps.extend(primary.steps)
    for item in failed:
        if item.cause is not None and item.cause is not primary:
            steps.extend(item.cause.steps[:1])
    seen: list[str] = []
    for step in steps:
        if step not in seen:
            seen.append(step)
    return seen[:_MAX_STEPS]
