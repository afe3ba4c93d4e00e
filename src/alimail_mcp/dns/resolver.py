"""The DnsClient the engine uses on the network: dnspython's async stub resolver, wrapped.

One client serves one audit: identical questions in flight are sent once and every answer is kept
for the client's life; the audit's budget is a deadline shared by every question (a question's
own time limit is the per-query timeout or what is left of the budget, whichever is shorter, and
once the deadline has passed questions come back as TIMEOUT without being sent). Failures never
raise: they come back as an `Outcome`. Only the engine imports this module (it loads dnspython).
"""

from __future__ import annotations

import asyncio
import errno
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.rrset

from alimail_mcp.config import Nameserver, Settings, load_settings
from alimail_mcp.dns.answer_cache import AnswerCache
from alimail_mcp.dns.client import Answer, Outcome, Signed
from alimail_mcp.dns.network_loop import on_network_loop
from alimail_mcp.models import ResolverReport, ResolverState

_EDNS_PAYLOAD = 1232
"""UDP answers up to this size come in one datagram (the DNS flag day 2020 value)."""
_SLACK = 0.05
"""Seconds of grace beyond a question's limit before it is abandoned regardless of dnspython."""
_NAME_TYPES = {"CNAME", "NS", "PTR", "DNAME"}
_MAX_HOPS = 8
"""Alias chains an authoritative-only server leaves unfinished are followed at most this many times."""
_UNCHECKED = frozenset({dns.rdatatype.DS, dns.rdatatype.DNSKEY})
"""Asked with the CD flag: a validating resolver then shows the keys of a zone whose chain of trust is
broken, instead of SERVFAIL, so the DNSSEC check can say what is broken."""


_Asking = Coroutine[Any, Any, Answer]
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})
"""Send errors that mean this machine has no way to the resolver (not that the resolver is silent)."""
CONTROL_TIMEOUT = 1.5
"""Seconds the control question (the root zone's NS, see `report`) may take at most."""


@dataclass
class _Tally:
    """Questions sent, shared by a client and the clients it derives (with_nameservers, query_at)."""

    sent: int = 0


@dataclass
class _Health:
    """What the client's own resolvers did with the questions sent to them (not shared with derived
    clients: a domain's silent nameservers say nothing about the resolver)."""

    answered: int = 0
    """Questions to which a DNS message came back, whatever its code (SERVFAIL and REFUSED included)."""
    silent: int = 0
    """Questions that got nothing back in time."""
    no_route: int = 0
    """Questions that could not be sent: the network is unreachable from this machine."""


class ResolverClient:
    """A `DnsClient` on dnspython's async resolver; see the module docstring.

    Build it with `from_settings()`; `with_nameservers()` and `query_at()` ask chosen servers
    directly under the same deadline and count.
    """

    def __init__(
        self,
        nameservers: Sequence[Nameserver] = (),
        *,
        timeout: float = 2.0,
        budget: float = 8.0,
        recursion: bool = True,
        offload: bool = False,
        shared: AnswerCache | None = None,
        _deadline: float | None = None,
        _tally: _Tally | None = None,
    ) -> None:
        """`nameservers`: empty means the system's (/etc/resolv.conf). `offload`: send and parse on
        the network loop (dns/network_loop.py), so a busy server's own loop never runs dnspython's work.
        `shared`: answers shared with other audits of the same run (bulk); derived clients never use it."""
        self.timeout = timeout
        self.offload = offload
        self.deadline = time.monotonic() + budget if _deadline is None else _deadline
        self._tally = _tally or _Tally()
        self._answers: dict[tuple[str, str], asyncio.Task[Answer]] = {}
        self._direct: dict[tuple[str, int], ResolverClient] = {}
        self._shared = shared
        self.recursive: bool | None = None
        """Whether the servers asked offer recursion (RA seen in an answer); None until one answers."""
        self.configured = bool(nameservers)
        self.health = _Health()
        self._resolver = _make_resolver(nameservers, timeout, recursion)
        self._unchecked = _make_resolver(nameservers, timeout, recursion, checking_disabled=True)

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, shared: AnswerCache | None = None
    ) -> ResolverClient:
        """A client for one audit: resolvers, timeout and budget from `settings` (default: the env)."""
        settings = settings or load_settings()
        return cls(
            settings.resolvers,
            timeout=settings.dns_timeout,
            budget=settings.dns_budget,
            offload=settings.network_thread,
            shared=shared,
        )

    def with_nameservers(
        self, nameservers: Sequence[Nameserver], *, recursion: bool = False
    ) -> ResolverClient:
        """A client asking `nameservers` directly (e.g. a domain's authoritative servers), with
        this client's deadline and query count and its own answers."""
        return ResolverClient(
            nameservers,
            timeout=self.timeout,
            recursion=recursion,
            offload=self.offload,
            _deadline=self.deadline,
            _tally=self._tally,
        )

    async def query_at(self, server: str, port: int, name: str, rdtype: str) -> Answer:
        """Ask one nameserver directly, without asking for recursion (authoritative comparisons)."""
        key = (server, port)
        if key not in self._direct:
            self._direct[key] = self.with_nameservers([Nameserver(server, port)])
        return await self._direct[key].query(name, rdtype)

    @property
    def queries(self) -> int:
        """Questions sent on the network (a shared or repeated question counts once)."""
        return self._tally.sent

    @property
    def nameservers(self) -> tuple[str, ...]:
        return tuple(
            _server_text(ns.address, ns.port) if isinstance(ns, dns.nameserver.Do53Nameserver) else str(ns)
            for ns in self._resolver.nameservers
        )

    def time_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    async def report(self) -> ResolverReport:
        """Which resolvers this client asked and whether they answered. When every question went
        unanswered, one control question about a name that has nothing to do with any domain checked
        (the root zone's NS) tells a dead resolver from a domain whose own nameservers are silent; it
        is sent after the audit's deadline, with its own short limit."""
        if not self.health.answered and (self.health.silent or self.health.no_route):
            self._tally.sent += 1
            control = self._ask(dns.name.root, dns.rdatatype.NS, min(self.timeout, CONTROL_TIMEOUT))
            await (on_network_loop(control) if self.offload else control)
        return ResolverReport(servers=list(self.nameservers), configured=self.configured, state=self._state())

    def _state(self) -> ResolverState:
        health = self.health
        if health.answered:
            return "answering"
        if health.no_route and not health.silent:
            return "no-route"
        return "not-answering" if health.silent or health.no_route else "not-asked"

    async def query(self, name: str, rdtype: str) -> Answer:
        kind = dns.rdatatype.RdataType.make(rdtype.upper())
        type_text = dns.rdatatype.to_text(kind)
        qname = _qname(name)
        if qname is None:  # not a name DNS can carry (empty or over-long label): it cannot exist
            return Answer(name=name, rdtype=type_text, outcome=Outcome.NXDOMAIN)
        key = (qname.to_text().lower(), type_text)
        task = self._answers.get(key)
        if task is None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                return Answer(name=_text(qname), rdtype=type_text, outcome=Outcome.TIMEOUT)
            if self._shared is None:
                self._tally.sent += 1
                ask = self._sent(qname, kind, min(self.timeout, left))
            else:
                ask = self._shared.answer(key, lambda: self._counted(qname, kind, self.timeout))
            task = asyncio.get_running_loop().create_task(ask)
            self._answers[key] = task
        return await asyncio.shield(task)

    def _sent(self, qname: dns.name.Name, kind: dns.rdatatype.RdataType, lifetime: float) -> _Asking:
        ask = self._ask(qname, kind, lifetime)
        return on_network_loop(ask) if self.offload else ask

    def _counted(self, qname: dns.name.Name, kind: dns.rdatatype.RdataType, lifetime: float) -> _Asking:
        self._tally.sent += 1
        return self._sent(qname, kind, lifetime)

    async def _ask(
        self, qname: dns.name.Name, kind: dns.rdatatype.RdataType, lifetime: float, hops: int = 0
    ) -> Answer:
        started = time.monotonic()
        name, type_text = _text(qname), dns.rdatatype.to_text(kind)
        resolver = self._unchecked if kind in _UNCHECKED else self._resolver
        try:
            async with asyncio.timeout(lifetime + _SLACK):
                found = await resolver.resolve(
                    qname, kind, raise_on_no_answer=False, lifetime=lifetime, search=False
                )
        except dns.resolver.NXDOMAIN as exc:
            self.health.answered += 1
            response = _nxdomain_response(exc)
            self._saw(response)
            ttl, chain = _negative_ttl_and_chain(response)
            outcome = Outcome.NXDOMAIN if _vouched(response) else Outcome.REFUSED
            return Answer(name, type_text, outcome, ttl=ttl, cname_chain=chain, elapsed_ms=_ms(started))
        except (TimeoutError, dns.exception.Timeout):
            self.health.silent += 1
            return self._failed(name, type_text, Outcome.TIMEOUT, started)
        except dns.resolver.NoNameservers as exc:  # every server failed or refused
            errors = exc.kwargs.get("errors") or []
            for *_, response in errors:
                self._saw(response)
            self._note_failure(errors)
            outcome = Outcome.REFUSED if _all_refused(exc) else Outcome.SERVFAIL
            return self._failed(name, type_text, outcome, started)
        except dns.exception.DNSException:  # unreadable answers, CNAME loops
            self.health.answered += 1
            return self._failed(name, type_text, Outcome.SERVFAIL, started)
        self.health.answered += 1
        self._saw(found.response)
        result = found.chaining_result
        records = tuple(_present(rdata) for rdata in result.answer) if result.answer is not None else ()
        chain = _aliases(result)
        if not records and chain and not self.recursive:
            # An authoritative-only server gives the alias and stops where its zones end: follow it.
            return await self._follow(name, kind, result, started, lifetime, hops)
        outcome = Outcome.OK if records else Outcome.NODATA
        if not records and not _vouched(found.response):
            outcome = Outcome.REFUSED  # a referral: the server does not hold the name's zone
        return Answer(
            name,
            type_text,
            outcome,
            records=records,
            ttl=result.minimum_ttl,
            cname_chain=chain,
            server=_server_text(found.nameserver or "?", found.port or 0),
            elapsed_ms=_ms(started),
            authenticated=bool(found.response.flags & dns.flags.AD),
            authoritative=bool(found.response.flags & dns.flags.AA),
            signed=_signed(found.response, result.answer),
        )

    async def _follow(
        self,
        name: str,
        kind: dns.rdatatype.RdataType,
        result: dns.message.ChainingResult,
        started: float,
        lifetime: float,
        hops: int,
    ) -> Answer:
        """The answer for the end of an alias chain the server did not finish, as a resolver would give it."""
        type_text = dns.rdatatype.to_text(kind)
        left = min(lifetime - (time.monotonic() - started), self.deadline - time.monotonic())
        if hops >= _MAX_HOPS:  # aliases pointing at each other across zones
            return self._failed(name, type_text, Outcome.SERVFAIL, started)
        if left <= 0:
            return self._failed(name, type_text, Outcome.TIMEOUT, started)
        self._tally.sent += 1
        rest = await self._ask(result.canonical_name, kind, left, hops + 1)
        ttls = [t for t in (result.minimum_ttl, rest.ttl) if t is not None]
        return Answer(
            name,
            type_text,
            rest.outcome,
            records=rest.records,
            ttl=min(ttls) if ttls else None,
            cname_chain=(*_aliases(result), *rest.cname_chain),
            server=rest.server,
            elapsed_ms=_ms(started),
            recursive=rest.recursive,
            authenticated=rest.authenticated,
            authoritative=rest.authoritative,
            signed=rest.signed,
        )

    def _note_failure(self, errors: list[tuple[object, ...]]) -> None:
        """Count a question every server failed: answered if any server sent a message back, no-route
        if every attempt failed because the network is unreachable, silent otherwise."""
        if any(error[-1] is not None for error in errors):
            self.health.answered += 1
        elif errors and all(isinstance(e[-2], OSError) and e[-2].errno in _NO_ROUTE for e in errors):
            self.health.no_route += 1
        else:
            self.health.silent += 1

    def _saw(self, response: dns.message.Message | None) -> None:
        """Note whether the resolvers recurse (RA) from an answer they gave."""
        if response is not None:
            self.recursive = bool(response.flags & dns.flags.RA) or bool(self.recursive)

    def _failed(self, name: str, type_text: str, outcome: Outcome, started: float) -> Answer:
        return Answer(name, type_text, outcome, elapsed_ms=_ms(started), recursive=self.recursive)


def _nxdomain_response(exc: dns.resolver.NXDOMAIN) -> dns.message.QueryMessage | None:
    responses: dict[dns.name.Name, dns.message.Message] = exc.kwargs.get("responses") or {}
    return next((r for r in responses.values() if isinstance(r, dns.message.QueryMessage)), None)


def _vouched(response: dns.message.Message | None) -> bool:
    """Whether a negative answer says something: the server holds the zone (AA) or asked for us (RA)."""
    return response is not None and bool(response.flags & (dns.flags.AA | dns.flags.RA))


def _all_refused(exc: dns.resolver.NoNameservers) -> bool:
    """Every server that answered refused. Attempts without an answer (a truncated UDP reply retried
    over TCP, a server that timed out) say nothing either way."""
    errors = exc.kwargs.get("errors") or []
    rcodes = [response.rcode() for *_, response in errors if response is not None]
    return bool(rcodes) and all(rcode == dns.rcode.REFUSED for rcode in rcodes)


def _negative_ttl_and_chain(
    response: dns.message.QueryMessage | None,
) -> tuple[int | None, tuple[str, ...]]:
    """The negative-cache TTL of an NXDOMAIN (from the SOA) and any aliases followed on the way."""
    if response is None:
        return None, ()
    try:
        result = response.resolve_chaining()
    except dns.exception.DNSException:
        return None, ()
    return result.minimum_ttl, _aliases(result)


def _aliases(result: dns.message.ChainingResult) -> tuple[str, ...]:
    return tuple(_host(next(iter(rrset)).target) for rrset in result.cnames)


def _signed(response: dns.message.Message, rrset: dns.rrset.RRset | None) -> Signed | None:
    """The answer's records and the RRSIGs covering them, when the response carries any."""
    if rrset is None:
        return None
    signatures = [
        sig
        for found in response.answer
        if found.rdtype == dns.rdatatype.RRSIG and found.covers == rrset.rdtype and found.name == rrset.name
        for sig in found
    ]
    if not signatures:
        return None
    return Signed(
        owner=_text(rrset.name),
        rdata=tuple(str(r.to_text()) for r in rrset),
        signatures=tuple(str(s.to_text()) for s in signatures),
    )


def _make_resolver(
    nameservers: Sequence[Nameserver], timeout: float, recursion: bool, *, checking_disabled: bool = False
) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=False)
    servers = nameservers or [Nameserver(address) for address in _system_nameservers()]
    resolver.nameservers = [dns.nameserver.Do53Nameserver(ns.host, ns.port) for ns in servers]
    # One attempt per server for short timeouts; on real networks (>= 1 s) a lost datagram is
    # retried once within the same limit.
    resolver.timeout = timeout / 2 if timeout >= 1.0 else timeout
    resolver.lifetime = timeout
    resolver.cache = None
    resolver.retry_servfail = False
    # DO: signatures come with the records, for the DNSSEC check (and the AD flag from validators).
    resolver.use_edns(0, dns.flags.DO, _EDNS_PAYLOAD)
    flags = dns.flags.RD if recursion else 0
    if checking_disabled:
        flags |= dns.flags.CD
    if flags != dns.flags.RD:
        resolver.set_flags(flags)
    return resolver


@cache
def _system_nameservers() -> tuple[str, ...]:
    try:
        system = dns.resolver.Resolver(configure=True)
    except dns.resolver.NoResolverConfiguration:
        return ()  # every question then comes back SERVFAIL: there is nobody to ask
    return tuple(str(ns) for ns in system.nameservers)


def _qname(name: str) -> dns.name.Name | None:
    text = name.strip()
    try:
        return dns.name.from_text(text) if text not in ("", ".") else dns.name.root
    except (dns.exception.DNSException, UnicodeError, ValueError):
        return None


def _present(rdata: dns.rdata.Rdata) -> str:
    """One record in the text form documented on `Answer`."""
    kind = dns.rdatatype.to_text(rdata.rdtype)
    if kind == "TXT" or kind == "SPF":
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if kind == "MX":
        return f"{rdata.preference} {_host(rdata.exchange)}"  # type: ignore[attr-defined]
    if kind in _NAME_TYPES:
        return _host(rdata.target)  # type: ignore[attr-defined]
    if kind in ("A", "AAAA"):
        return str(rdata.address)  # type: ignore[attr-defined]
    return str(rdata.to_text())


def _host(name: dns.name.Name) -> str:
    """A name lower-case without the trailing dot; the root (a null MX's exchange) is '.'."""
    return _text(name) or "."


def _text(name: dns.name.Name) -> str:
    return str(name.to_text(omit_final_dot=True)).lower()


def _server_text(host: str, port: int) -> str:
    return str(Nameserver(host, port))


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
