"""SPF check_host() for thousands of addresses against one domain, each verdict from the evaluator
itself (dns/spf/evaluate.py) on live DNS, without evaluating addresses it cannot tell apart twice.

When no term a domain's records reach depends on the address itself (no `ptr`, no macro of the
address: %{i}, %{p}, %{v}), check_host() asks the same questions for every address and the only thing
that differs is which of the published networks (ip4/ip6 terms, the addresses of `a` and `mx` terms
with their prefix lengths) the address falls in. Cut the address space at every network's first and
last address: within one piece every address is in the same networks, takes the same path through
the records and gets the same result. So the records are read once, each address is placed in its
piece by a binary search, and check_host() runs once per piece that holds an address. Where a term
does depend on the address, every address is evaluated on its own (the most-sending first, up to
`MAX_SINGLE`).
"""

from __future__ import annotations

import asyncio
import bisect
import ipaddress
import socket
from collections.abc import Sequence
from functools import lru_cache

from alimail_mcp.dns.client import DnsClient
from alimail_mcp.dns.spf import macros
from alimail_mcp.dns.spf.evaluate import check_host, parse_ip
from alimail_mcp.dns.spf.models import SpfResultCode
from alimail_mcp.dns.spf.record import Mechanism, SpfRecord, SpfSyntaxError, parse_record, spf_records

MAX_RECORDS = 50
"""Records read to collect the networks (as many as the SPF check's walk reads)."""
MAX_SINGLE = 2000
"""Addresses evaluated one by one when the records depend on the address."""
CONCURRENCY = 32
_ADDRESS_LETTERS = frozenset("ipvcrt")
"""Macro letters whose value depends on the address (c, r, t cannot appear in a domain, but say so)."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_MAPPED_PREFIX = bytes(10) + b"\xff\xff"


async def check_many(client: DnsClient, domain: str, addresses: Sequence[str]) -> dict[str, SpfResultCode]:
    """check_host(address, domain) for each address (most important first); an address left out of
    the answer was not evaluated (past MAX_SINGLE when the records depend on the address)."""
    if not addresses:
        return {}
    networks = await published_networks(client, domain)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(address: str) -> SpfResultCode:
        async with gate:
            return (await check_host(client, address, domain)).result

    if networks is None:
        chosen = list(addresses[:MAX_SINGLE])
        results = await asyncio.gather(*(one(a) for a in chosen))
        return dict(zip(chosen, results, strict=True))
    pieces = Pieces(networks)
    groups: dict[tuple[int, int], list[str]] = {}
    for address in addresses:
        groups.setdefault(pieces.key(address), []).append(address)
    verdicts = await asyncio.gather(*(one(members[0]) for members in groups.values()))
    out: dict[str, SpfResultCode] = {}
    for members, verdict in zip(groups.values(), verdicts, strict=True):
        out.update(dict.fromkeys(members, verdict))
    return out


class Pieces:
    """The address space cut at the edges of `networks`: addresses with the same key lie in the
    same networks."""

    def __init__(self, networks: Sequence[Network]) -> None:
        edges: dict[int, set[int]] = {4: set(), 6: set()}
        for network in networks:
            first = int(network.network_address)
            edges[network.version].update((first, first + network.num_addresses))
        self._edges = {version: sorted(points) for version, points in edges.items()}

    def key(self, address: str) -> tuple[int, int]:
        version, number = address_number(address)
        return version, bisect.bisect_right(self._edges[version], number)


@lru_cache(maxsize=65_536)
def address_number(address: str) -> tuple[int, int]:
    """(IP version, the address as an integer), an IPv4-mapped IPv6 address as IPv4 (as check_host()
    takes it). The socket module's parser: ipaddress is ten times slower, and a report has thousands."""
    try:
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big")
    except OSError:
        pass
    try:
        packed = socket.inet_pton(socket.AF_INET6, address)
    except OSError:
        ip = parse_ip(address)  # raises InputError for what is no address at all
        return ip.version, int(ip)
    if packed[:12] == _MAPPED_PREFIX:
        return 4, int.from_bytes(packed[12:], "big")
    return 6, int.from_bytes(packed, "big")


async def published_networks(client: DnsClient, domain: str) -> list[Network] | None:
    """Every network the records reachable from `domain` can match, or None when a term depends on
    the address (or there are more records than MAX_RECORDS to read)."""
    sender = f"postmaster@{domain}"
    networks: list[Network] = []
    seen: set[str] = set()
    level = [domain]
    while level:
        level = [name for name in dict.fromkeys(level) if name not in seen]
        seen.update(level)
        if len(seen) > MAX_RECORDS:
            return None
        records = await asyncio.gather(*(_record(client, name) for name in level))
        following: list[str] = []
        for name, record in zip(level, records, strict=True):
            if record is None:
                continue
            found = await _terms(client, record, name, sender, networks)
            if found is None:
                return None
            following += found
        level = following
    return networks


async def _record(client: DnsClient, name: str) -> SpfRecord | None:
    """The name's one SPF record, when it has one that parses (anything else ends the evaluation the
    same way for every address)."""
    answer = await client.query(name, "TXT")
    texts = spf_records(answer.records) if answer.outcome.conclusive else []
    if len(texts) != 1:
        return None
    try:
        return parse_record(texts[0])
    except SpfSyntaxError:
        return None


async def _terms(
    client: DnsClient, record: SpfRecord, domain: str, sender: str, networks: list[Network]
) -> list[str] | None:
    """Add the networks of the record's terms; the names it includes or redirects to; None when a term
    depends on the address."""
    following: list[str] = []
    for term in record.terms:
        if not isinstance(term, Mechanism) and term.name != "redirect":
            continue  # exp= and unknown modifiers change no result
        spec = term.domain
        if term.name == "ptr" or (spec is not None and _ADDRESS_LETTERS & macros.letters_used(spec)):
            return None
        target = _target(spec, domain, sender)
        if not isinstance(term, Mechanism):
            if target:
                following.append(target)
            continue
        if term.network is not None:
            networks.append(term.network)
        elif term.name == "include" and target:
            following.append(target)
        elif term.name in ("a", "mx") and target:
            networks += await _host_networks(client, term, target)
    return following


def _target(spec: tuple[macros.Token, ...] | None, domain: str, sender: str) -> str | None:
    if spec is None:
        return domain
    local, _, sender_domain = sender.rpartition("@")
    values = {"s": sender, "l": local, "o": sender_domain, "d": domain, "h": ""}
    return macros.query_name(macros.expand(spec, values))


async def _host_networks(client: DnsClient, term: Mechanism, target: str) -> list[Network]:
    hosts = [target]
    if term.name == "mx":
        answer = await client.query(target, "MX")
        hosts = [record.split(" ", 1)[-1] for record in answer.records[:10]]
    found: list[Network] = []
    for rdtype, length, bits in (("A", term.cidr4, 32), ("AAAA", term.cidr6, 128)):
        answers = await asyncio.gather(*(client.query(host, rdtype) for host in hosts if host != "."))
        for answer in answers:
            for address in answer.records:
                try:
                    found.append(
                        ipaddress.ip_network(f"{address}/{bits if length is None else length}", False)
                    )
                except ValueError:
                    continue
    return found
