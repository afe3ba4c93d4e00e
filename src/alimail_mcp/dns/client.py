"""The DNS transport interface the checks depend on, and the answer it returns.

Checks never import dnspython: they ask a `DnsClient` and read `Answer`s, so tests can hand them
any client and the real one (dns/resolver.py) can change without touching a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    OK = "ok"
    """The name exists and has records of the type asked for."""
    NODATA = "nodata"
    """The name exists but has no records of that type."""
    NXDOMAIN = "nxdomain"
    """The name does not exist."""
    TIMEOUT = "timeout"
    """No answer in time (per query, or the audit's budget ran out)."""
    SERVFAIL = "servfail"
    """The resolver failed (SERVFAIL, or an answer it could not read)."""
    REFUSED = "refused"
    """The server would not answer for this name: REFUSED, or a "no such name/no data" from a server
    that neither holds the name's zone (no AA flag) nor recurses (no RA flag), which is what an
    authoritative-only server says of names outside its zones. Nothing is known about the name."""

    @property
    def conclusive(self) -> bool:
        """True when the answer says what exists; False when the question could not be answered."""
        return self in (Outcome.OK, Outcome.NODATA, Outcome.NXDOMAIN)


@dataclass(frozen=True, slots=True)
class Signed:
    """An answer's records with the RRSIG records that came with them (questions ask for them with the
    DO bit), in presentation form, so that a DNSSEC check can verify them without asking again."""

    owner: str
    """The records' owner name (the end of any alias chain), lower-case, without the trailing dot."""
    rdata: tuple[str, ...]
    """Each record in full presentation form (TXT strings kept apart, as they were signed)."""
    signatures: tuple[str, ...]
    """Each RRSIG record covering them, in presentation form."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One question's answer. `records` hold presentation text per record type:

    - TXT: the character-strings of one record joined without separators (RFC 7208 3.3)
    - MX: `"<priority> <exchange>"` with the exchange lower-case and without the trailing dot
    - A/AAAA: the address; CNAME/NS/PTR: the target name, lower-case, no trailing dot
    """

    name: str
    rdtype: str
    outcome: Outcome
    records: tuple[str, ...] = ()
    ttl: int | None = None
    cname_chain: tuple[str, ...] = ()
    """Aliases followed to reach the answer (each a target name), empty when there were none."""
    server: str | None = None
    """The nameserver that answered, `host:port`."""
    elapsed_ms: float = 0.0
    recursive: bool | None = None
    """On a failed question: whether the resolvers asked had shown they recurse (RA) before it; False
    means an authoritative-only server, whose silence about another party's name tells nothing."""
    authenticated: bool = False
    """The resolver validated the answer with DNSSEC (the AD flag)."""
    authoritative: bool = False
    """The answer came from a server holding the zone (the AA flag), not from a resolver's cache."""
    signed: Signed | None = None
    """The records and their signatures, when signatures came with them."""


class DnsClient(Protocol):
    """Ask one question; never raises for DNS failures, which come back as an `Outcome`."""

    async def query(self, name: str, rdtype: str) -> Answer: ...

    @property
    def queries(self) -> int:
        """How many distinct questions were sent so far (shared in-flight questions count once)."""
        ...
