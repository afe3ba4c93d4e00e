"""RFC 7208 check_host(): is this IP address allowed to send mail for this domain?

Section numbers in comments refer to RFC 7208. DNS goes through a `DnsClient`; its answers are
shared, so an audit that walked the include tree first finds the records already there.

Reasons and trace details are our words: a name or term read from DNS is only ever appended to a
reason as a quoted value (dns/finding.py `quoted`), never to a trace step's detail, whose `domain`
and `term` fields hold it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from typing import Literal

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import quoted
from alimail_mcp.dns.spf import macros
from alimail_mcp.dns.spf.macros import MacroSyntaxError, Token
from alimail_mcp.dns.spf.models import SpfResult, SpfResultCode, SpfStep
from alimail_mcp.dns.spf.record import Mechanism, SpfRecord, SpfSyntaxError, parse_record, spf_records
from alimail_mcp.errors import InputError

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
NAMES_LIMIT = 10
"""MX names per mx term, PTR names per ptr term or %{p} (4.6.4)."""
TRACE_STEPS = 200
"""Steps kept in a trace: a record may list thousands of ip4 terms; the steps that decided come last."""
_QUALIFIER_RESULT: dict[str, SpfResultCode] = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
StepOutcome = Literal["match", "no-match", "error", "default"]


class _Abort(Exception):
    """Ends the evaluation with permerror or temperror: why in our `words`, and the outside `values`
    (names, terms) it is about, quoted after them in the reason."""

    def __init__(self, result: SpfResultCode, words: str, *values: str) -> None:
        self.result = result
        self.words = words
        self.reason = _reason(words, *values)
        super().__init__(self.reason)


def _reason(words: str, *values: str) -> str:
    return f"{words}: {', '.join(quoted(v, 120) for v in values)}" if values else words


@dataclass(frozen=True)
class _Outcome:
    result: SpfResultCode
    reason: str
    explanation: str | None = None


@dataclass
class _Evaluation:
    client: DnsClient
    ip: Address
    sender: str
    helo: str
    receiver: str
    lookups: int = 0
    voids: int = 0
    trace: list[SpfStep] = field(default_factory=list)
    decided_by: SpfStep | None = None

    # -- records ------------------------------------------------------------------------------

    async def check(self, domain: str, depth: int) -> _Outcome:
        """check_host() for `domain`: pass/fail/softfail/neutral/none, or raises _Abort."""
        record = await self._record(domain)
        if record is None:
            return _Outcome("none", _reason("no SPF record is published", domain))
        for mechanism in record.mechanisms:
            try:
                matched = await self._matches(mechanism, domain, depth)
            except _Abort as exc:
                self._step(domain, mechanism.text, "error", depth, exc.words)
                raise
            self._step(domain, mechanism.text, "match" if matched else "no-match", depth)
            if matched:
                result = _QUALIFIER_RESULT[mechanism.qualifier]
                explanation = await self._explain(record, domain) if result == "fail" and depth == 0 else None
                reason = _reason(
                    "a term matched (the term, the record's domain)", mechanism.text[:80], domain
                )
                return _Outcome(result, reason, explanation)
        redirect = record.redirect
        if redirect is not None and redirect.domain is not None:
            return await self._redirect(domain, redirect.text, redirect.domain, depth)
        self._step(domain, "(default)", "default", depth, "no mechanism matched")
        return _Outcome("neutral", _reason("no mechanism matched", domain))

    async def _record(self, domain: str) -> SpfRecord | None:
        """The domain's one SPF record (4.4, 4.5), None when it has none."""
        answer = await self.client.query(domain, "TXT")
        if not answer.outcome.conclusive:
            raise _Abort("temperror", f"a TXT lookup failed ({answer.outcome.value})", domain)
        records = spf_records(answer.records)
        if len(records) > 1:
            raise _Abort(
                "permerror", f"{len(records)} SPF records are published where one is allowed", domain
            )
        if not records:
            return None
        try:
            return parse_record(records[0])
        except SpfSyntaxError as exc:
            terms = (exc.term,) if exc.term else ()
            raise _Abort(
                "permerror", "an SPF record is invalid (the domain, the term)", domain, *terms
            ) from None

    async def _redirect(self, domain: str, text: str, spec: tuple[Token, ...], depth: int) -> _Outcome:
        """redirect= (6.1): the target's result replaces this record's; no record there is permerror."""
        self._count_lookup()
        target = macros.query_name(await self._expand(spec, domain))
        self._step(domain, text, "match", depth, "evaluating the redirect target")
        if target is None or not _valid_domain(target):
            raise _Abort(
                "permerror", "a redirect target is not a valid domain (the redirecting domain)", domain
            )
        outcome = await self.check(target, depth)
        if outcome.result == "none":
            raise _Abort("permerror", "a redirect target publishes no SPF record", target)
        return outcome

    # -- mechanisms (5) -----------------------------------------------------------------------

    async def _matches(self, mechanism: Mechanism, domain: str, depth: int) -> bool:
        name = mechanism.name
        if name == "all":
            return True
        if name == "ip4" or name == "ip6":
            network = mechanism.network
            return network is not None and network.version == self.ip.version and self.ip in network
        self._count_lookup()
        target = await self._target(mechanism, domain)
        if name == "include":
            return await self._include(target, depth)
        if target is None:  # 4.8/5: a name DNS cannot carry does not exist: no match
            return False
        if name == "a":
            return self._any_in(await self._addresses(target, count_void=True), mechanism)
        if name == "mx":
            return await self._mx(target, mechanism)
        if name == "ptr":
            return any(_within(host, target) for host in await self._validated_names(count_void=True))
        answer = await self._lookup(target, "A")  # exists: always A, even for IPv6 (5.7)
        self._check_void(answer)
        return bool(answer.records)

    async def _include(self, target: str | None, depth: int) -> bool:
        """include (5.2): pass matches; fail, softfail and neutral do not; none is permerror."""
        if target is None:
            raise _Abort("permerror", "include target is not a valid domain")
        outcome = await self.check(target, depth + 1)
        if outcome.result == "none":
            raise _Abort("permerror", "an included domain publishes no SPF record", target)
        return outcome.result == "pass"

    async def _mx(self, target: str, mechanism: Mechanism) -> bool:
        answer = await self._lookup(target, "MX")
        self._check_void(answer)
        if len(answer.records) > NAMES_LIMIT:
            raise _Abort(
                "permerror",
                f"an mx term names {len(answer.records)} MX records; at most 10 are evaluated",
                target,
            )
        hosts = [record.split(" ", 1)[-1] for record in answer.records]
        found = await asyncio.gather(*(self._addresses(host) for host in hosts if host != "."))
        return any(self._any_in(addresses, mechanism) for addresses in found)

    async def _addresses(self, name: str, *, count_void: bool = False) -> tuple[str, ...]:
        answer = await self._lookup(name, "A" if self.ip.version == 4 else "AAAA")
        if count_void:
            self._check_void(answer)
        return answer.records

    def _any_in(self, addresses: tuple[str, ...], mechanism: Mechanism) -> bool:
        length = mechanism.cidr4 if self.ip.version == 4 else mechanism.cidr6
        for address in addresses:
            try:
                network = ipaddress.ip_network(
                    f"{address}/{self.ip.max_prefixlen if length is None else length}", False
                )
            except ValueError:
                continue
            if self.ip in network:
                return True
        return False

    async def _validated_names(self, *, count_void: bool = False) -> list[str]:
        """PTR names of the IP whose own addresses include it (5.5); DNS errors skip a name."""
        answer = await self.client.query(self.ip.reverse_pointer, "PTR")
        if count_void:
            self._check_void(answer)
        names = [name for name in answer.records[:NAMES_LIMIT] if name != "."]
        found = await asyncio.gather(*(self.client.query(name, _address_type(self.ip)) for name in names))
        return [
            name for name, a in zip(names, found, strict=True) if a.outcome is Outcome.OK and self._has_ip(a)
        ]

    def _has_ip(self, answer: Answer) -> bool:
        for record in answer.records:
            try:
                if ipaddress.ip_address(record) == self.ip:
                    return True
            except ValueError:
                continue
        return False

    # -- names, macros, explanation -----------------------------------------------------------

    async def _target(self, mechanism: Mechanism, domain: str) -> str | None:
        if mechanism.domain is None:
            return domain
        return macros.query_name(await self._expand(mechanism.domain, domain))

    async def _expand(self, tokens: tuple[Token, ...] | list[Token], domain: str) -> str:
        local, _, sender_domain = self.sender.rpartition("@")
        values = {
            "s": self.sender,
            "l": local,
            "o": sender_domain,
            "d": domain,
            "i": _dotted(self.ip),
            "v": "in-addr" if self.ip.version == 4 else "ip6",
            "h": self.helo,
            "c": str(self.ip),
            "r": self.receiver,
            "t": str(int(time.time())),
        }
        if "p" in macros.letters_used(tokens):
            values["p"] = await self._p_value(domain)
        return macros.expand(tokens, values)

    async def _p_value(self, domain: str) -> str:
        """%{p} (7.3): a validated name, preferring <domain> or a subdomain of it; else 'unknown'."""
        names = await self._validated_names()
        for name in names:
            if _within(name, domain):
                return name
        return names[0] if names else "unknown"

    async def _explain(self, record: SpfRecord, domain: str) -> str | None:
        """exp= (6.2): any problem with it means no explanation, never a different result."""
        exp = record.exp
        if exp is None or exp.domain is None:
            return None
        target = macros.query_name(await self._expand(exp.domain, domain))
        if target is None:
            return None
        answer = await self.client.query(target, "TXT")
        if answer.outcome is not Outcome.OK or len(answer.records) != 1 or not answer.records[0].isascii():
            return None
        try:
            tokens = macros.parse(answer.records[0], letters=macros.EXPLANATION_LETTERS, explanation=True)
        except MacroSyntaxError:
            return None
        return await self._expand(tokens, domain)

    # -- limits and DNS errors (4.6.4, 2.6.7) ------------------------------------------------

    def _count_lookup(self) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _Abort("permerror", f"more than {LOOKUP_LIMIT} DNS-querying terms")

    def _check_void(self, answer: Answer) -> None:
        if answer.outcome in (Outcome.NXDOMAIN, Outcome.NODATA):
            self.voids += 1
            if self.voids > VOID_LIMIT:
                raise _Abort("permerror", f"more than {VOID_LIMIT} lookups found nothing (void lookups)")

    async def _lookup(self, name: str, rdtype: str) -> Answer:
        answer = await self.client.query(name, rdtype)
        if not answer.outcome.conclusive:
            raise _Abort("temperror", f"a {rdtype} lookup failed ({answer.outcome.value})", name)
        return answer

    def _step(self, domain: str, term: str, outcome: StepOutcome, depth: int, detail: str = "") -> None:
        """Record a step; a depth-0 step that ends the evaluation is the one that decided."""
        step = SpfStep(domain=domain, term=term[:80], outcome=outcome, depth=depth, detail=detail)
        if len(self.trace) >= TRACE_STEPS:
            self.trace.pop(0)
        self.trace.append(step)
        if depth == 0:
            self.decided_by = step


async def check_host(
    client: DnsClient,
    ip: str,
    domain: str,
    sender: str = "",
    *,
    helo: str = "",
    receiver: str = "unknown",
) -> SpfResult:
    """RFC 7208 check_host(<ip>, <domain>, <sender>) with the trace of what was evaluated.

    `sender` is the MAIL FROM address (empty: `postmaster@<domain>`; no local part: `postmaster`).
    `helo` feeds %{h}; `receiver` feeds %{r}. Raises InputError for an `ip` that is not an address.
    """
    address = parse_ip(ip)
    domain = domain.strip().removesuffix(".")
    sender = _sender(sender, domain)
    evaluation = _Evaluation(client, address, sender, helo, receiver)
    if not _valid_domain(domain):  # 4.3: a malformed domain gets "none"
        outcome = _Outcome("none", _reason("the domain is not a valid domain name", domain[:80]))
    else:
        try:
            outcome = await evaluation.check(domain, 0)
        except _Abort as exc:
            outcome = _Outcome(exc.result, exc.reason)
    return SpfResult(
        result=outcome.result,
        ip=str(address),
        domain=domain,
        sender=sender,
        reason=outcome.reason,
        explanation=outcome.explanation,
        decided_by=evaluation.decided_by,
        trace=evaluation.trace,
        lookups=evaluation.lookups,
        void_lookups=evaluation.voids,
    )


async def check_mail_from(client: DnsClient, ip: str, mail_from: str, helo: str) -> SpfResult:
    """The MAIL FROM identity (2.4): the sender's domain, or the HELO name for the null sender."""
    domain = mail_from.rpartition("@")[2] if mail_from else helo
    return await check_host(client, ip, domain, mail_from or f"postmaster@{helo}", helo=helo)


def parse_ip(text: str, field: str = "ip") -> Address:
    """The address to check; an IPv4-mapped IPv6 address counts as IPv4 (5)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise InputError(field, f"{text[:60]!r} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _sender(sender: str, domain: str) -> str:
    if not sender:
        return f"postmaster@{domain}"
    if "@" not in sender:
        return f"postmaster@{sender}"
    if sender.startswith("@"):
        return f"postmaster{sender}"
    return sender


def _valid_domain(domain: str) -> bool:
    """4.3: a multi-label name of labels 1-63 long, 253 in all, that is not an address literal."""
    labels = domain.split(".")
    return (
        0 < len(domain) <= 253
        and len(labels) > 1
        and all(0 < len(label) <= 63 for label in labels)
        and not domain.startswith("[")
    )


def _within(name: str, domain: str) -> bool:
    name, domain = name.lower().rstrip("."), domain.lower().rstrip(".")
    return name == domain or name.endswith("." + domain)


def _dotted(ip: Address) -> str:
    """%{i} (7.3): dotted quad, or 32 dot-separated nibbles for IPv6."""
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", ""))


def _address_type(ip: Address) -> str:
    return "A" if ip.version == 4 else "AAAA"
