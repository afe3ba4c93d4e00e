"""The SPF check's walk of a record's include tree: every record reached through include: and
redirect=, read once, level by level, within a fixed amount of work.

Each level is one round trip: the records of every name of the level are asked for at once, beside
the void checks of the level above. A name is read once in the whole walk: met again, its entry says
`repeated` and points to where it is listed (a record included by many others costs one question, and
a layered graph costs one question per name, not one per path). The walk reads at most MAX_NAMES
records, lists at most MAX_ENTRIES include and redirect terms, goes MAX_DEPTH deep and checks at most
MAX_VOID_CHECKS terms for names that do not exist; what it leaves out is `truncated`.

Lookups are counted as a receiver evaluating every term would count them, a repeated record each time
it is reached; loops are found on the graph of names, so a cycle between two branches is one too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import excerpt, out_of_reach, subject
from alimail_mcp.dns.spf import macros
from alimail_mcp.dns.spf.models import IncludeStatus, SpfInclude
from alimail_mcp.dns.spf.record import Mechanism, Qualifier, SpfRecord, parse_lenient, spf_records

MAX_DEPTH = 12
"""Include chains deeper than this are not followed (a receiver stops at 10 lookups anyway)."""
MAX_NAMES = 50
"""Records read through includes and redirects; five times what 10 lookups can reach."""
MAX_ENTRIES = 200
"""Include and redirect terms listed in the tree, over every record read."""
MAX_VOID_CHECKS = 30
"""a, mx and exists terms checked for names without records; each is also a lookup, so past this many
a receiver has long given up."""
Via = Literal["include", "redirect"]
Truncation = Literal["names", "entries", "depth", "void-checks"]
_VOID = (Outcome.NXDOMAIN, Outcome.NODATA)
_READ: frozenset[IncludeStatus] = frozenset({"ok", "multiple", "syntax"})


@dataclass
class _Pending:
    """An entry whose record is to be read, and the names from the domain down to its parent."""

    entry: SpfInclude
    path: tuple[str, ...]


@dataclass
class Walk:
    """What walking a record's include tree found; `run()` fills it."""

    client: DnsClient
    domain: str
    lookups: int = 0
    """DNS-querying terms a receiver evaluating every reachable term counts (limit 10)."""
    void: list[str] = field(default_factory=list)
    void_terms: set[str] = field(default_factory=set)
    """Terms of the domain's own record that name nothing (safe to drop)."""
    loops: list[str] = field(default_factory=list)
    faults: list[tuple[Answer, str]] = field(default_factory=list)
    """Targets whose record could not be read (timeout, SERVFAIL): receivers fail on them too."""
    refused: list[tuple[Answer, str]] = field(default_factory=list)
    """Targets the resolver would not answer for (an authoritative-only server): left unverified."""
    records: dict[str, SpfRecord] = field(default_factory=dict)
    """Every record read, by name (the domain's own included)."""
    truncated: list[Truncation] = field(default_factory=list)
    """Which limits left part of the tree unexamined, in the order they were met."""
    _own: dict[str, int] = field(default_factory=dict)
    _children: dict[str, list[SpfInclude]] = field(default_factory=dict)
    _claimed: set[str] = field(default_factory=set)
    _entries: int = 0
    _void_checks: int = 0

    @property
    def names_read(self) -> int:
        return len(self.records) - 1

    async def run(self, record: SpfRecord) -> list[SpfInclude]:
        """Walk `record`'s tree; its own includes (each with what it reaches) in the record's order."""
        self._claimed.add(self.domain)
        self.records[self.domain] = record
        top, level, checks = self._expand(self.domain, record, (self.domain,))
        while level:
            answers, _ = await asyncio.gather(
                asyncio.gather(*(self.client.query(p.entry.domain, "TXT") for p in level)),
                asyncio.gather(*checks),
            )
            checks, below = [], []
            for pending, answer in zip(level, answers, strict=True):
                read = self._settle(pending, answer)
                if read is not None:
                    entries, more, more_checks = self._expand(pending.entry.domain, read, pending.path)
                    pending.entry.includes = entries
                    below += more
                    checks += more_checks
            level = below
        await asyncio.gather(*checks)
        self._find_loops()
        self.lookups = self._count(self.domain, {})
        return top

    def reaches(self, accepted: set[str]) -> bool:
        """Whether an accepted include is reached through includes that pass (qualifier +) all the way."""
        return self._reaches(self.domain, accepted, {})

    # -- one record -----------------------------------------------------------------------------

    def _expand(
        self, name: str, record: SpfRecord, path: tuple[str, ...]
    ) -> tuple[list[SpfInclude], list[_Pending], list[Coroutine[Any, Any, None]]]:
        """The entries of `name`'s record, the ones to read next, and its void checks."""
        reachable, redirect = record.reachable, record.effective_redirect
        self._own[name] = sum(1 for m in reachable if m.costs_lookup) + (1 if redirect is not None else 0)
        terms: list[tuple[str, Via, Qualifier]] = [
            (m.domain_text or "", "include", m.qualifier) for m in reachable if m.name == "include"
        ]
        if redirect is not None:
            terms.append((redirect.value, "redirect", "+"))
        entries: list[SpfInclude] = []
        pending: list[_Pending] = []
        for spec, via, qualifier in terms:
            if self._entries >= MAX_ENTRIES:
                self._truncate("entries")
                break
            self._entries += 1
            entry = self._entry(spec, via, qualifier, path)
            entries.append(entry)
            if entry.status == "ok":  # claimed here: its record is read on the next level
                pending.append(_Pending(entry, (*path, entry.domain)))
        self._children[name] = entries
        voids = [m for m in reachable if m.name in ("a", "mx", "exists")]
        if len(voids) > MAX_VOID_CHECKS - self._void_checks:
            self._truncate("void-checks")
            voids = voids[: max(0, MAX_VOID_CHECKS - self._void_checks)]
        self._void_checks += len(voids)
        checks = [self._void_check(m, name, top=name == self.domain) for m in voids]
        return entries, pending, checks

    def _entry(self, spec: str, via: Via, qualifier: Qualifier, path: tuple[str, ...]) -> SpfInclude:
        def entry(domain: str, status: IncludeStatus) -> SpfInclude:
            return SpfInclude(domain=domain, via=via, qualifier=qualifier, status=status)

        target = static_name(spec)
        if target is None:
            return entry(spec[:120], "dynamic")
        if target in path:
            self.loops.append(" -> ".join((*path, target)))
            return entry(target, "loop")
        if target in self._claimed:
            return entry(target, "repeated")
        if len(path) > MAX_DEPTH:
            self._truncate("depth")
            return entry(target, "not-followed")
        if len(self._claimed) > MAX_NAMES:
            self._truncate("names")
            return entry(target, "not-followed")
        self._claimed.add(target)
        return entry(target, "ok")

    def _settle(self, pending: _Pending, answer: Answer) -> SpfRecord | None:
        """Record what the target's TXT answer says on its entry; the record to walk on, if any."""
        entry = pending.entry
        if not answer.outcome.conclusive:
            lost = self.refused if out_of_reach(answer) else self.faults
            what = subject("spf-include-target") if entry.via == "include" else subject("spf-redirect-target")
            lost.append((answer, what))
            entry.status = "unreachable"
            return None
        published = spf_records(answer.records)
        if not published:
            if answer.outcome in _VOID:
                self.void.append(entry.domain)
            entry.status = "no-record"
            return None
        record, errors = parse_lenient(published[0])
        self.records[entry.domain] = record
        entry.status = "multiple" if len(published) > 1 else "syntax" if errors else "ok"
        entry.record = excerpt(published[0])
        entry.lookups = sum(1 for m in record.reachable if m.costs_lookup) + (
            1 if record.effective_redirect is not None else 0
        )
        return record

    async def _void_check(self, mechanism: Mechanism, domain: str, *, top: bool) -> None:
        """A term naming a host with no records authorises nothing and spends a void lookup."""
        name = domain if mechanism.domain_text is None else static_name(mechanism.domain_text)
        if name is None:
            return
        types = {"a": ("A", "AAAA"), "mx": ("MX",), "exists": ("A",)}[mechanism.name]
        answers = await asyncio.gather(*(self.client.query(name, t) for t in types))
        if all(a.outcome in _VOID for a in answers):
            self.void.append(f"{name} ({mechanism.text[:60]})")
            if top:
                self.void_terms.add(mechanism.text.lower())

    def _truncate(self, why: Truncation) -> None:
        if why not in self.truncated:
            self.truncated.append(why)

    # -- the graph of names ---------------------------------------------------------------------

    def _find_loops(self) -> None:
        """Cycles the walk could not see on one path (they run through a name read in another branch);
        an entry met as `repeated` that closes one becomes a loop."""
        state: dict[str, bool] = {}  # False while on the current path, True once done

        def visit(name: str, path: tuple[str, ...]) -> None:
            state[name] = False
            for entry in self._children.get(name, []):
                if state.get(entry.domain) is False and (entry.status in _READ or entry.status == "repeated"):
                    self.loops.append(" -> ".join((*path, entry.domain)))
                    if entry.status == "repeated":  # an entry that was read keeps its record listed
                        entry.status = "loop"
                elif entry.domain in self._children and entry.domain not in state:
                    visit(entry.domain, (*path, entry.domain))
            state[name] = True

        visit(self.domain, (self.domain,))

    def _count(self, name: str, memo: dict[str, int]) -> int:
        """Lookups of `name`'s record and of everything it reaches, repeats included (loops end it)."""
        if name not in memo:
            memo[name] = 0  # a name met again on its own path adds nothing more (the loop is reported)
            below = (
                e.domain for e in self._children.get(name, []) if e.status in _READ or e.status == "repeated"
            )
            memo[name] = self._own.get(name, 0) + sum(self._count(child, memo) for child in below)
        return memo[name]

    def _reaches(self, name: str, accepted: set[str], memo: dict[str, bool]) -> bool:
        if name not in memo:
            memo[name] = False
            memo[name] = any(
                e.qualifier == "+"
                and (e.domain in accepted or (e.status != "loop" and self._reaches(e.domain, accepted, memo)))
                for e in self._children.get(name, [])
            )
        return memo[name]


def static_name(spec: str) -> str | None:
    """The name a domain-spec without macros stands for; None when it has macros or is invalid."""
    if "%" in spec:
        return None
    name = macros.query_name(spec)
    return name.lower() if name else None
