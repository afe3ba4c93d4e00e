"""The OpenSPF RFC 7208 test suite (../shared/conformance/spf/rfc7208-tests.yml), every case through
the real resolver path: each scenario's zone data is served by the test nameserver.

Suite conventions: an SPF-type entry also publishes a TXT record unless the name lists TXT itself
(`TXT: NONE` means no TXT at all); `TIMEOUT` makes the name's questions of every type it does not
list go unanswered. Expected explanations compare case-insensitively (the suite writes the IPv6
nibbles of %{ir} upper-case; RFC 7208 7.3 leaves the case of the nibbles open).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import pytest
import yaml

from alimail_mcp.config import Nameserver, Settings
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.spf.evaluate import check_mail_from
from tests.support.dns_server import DnsTestServer

SUITE = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "spf" / "rfc7208-tests.yml"
ASKED_TYPES = ("TXT", "SPF", "A", "AAAA", "MX", "PTR", "CNAME")


def _scenarios() -> list[dict[str, Any]]:
    if not SUITE.is_file():
        return []
    return [doc for doc in yaml.safe_load_all(SUITE.read_text(encoding="utf-8")) if doc]


SCENARIOS = _scenarios()
CASES = [
    pytest.param(index, name, case, id=f"{index:02d}-{name}")
    for index, scenario in enumerate(SCENARIOS)
    for name, case in scenario["tests"].items()
]


@pytest.fixture(scope="module")
def server() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        yield server


def _bytes(text: str) -> bytes:
    """The suite writes raw bytes as \\xNN escapes, which YAML reads as code points below 256."""
    return text.encode("latin-1") if all(ord(c) < 256 for c in text) else text.encode("utf-8")


def _txt(value: str | list[str]) -> dns.rdata.Rdata:
    strings = [value] if isinstance(value, str) else list(value)
    return dns.rdtypes.ANY.TXT.TXT(
        dns.rdataclass.IN, dns.rdatatype.TXT, [_bytes(s) for s in strings] or [b""]
    )


def load_zonedata(server: DnsTestServer, zonedata: dict[str, list[Any]]) -> None:
    server.clear()
    server.add_origin(".")
    for name, entries in zonedata.items():
        listed = {next(iter(e)) for e in entries if isinstance(e, dict)}
        for entry in entries:
            if entry == "TIMEOUT":
                continue
            ((kind, value),) = entry.items()
            if value == "NONE":
                continue
            if kind in ("SPF", "TXT"):
                if kind == "TXT" or "TXT" not in listed:
                    server.add(name, "TXT", _txt(value))
                if kind == "SPF":
                    server.add(name, "SPF", _txt(value).to_text())
            elif kind == "MX":
                priority, host = value
                server.add(name, "MX", f"{priority} {host.rstrip('.') + '.' if host else '.'}")
            elif kind in ("PTR", "CNAME"):
                server.add(name, kind, value.rstrip(".") + ".")
            else:
                server.add(name, kind, str(value))
        if "TIMEOUT" in entries:
            served = listed | ({"TXT"} if "SPF" in listed else set())
            for kind in ASKED_TYPES:
                if kind not in served or any(e == {kind: "NONE"} for e in entries if isinstance(e, dict)):
                    server.set_fault(name, kind, drop=True)


@pytest.mark.skipif(not SCENARIOS, reason=f"SPF conformance suite not found at {SUITE} (../shared absent)")
@pytest.mark.parametrize(("scenario", "name", "case"), CASES)
async def test_rfc7208_suite(server: DnsTestServer, scenario: int, name: str, case: dict[str, Any]) -> None:
    load_zonedata(server, SCENARIOS[scenario]["zonedata"])
    settings = Settings(resolvers=(Nameserver(server.host, server.port),), dns_timeout=1.0, dns_budget=20)
    client = ResolverClient.from_settings(settings)
    result = await check_mail_from(client, case["host"], case["mailfrom"], case["helo"])
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    assert result.result in expected, f"{case.get('description', '')} -> {result.reason}"
    if "explanation" in case and result.result == "fail":
        wanted = case["explanation"]
        if wanted == "DEFAULT":
            assert result.explanation is None
        else:
            assert (result.explanation or "").lower() == wanted.lower()


def test_suite_is_found_or_skipped_loudly() -> None:
    if not SCENARIOS:
        pytest.skip(f"SPF conformance suite not found at {SUITE} (../shared absent)")
    assert len(CASES) > 100
