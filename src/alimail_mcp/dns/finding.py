"""What every check needs to write a finding: its words from skills/dns.yaml (`make`, `step`,
`subject`, `problem`), the skill each family of findings belongs to, the `dns.timeout`/`dns.servfail`/
`dns.refused` findings for questions that got no usable answer, evidence excerpts, and the one form
in which a name read from DNS may stand in our words: a quoted value in a fix step (`quoted`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.dns.knowledge import load_dns
from alimail_mcp.knowledge.facts import render
from alimail_mcp.models import DnsChange, Finding

SKILL_DELIVERY = "alimail/troubleshooting/alimail-email-delivery"
"""resolve-failure / dns-authorization: MX, SPF and unanswered DNS questions."""
SKILL_CONFIGURATION = "alimail/guide/alimail-configuration"
"""configure-communication / dns-auth: DKIM and DMARC, the protection records."""
SKILL_SERVICE = "alimail/troubleshooting/alimail-service"
"""resolve-failure / webmail-service: the webmail CNAME."""

EVIDENCE_CHARS = 300
QUOTED_CHARS = 200
QUOTED_PREFIX = "quoted_"
"""Run-time values named `quoted_*` in skills/dns.yaml are outside values: `make` and `step` quote them."""
_PLAIN = frozenset(chr(c) for c in range(0x21, 0x7F)) - {'"', "\\"}


def excerpt(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Outside text as evidence: cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object, limit: int = QUOTED_CHARS) -> str:
    """A name or record read from DNS as a fix step may show it: in double quotes, with every byte that
    is not printable ASCII, and the quote and backslash themselves, escaped as `\\DDD` (the way DNS
    presents names), cut to `limit` characters. It can neither end the quotation nor start a line."""
    text = "".join(c if c in _PLAIN else _escaped(c) for c in str(value))
    return f'"{excerpt(text, limit)}"'


def quotes_a_value(text: str) -> bool:
    """Whether a step of ours shows an outside value (skills/dns.yaml's own words use no double quotes)."""
    return '"' in text


def _escaped(char: str) -> str:
    return "".join(f"\\{byte:03d}" for byte in char.encode("utf-8"))


def _filled(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: quoted(v) if k.startswith(QUOTED_PREFIX) else v for k, v in values.items()}


FAULT_CODES = ("dns.timeout", "dns.servfail", "dns.refused")
_FAULTS = {Outcome.TIMEOUT: "dns.timeout", Outcome.SERVFAIL: "dns.servfail", Outcome.REFUSED: "dns.refused"}
_UNVERIFIED = {
    Outcome.TIMEOUT: "dns.timeout.unverified",
    Outcome.SERVFAIL: "dns.servfail.unverified",
    Outcome.REFUSED: "dns.refused.unverified",
}


def make(
    key: str,
    values: Mapping[str, Any] | None = None,
    *,
    skill: str,
    evidence: dict[str, Any] | None = None,
    dns_change: DnsChange | None = None,
    needs_admin: bool = False,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Finding:
    """The finding of text `key` with `values` filled in (`quoted_*` ones quoted); `before`/`after`: the
    check's own steps (from `step`) around the text's fix."""
    kb = load_dns()
    finding = kb.findings[key].to_finding(
        kb.code_of(key), _filled(values or {}), skill=skill, evidence=evidence, needs_admin=needs_admin
    )
    if before or after:
        finding.fix = [*before, *finding.fix, *after]
    finding.dns_change = dns_change
    return finding


def step(key: str, **values: object) -> str:
    return render(load_dns().steps[key], _filled(values))


def subject(key: str, **values: object) -> str:
    """What a question was about, as the titles of unanswered questions name it."""
    return render(load_dns().subjects[key], values)


def problem(key: str, **values: object) -> str:
    return render(load_dns().problems[key], values)


def fault(answer: Answer, what: str) -> Finding:
    """The finding for a question about the domain's own records that could not be answered: the check
    could not complete, and nothing is ever claimed missing on its basis. `what`: from `subject`."""
    key = _FAULTS.get(answer.outcome, "dns.servfail")
    return make(key, {"subject": what}, evidence=_evidence(answer), skill=SKILL_DELIVERY)


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
    key = _UNVERIFIED.get(answer.outcome, "dns.servfail.unverified")
    return make(key, {"subject": what}, evidence=_evidence(answer), skill=SKILL_DELIVERY)


def _evidence(answer: Answer) -> dict[str, object]:
    return {
        "name": answer.name,
        "type": answer.rdtype,
        "outcome": answer.outcome.value,
        "server": answer.server,
    }
