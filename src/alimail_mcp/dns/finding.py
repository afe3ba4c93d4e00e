"""What every check needs to write a finding: the skill each family of findings belongs to, the
`dns.timeout`/`dns.servfail` findings for questions that got no usable answer, and evidence excerpts."""

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


def fault(answer: Answer, what: str) -> Finding:
    """The finding for a question that could not be answered: never a claim that something is missing."""
    timed_out = answer.outcome is Outcome.TIMEOUT
    code = "dns.timeout" if timed_out else "dns.servfail"
    how = "got no answer in time" if timed_out else "failed (SERVFAIL or an unusable answer)"
    return Finding(
        code=code,
        severity=Severity.WARNING,
        title=f"Could not read the {what}: the DNS question {how}",
        detail=(
            "This part of the check could not complete, so nothing is reported missing on its basis. "
            "A resolver or the domain's own nameservers did not answer properly."
        ),
        evidence={
            "name": answer.name,
            "type": answer.rdtype,
            "outcome": answer.outcome.value,
            "server": answer.server,
        },
        fix=[
            "Run the check again in a few minutes.",
            "If it keeps failing, check that the domain's nameservers (NS records at the registrar) are "
            "online and answer for the zone; a lame or unreachable nameserver also breaks mail delivery.",
        ],
        skill=SKILL_DELIVERY,
    )
