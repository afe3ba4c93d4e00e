"""Zones for the DNS check tests and the bench: the providers' hosts (tests/support/zones/*.zone) and
variants of the correct domain good.test, each breaking one thing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.support.dns_server import DnsTestServer

ZONES = Path(__file__).parent / "zones"
DOMAIN_ZONES = ("good.test", "broken.test")


def serve_blocklists(server: DnsTestServer) -> DnsTestServer:
    """Serve the public blocklists' zones (skills/blocklists.yaml) empty: every lookup is an
    authoritative NXDOMAIN, "not listed", as from a resolver that reaches the lists. List entries are
    added with `server.add(<query name>, "A", "127.0.0.2")`."""
    from alimail_mcp.dns.blocklist.lists import load_blocklists

    for blocklist in load_blocklists().lists:
        server.add_origin(blocklist.zone)
    return server


def serve_world(server: DnsTestServer, *domains: str) -> DnsTestServer:
    """Serve the providers' zones, the blocklists' (empty) and the given domain zone texts; reports.test
    (an external DMARC report receiver) authorises each of these domains."""
    serve_blocklists(server)
    for path in sorted(ZONES.glob("*.zone")):
        if path.stem not in DOMAIN_ZONES:
            server.add_zone(path.read_text())
    for text in domains:
        server.add_zone(text)
        origin = next(line.split()[1] for line in text.splitlines() if line.startswith("$ORIGIN"))
        server.add(f"{origin}_report._dmarc.reports.test.", "TXT", '"v=DMARC1"')
    return server


def zone_file(name: str) -> str:
    return (ZONES / f"{name}.zone").read_text()


def variant(origin: str, *, without: Iterable[str] = (), extra: str = "") -> str:
    """good.test's zone moved to `origin`, minus records `without` ("@ MX", "_dmarc TXT"), plus `extra`."""
    drop = {tuple(w.split()) for w in without}
    lines = []
    for line in zone_file("good.test").splitlines():
        fields = line.split()
        if line.startswith(";") or (len(fields) > 1 and (fields[0], fields[1]) in drop):
            continue
        lines.append(line)
    text = "\n".join(lines).replace("good.test", origin)
    return f"{text}\n{extra}\n"


# --- held-out-like domains (tests/support/zones/heldout_like) -------------------------------------

HELDOUT_LIKE = ZONES / "heldout_like"


@dataclass(frozen=True)
class ExpectedAudit:
    """One held-out-like domain and what a careful admin expects of its audit, written before running it
    (in the zone file's header: `; expect-overall:`, `; expect-codes:` (error/warning findings),
    `; expect-info:` (info findings), optional `; options: selectors=a,b`)."""

    domain: str
    description: str
    zone: str
    overall: str
    codes: frozenset[str]
    info: frozenset[str]
    selectors: tuple[str, ...] = ()


def heldout_like_cases() -> list[ExpectedAudit]:
    cases = []
    for path in sorted(HELDOUT_LIKE.glob("*.zone")):
        text = path.read_text()
        header = {
            key.strip(): value.strip()
            for key, _, value in (
                line[1:].partition(":") for line in text.splitlines() if line.startswith("; ") and ":" in line
            )
        }
        options = dict(o.split("=", 1) for o in header.get("options", "").split() if "=" in o)
        cases.append(
            ExpectedAudit(
                domain=path.stem,
                description=text.splitlines()[0].lstrip("; "),
                zone=text,
                overall=header["expect-overall"],
                codes=frozenset(header.get("expect-codes", "").split()),
                info=frozenset(header.get("expect-info", "").split()),
                selectors=tuple(s for s in options.get("selectors", "").split(",") if s),
            )
        )
    return cases


def serve_heldout_like(server: DnsTestServer, *, providers: bool = True) -> DnsTestServer:
    """Every held-out-like domain zone; with `providers`, also the providers' zones
    (tests/support/zones/*.zone and heldout_like/providers/*.zone) and reports.test's authorisation of
    each domain."""
    domains = [case.zone for case in heldout_like_cases()]
    if not providers:
        for text in domains:
            server.add_zone(text)
        return server
    serve_world(server, *domains)
    for path in sorted((HELDOUT_LIKE / "providers").glob("*.zone")):
        server.add_zone(path.read_text())
    return server
