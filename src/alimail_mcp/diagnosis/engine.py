"""diagnose_send_error's engine: read the error, classify it, check the sender's DNS when that helps,
and explain the result."""

from __future__ import annotations

import asyncio

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis import live as live_checks
from alimail_mcp.diagnosis.classify import Analysis, analyze, to_bytes
from alimail_mcp.diagnosis.explain import compose
from alimail_mcp.diagnosis.models import DiagnosisResult, LiveCheck
from alimail_mcp.dns.client import DnsClient
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain


async def diagnose(
    error_text: str,
    *,
    domain: str | None = None,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    live: bool = True,
    blocklist: live_checks.BlocklistLookup | None = None,
) -> DiagnosisResult:
    """Explain an SMTP reply, a webmail/client error message or a whole bounce message.

    `domain`: the sender's domain (else the returned message's From is used for live checks).
    `live`: check now what the bounce blames: the sender domain's SPF/DKIM/DMARC for an authentication
    failure, the sending IP's reverse DNS for `requireptr`, blocklists for `blocked`/`badreputation`.
    `blocklist`: the blocklist look-up to use (default: `live.blocklist.default_lookup()`).
    Raises InputError for input that is not text, empty, over 10 MB, or a malformed `domain`.

    Reading and explaining run in a worker thread: a bounce can take a good part of a second, and
    the event loop answers other calls meanwhile.
    """
    raw, domain_name = _validate(error_text, domain)
    analysis = await asyncio.to_thread(analyze, raw)
    sender_domain = domain_name or _sender_domain(analysis)
    checked = None
    wanted = live_checks.plan(analysis, sender_domain) if live else None
    if wanted is not None:
        checked = await live_checks.run(wanted, settings=settings, client=client, blocklist=blocklist)
    return await asyncio.to_thread(_explained, analysis, error_text, sender_domain, checked)


def diagnose_offline(error_text: str, *, domain: str | None = None) -> DiagnosisResult:
    """The same result without the live part: pure and synchronous (CLI --no-live, tests)."""
    raw, domain_name = _validate(error_text, domain)
    analysis = analyze(raw)
    return _explained(analysis, error_text, domain_name or _sender_domain(analysis), None)


def _explained(
    analysis: Analysis, error_text: str, sender_domain: str | None, live: LiveCheck | None
) -> DiagnosisResult:
    return _routed_by_wording(compose(analysis, sender_domain=sender_domain, live=live), error_text)


def _validate(error_text: object, domain: str | None) -> tuple[bytes, str | None]:
    if not isinstance(error_text, str):
        raise InputError("error_text", "must be text (an SMTP reply, an error message or a bounce message)")
    if not error_text.strip():
        raise InputError("error_text", "must not be empty")
    raw = to_bytes(error_text)
    return raw, normalize_domain(domain) if domain else None


def _sender_domain(analysis: Analysis) -> str | None:
    """The returned message's sender domain, when the bounce carries it and it is a valid name."""
    sender = analysis.sender
    if "@" not in sender:
        return None
    try:
        return normalize_domain(sender.rpartition("@")[2])
    except InputError:
        return None


def _routed_by_wording(result: DiagnosisResult, text: str) -> DiagnosisResult:
    """A text with no recognised error ("网页版打不开", "the server rejected my message") still gets the
    path its wording points to, from the router, so the user is not left with nothing to do."""
    from alimail_mcp.router.args import QUERY_CHARS
    from alimail_mcp.router.route import route

    if result.kind != "unrecognized" or len(text.strip()) > QUERY_CHARS:
        return result

    routed = route(text)
    if not routed.matched:
        return result
    return result.model_copy(
        update={
            "intent": routed.intent,
            "path": routed.path,
            "skill": routed.skill,
            "summary": f"{result.summary} By its wording the problem belongs here: {routed.summary}",
            "next_steps": [*routed.guidance.steps[:4], *routed.next_steps],
        }
    )
