"""An in-process authoritative nameserver on loopback for tests and benchmarks.

It serves zones given as master-file text (or records added one by one) over UDP and TCP on the
same port, answers like an authoritative server (AA set; NXDOMAIN and NODATA with the zone's SOA
in the authority section; CNAMEs chased inside the served data; the RRSIG records of a signed zone
beside the records they cover when the question has the DO bit) and injects faults per name and,
optionally, per type: a delay, a drop (never answers), SERVFAIL, REFUSED, or truncation (TC over
UDP, the full answer over TCP). It counts the questions it receives.

It runs its own event loop in a daemon thread, so it works the same from a sync or async pytest
fixture and from a bench script. It imports only dnspython and the standard library; a bench
script puts the project root on sys.path and does `from tests.support.dns_server import DnsTestServer`:

    with DnsTestServer(ZONE_TEXT) as server:
        os.environ["ALIMAIL_MCP_RESOLVERS"] = server.address   # "127.0.0.1:<port>"
        server.set_fault("slow.example.test", delay_ms=300)
        ...
        server.count("example.test", "TXT")                    # questions received
"""

from __future__ import annotations

import asyncio
import errno
import socket
import struct
import textwrap
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.tokenizer
import dns.zonefile

IN = dns.rdataclass.IN
DEFAULT_TTL = 300
MAX_CHAIN = 12
_SIGNATURES = 0x10000
"""RRSIG rdatasets are kept per covered type, under this plus the covered type's number."""
_DEFAULT_SOA = "ns.invalid. hostmaster.invalid. 1 3600 600 86400 {ttl}"

Transport = Literal["udp", "tcp"]


@dataclass(frozen=True)
class Fault:
    """What to do to a question instead of (or before) answering it."""

    delay_ms: int = 0
    drop: bool = False
    rcode: Literal["SERVFAIL", "REFUSED"] | None = None
    truncate: bool = False
    """Answer over UDP with the TC bit and no records; TCP gets the full answer."""


@dataclass(frozen=True)
class Received:
    name: str
    """Lower-case, without the trailing dot (the root is '.')."""
    rdtype: str
    transport: Transport


class DnsTestServer:
    """An authoritative nameserver for tests; see the module docstring."""

    def __init__(
        self,
        *zones: str,
        host: str = "127.0.0.1",
        port: int = 0,
        unknown: Literal["nxdomain", "refused"] = "nxdomain",
        delay_ms: int = 0,
        recursion_available: bool = False,
        silent: bool = False,
        authenticated_data: bool = False,
    ) -> None:
        """`zones`: master-file texts, each with `$ORIGIN` (or add them with `add_zone(text, origin)`).

        `unknown`: the answer for names outside every served zone. NXDOMAIN lets the server stand
        in for a recursive resolver; REFUSED is what a real authoritative server says.
        `delay_ms`: a delay before every answer (a network round trip), on top of any fault's.
        `recursion_available`: set the RA flag, as a recursive resolver does. Without it, an NXDOMAIN
        for a name outside every zone (no AA, no RA) is what an authoritative-only server says, and
        the engine's client reads it as "not answered" (Outcome.REFUSED), not as "does not exist".
        `silent`: receive and count every question but never answer (a resolver that is down).
        `authenticated_data`: set the AD flag on answers to questions with the DO or AD bit, as a
        validating resolver does for a signed zone whose chain of trust holds.
        """
        self.host = host
        self._requested_port = port
        self.port = 0
        self.unknown = unknown
        self.delay_ms = delay_ms
        self.recursion_available = recursion_available
        self.silent = silent
        self.authenticated_data = authenticated_data
        self._lock = threading.Lock()
        self._records: dict[dns.name.Name, dict[int, dns.rdataset.Rdataset]] = {}
        self._ancestors: set[dns.name.Name] | None = None
        """Every proper ancestor of a name with records (empty non-terminals among them); rebuilt after a
        change, so an NXDOMAIN costs a lookup rather than a scan of every name served."""
        self._origins: dict[dns.name.Name, dns.rrset.RRset] = {}
        self._faults: dict[tuple[dns.name.Name, int | None], Fault] = {}
        self._bogus: set[dns.name.Name] = set()
        self._received: list[Received] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closers: list[asyncio.BaseTransport | asyncio.AbstractServer] = []
        for text in zones:
            self.add_zone(text)

    # -- data ---------------------------------------------------------------------------------

    def add_zone(self, text: str, origin: str | None = None, *, ttl: int = DEFAULT_TTL) -> None:
        """Serve zones from master-file text: `origin` (when given) and each `$ORIGIN` in the text
        start a zone, and so does any name with an SOA. Without an SOA at a zone's origin a default
        one is added; records without a TTL get `ttl`; a type already served at a name is replaced.
        Common indentation is removed first, so indented triple-quoted text works."""
        first = dns.name.from_text(origin) if origin else None
        reader = _MasterFile(first)
        tokens = dns.tokenizer.Tokenizer(textwrap.dedent(text), "<zone>")
        parser = dns.zonefile.Reader(tokens, IN, reader, allow_directives=True, default_ttl=ttl)  # type: ignore[arg-type]
        parser.current_origin = first or dns.name.root  # relative names before any $ORIGIN
        parser.read()
        if not reader.origins:
            raise ValueError("the zone has no origin: give $ORIGIN in the text or the origin argument")
        with self._lock:
            self._ancestors = None
            for (name, rdtype), rdataset in reader.rdatasets.items():  # rdtype: see _slot
                self._records.setdefault(name, {})[rdtype] = rdataset
            for name in reader.origins:
                self._add_origin(name, ttl)
            for name, _ in reader.rdatasets:  # a name outside every zone is served as its own zone
                if self._zone_of(name) is None:
                    self._add_origin(name, ttl)

    def add_origin(self, origin: str, *, ttl: int = DEFAULT_TTL) -> None:
        """Declare a zone without records (e.g. '.' to be authoritative for every name)."""
        with self._lock:
            self._add_origin(dns.name.from_text(origin), ttl)

    def add(self, name: str, rdtype: str, *values: str | dns.rdata.Rdata, ttl: int = DEFAULT_TTL) -> None:
        """Add records (presentation text, names absolute, or Rdata objects) at `name`.

        The name must sit inside a served zone (declare one with `add_origin` if needed)."""
        owner = dns.name.from_text(name)
        kind = dns.rdatatype.from_text(rdtype)
        with self._lock:
            if self._zone_of(owner) is None:
                raise ValueError(f"{name} is outside every served zone; call add_origin() first")
            self._ancestors = None
            node = self._records.setdefault(owner, {})
            for value in values:
                rdata = value if isinstance(value, dns.rdata.Rdata) else dns.rdata.from_text(IN, kind, value)
                rdataset = node.get(_slot(rdata)) or dns.rdataset.Rdataset(IN, kind, rdata.covers())
                rdataset.add(rdata, ttl)
                node[_slot(rdata)] = rdataset

    def remove(self, name: str, rdtype: str | None = None) -> None:
        """Stop serving `name` (one type and its signatures, or every type)."""
        owner = dns.name.from_text(name)
        with self._lock:
            self._ancestors = None
            node = self._records.get(owner, {})
            if rdtype is None:
                node.clear()
            else:
                kind = dns.rdatatype.from_text(rdtype)
                node.pop(kind, None)
                node.pop(_SIGNATURES + kind, None)
            if not node:
                self._records.pop(owner, None)
                self._ancestors = None

    def clear(self) -> None:
        """Forget every zone, record, fault and received question."""
        with self._lock:
            self._records.clear()
            self._ancestors = None
            self._origins.clear()
            self._faults.clear()
            self._received.clear()

    def set_fault(
        self,
        name: str,
        rdtype: str | None = None,
        *,
        delay_ms: int = 0,
        drop: bool = False,
        rcode: Literal["SERVFAIL", "REFUSED"] | None = None,
        truncate: bool = False,
    ) -> None:
        """Inject a fault for questions about `name` (of type `rdtype`, or of any type).

        A fault for (name, type) wins over one for (name, any type)."""
        key = (dns.name.from_text(name), dns.rdatatype.from_text(rdtype) if rdtype else None)
        with self._lock:
            self._faults[key] = Fault(delay_ms=delay_ms, drop=drop, rcode=rcode, truncate=truncate)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._bogus.clear()

    def set_bogus(self, origin: str) -> None:
        """Answer questions about names at or under `origin` with SERVFAIL unless they carry the CD flag:
        what a validating resolver does for a zone whose chain of trust is broken."""
        with self._lock:
            self._bogus.add(dns.name.from_text(origin))

    # -- counting -----------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def count(
        self, name: str | None = None, rdtype: str | None = None, transport: Transport | None = None
    ) -> int:
        """How many questions arrived, optionally only those for `name`, `rdtype`, `transport`."""
        wanted = _key(dns.name.from_text(name)) if name is not None else None
        return sum(
            1
            for r in self.received
            if (wanted is None or r.name == wanted)
            and (rdtype is None or r.rdtype == rdtype.upper())
            and (transport is None or r.transport == transport)
        )

    def reset_counts(self) -> None:
        with self._lock:
            self._received.clear()

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """`host:port`, the form ALIMAIL_MCP_RESOLVERS takes."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def start(self) -> DnsTestServer:
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=f"dns-test-server-{id(self):x}", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        loop = self._loop

        def shutdown() -> None:
            for closer in self._closers:
                closer.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.call_soon(loop.stop)

        loop.call_soon_threadsafe(shutdown)
        self._thread.join(timeout=5)
        self._thread = None
        self._loop = None
        self._closers.clear()

    def __enter__(self) -> DnsTestServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for _ in range(20):
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), local_addr=(self.host, self._requested_port), family=family
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                tcp = await asyncio.start_server(self._serve_tcp, self.host, port, family=family)
            except OSError as exc:
                udp.close()
                if exc.errno != errno.EADDRINUSE or self._requested_port:
                    raise
                continue
            self.port = port
            self._closers = [udp, tcp]
            return
        raise OSError(errno.EADDRINUSE, "no free port with both UDP and TCP available")

    # -- answering ----------------------------------------------------------------------------

    async def _answer(self, wire: bytes, transport: Transport) -> bytes | None:
        """The reply to one message, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if not query.question:
            return None
        question = query.question[0]
        fault = self._record_and_fault(question.name, question.rdtype, transport)
        if self.silent:
            return None
        if fault.delay_ms or self.delay_ms:
            await asyncio.sleep((fault.delay_ms + self.delay_ms) / 1000)
        if fault.drop:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.recursion_available:
            response.flags |= dns.flags.RA
        if self.authenticated_data and (query.ednsflags & dns.flags.DO or query.flags & dns.flags.AD):
            response.flags |= dns.flags.AD
        rcode = fault.rcode or ("SERVFAIL" if self._fails_validation(question.name, query.flags) else None)
        if rcode:
            response.flags &= ~(dns.flags.AA | dns.flags.AD)
            response.set_rcode(dns.rcode.from_text(rcode))
        elif fault.truncate and transport == "udp":
            response.flags |= dns.flags.TC
        else:
            with self._lock:
                self._resolve(response, question.name, question.rdtype, bool(query.ednsflags & dns.flags.DO))
        max_size = 65535 if transport == "tcp" else max(512, query.payload if query.edns >= 0 else 512)
        # Records go out in the order they were loaded (no shuffling), so tests are repeatable.
        return response.to_wire(max_size=max_size, prefer_truncation=True, want_shuffle=False)

    def _fails_validation(self, name: dns.name.Name, flags: int) -> bool:
        with self._lock:
            bogus = any(name.is_subdomain(origin) for origin in self._bogus)
        return bogus and not flags & dns.flags.CD

    def _record_and_fault(self, name: dns.name.Name, rdtype: int, transport: Transport) -> Fault:
        with self._lock:
            self._received.append(Received(_key(name), dns.rdatatype.to_text(rdtype), transport))
            return self._faults.get((name, rdtype)) or self._faults.get((name, None)) or Fault()

    def _resolve(
        self, response: dns.message.Message, qname: dns.name.Name, rdtype: int, dnssec: bool = False
    ) -> None:
        """Fill the answer and authority sections the way an authoritative server would; with `dnssec`
        (the DO bit) each RRset is followed by the RRSIGs covering it."""
        name, seen = qname, {qname}
        for _ in range(MAX_CHAIN):
            origin = self._zone_of(name)
            if origin is None:
                if name == qname:
                    response.flags &= ~dns.flags.AA
                    response.set_rcode(
                        dns.rcode.NXDOMAIN if self.unknown == "nxdomain" else dns.rcode.REFUSED
                    )
                return  # a chain leaving the served data ends here, as on a real server
            node = self._records.get(name, {})
            found = node.get(rdtype)
            if found is not None:
                response.answer.append(_rrset(name, found))
                self._sign(response.answer, name, node, rdtype, dnssec)
                return
            cname = node.get(dns.rdatatype.CNAME)
            if cname is not None and rdtype != dns.rdatatype.CNAME:
                response.answer.append(_rrset(name, cname))
                self._sign(response.answer, name, node, dns.rdatatype.CNAME, dnssec)
                target = next(iter(cname)).target  # type: ignore[attr-defined]
                if target in seen:
                    return
                seen.add(target)
                name = target
                continue
            if not node and not self._has_descendant(name):
                response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(self._origins[origin])
            self._sign(response.authority, origin, self._records.get(origin, {}), dns.rdatatype.SOA, dnssec)
            return

    @staticmethod
    def _sign(
        section: list[dns.rrset.RRset],
        name: dns.name.Name,
        node: dict[int, dns.rdataset.Rdataset],
        rdtype: int,
        dnssec: bool,
    ) -> None:
        signatures = node.get(_SIGNATURES + rdtype) if dnssec else None
        if signatures is not None:
            section.append(_rrset(name, signatures))

    def _zone_of(self, name: dns.name.Name) -> dns.name.Name | None:
        """The closest enclosing origin, walking up the name (thousands of zones stay fast)."""
        while True:
            if name in self._origins:
                return name
            if name == dns.name.root or name == dns.name.empty:
                return None
            name = name.parent()

    def _has_descendant(self, name: dns.name.Name) -> bool:
        """True for an empty non-terminal: the name has no records but names below it do."""
        if self._ancestors is None:
            self._ancestors = set()
            for owner in self._records:
                while owner != dns.name.root and owner not in self._ancestors:
                    owner = owner.parent()
                    self._ancestors.add(owner)
        return name in self._ancestors

    def _add_origin(self, origin: dns.name.Name, ttl: int) -> None:
        soa = self._records.get(origin, {}).get(dns.rdatatype.SOA)
        if soa is None:
            soa = dns.rdataset.from_text(IN, dns.rdatatype.SOA, ttl, _DEFAULT_SOA.format(ttl=ttl))
            self._records.setdefault(origin, {})[dns.rdatatype.SOA] = soa
            self._ancestors = None
        self._origins[origin] = _rrset(origin, soa)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(2)
                wire = await reader.readexactly(struct.unpack("!H", header)[0])
                reply = await self._answer(wire, "tcp")
                if reply is None:
                    continue
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


class _MasterFile:
    """What dnspython's zone-file Reader writes into: unlike a Zone it keeps records of any owner
    and SOAs at several origins, since one text may hold several zones."""

    def __init__(self, origin: dns.name.Name | None) -> None:
        # The root as the reader's zone, so that no name is skipped for lying outside `origin`.
        self.manager = dns.zonefile.RRSetsReaderManager(dns.name.root, False, IN)
        self.origins: list[dns.name.Name] = [origin] if origin else []
        self.rdatasets: dict[tuple[dns.name.Name, int], dns.rdataset.Rdataset] = {}

    def check_put_rdataset(self, check: object) -> None:
        pass

    def _set_origin(self, origin: dns.name.Name) -> None:
        self.origins.append(origin)

    def add(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> None:
        key = (name, _slot(rdata))
        rdataset = self.rdatasets.setdefault(
            key, dns.rdataset.Rdataset(rdata.rdclass, rdata.rdtype, rdata.covers())
        )
        rdataset.add(rdata, ttl)
        if rdata.rdtype == dns.rdatatype.SOA and name not in self.origins:
            self.origins.append(name)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsTestServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await self.server._answer(data, "udp")
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)


def _slot(rdata: dns.rdata.Rdata) -> int:
    """Where a record is kept at its name: its type, or for an RRSIG, _SIGNATURES plus the covered type."""
    return _SIGNATURES + rdata.covers() if rdata.rdtype == dns.rdatatype.RRSIG else int(rdata.rdtype)


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)
    return rrset


def _key(name: dns.name.Name) -> str:
    text: str = name.to_text(omit_final_dot=True).lower()
    return text or "."


def zone(origin: str, records: Iterable[str]) -> str:
    """Master-file text for `origin` from record lines (a small convenience for tests)."""
    return "\n".join([f"$ORIGIN {origin.rstrip('.')}.", *records])
