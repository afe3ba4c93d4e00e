"""Zones for the DNS check tests and the bench: the providers' hosts (tests/zones/*.zone) and
variants of the correct domain good.test, each breaking one thing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.dns_server import DnsTestServer

ZONES = Path(__file__).parent / "zones"
DOMAIN_ZONES = ("good.test", "broken.test")


def serve_world(server: DnsTestServer, *domains: str) -> DnsTestServer:
    """Serve the providers' zones and the given domain zone texts; reports.test (an external DMARC
    report receiver) authorises each of these domains."""
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
