"""What every check needs to write a finding: the skill each family of findings belongs to, the
`dns.timeout`/`dns.servfail`/`dns.refused` findings for questions that got no usable answer, and
evidence excerpts."""

from __future__ import annotations

from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.models import Finding, Severity

SKILL_DELIVERY = "alimail/troubleshooting/alimail-email-delivery"
"""resolve-failure / dns-authorization: MX, SPF and unanswered DNS questions."""
SKILL_CONFIGURATION = "alimail/guide/alimail-configuration"
"""configure-communication / dns-auth: DKIM and DMARC, the protection records."""
SKILL_SERVICE = "alimail/troubleshooting/alimail-service"
"""resolve-failure / webmail-service: the webmail CNAME."""

EVIDENCE_CHARS = 300


def excerpt(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Outside text as evidence: cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


FAULT_CODES = ("dns.timeout", "dns.servfail", "dns.refused")

_HOW = {
    Outcome.TIMEOUT: ("dns.timeout", "got no answer in time"),
    Outcome.SERVFAIL: ("dns.servfail", "failed (SERVFAIL or an unusable answer)"),
    Outcome.REFUSED: ("dns.refused", "was refused (the server does not answer for this name)"),
}


def fault(answer: Answer, what: str) -> Finding:
    """The finding for a question about the domain's own records that could not be answered: the check
    could not complete, and nothing is ever claimed missing on its basis."""
    code, how = _HOW.get(answer.outcome, _HOW[Outcome.SERVFAIL])
    return Finding(
        code=code,
        severity=Severity.WARNING,
        title=f"Could not read the {what}: the DNS question {how}",
        detail=(
            "This part of the check could not complete, so nothing is reported missing on its basis. "
            "A resolver or the domain's own nameservers did not answer properly."
        ),
        evidence=_evidence(answer),
        fix=[
            "Run the check again in a few minutes.",
            "If it keeps failing, check that the domain's nameservers (NS records at the registrar) are "
            "online and answer for the zone; a lame or unreachable nameserver also breaks mail delivery.",
        ],
        skill=SKILL_DELIVERY,
    )


def unverified(answer: Answer, what: str) -> Finding:
    """The finding for a question about a name outside the domain (an MX host, an include target, a
    report destination). A refusal there says nothing about the domain: the resolver is one that
    only answers for some zones (an authoritative-only server), so the point is left unverified (info).
    Timeouts and failures stay `fault()`s: receivers meet them too."""
    if answer.outcome is not Outcome.REFUSED:
        return fault(answer, what)
    return Finding(
        code="dns.refused",
        severity=Severity.INFO,
        title=f"Could not verify the {what}: the resolver does not answer for that name",
        detail=(
            "The resolver refused the question (or answered without authority and without recursion), as an "
            "authoritative-only server does for names outside its zones. This point is not verified; "
            "nothing is reported missing on its basis."
        ),
        evidence=_evidence(answer),
        fix=["Run the audit with a recursive resolver to verify this point."],
        skill=SKILL_DELIVERY,
    )


def _evidence(answer: Answer) -> dict[str, object]:
    return {
        "name": answer.name,
        "type": answer.rdtype,
        "outcome": answer.outcome.value,
        "server": answer.server,
    }
