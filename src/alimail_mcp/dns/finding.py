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


def out_of_reach(answer: Answer) -> bool:
    """True when an unanswered question tells nothing: refused, or met with silence or failure by a
    resolver that does not recurse (an authoritative-only server asked about another party's name)."""
    if answer.outcome.conclusive:
        return False
    return answer.outcome is Outcome.REFUSED or answer.recursive is False


def unverified(answer: Answer, what: str) -> Finding:
    """The finding for a question about a name outside the domain (an MX host, an include target, a
    report destination) that got no usable answer. From a resolver that will not answer for that name
    (a refusal), or that does not recurse at all (an authoritative-only server, which may also drop or
    rate-limit such questions), it says nothing about the domain: the point is left unverified (info).
    Timeouts and failures of a recursive resolver stay `fault()`s: receivers meet them too."""
    if not out_of_reach(answer):
        return fault(answer, what)
    code, how = _HOW.get(answer.outcome, _HOW[Outcome.SERVFAIL])
    return Finding(
        code=code,
        severity=Severity.INFO,
        title=f"Could not verify the {what}: the resolver does not answer for that name",
        detail=(
            f"The DNS question {how}. The resolver answers without recursion, as an authoritative-only "
            "server does, and does not answer for names outside its zones. This point is not verified; "
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
