"""A harness like the one issue #13 is judged by: about twenty domains on the test nameserver, fake
blocklist zones, one loopback HTTPS server answering every domain's MTA-STS policy (a test authority
trusted through SSL_CERT_FILE) and zones signed in-process. Each case says what a careful admin expects
of the audit (error/warning findings, info findings, overall), written before the audit ran.

Used by tests/dns/test_dns_harness_like.py and bench/checks_vs_checkdmarc.py.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field

from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world
from tests.support.dnssec_zones import DAY, other_ds, sign
from tests.support.local_servers import CertAuthority, LoopbackServer

LIST_ZONES = {
    "zen": "zen.fake-bl.test",
    "spamcop": "spamcop.fake-bl.test",
    "barracuda": "barracuda.fake-bl.test",
    "dbl": "dbl.fake-bl.test",
    "surbl": "surbl.fake-bl.test",
}
CLEAN_IP = "203.0.113.5"
"""Sending IPs are in 203.0.113.0/25, which Alibaba Mail's SPF include authorises in the test zones."""
ALIBABA = """
@              MX     5 mx1.qiye.aliyun.com.
@              MX     10 mx2.qiye.aliyun.com.
@              MX     15 mx3.qiye.aliyun.com.
@              TXT    "v=spf1 include:spf.qiye.aliyun.com -all"
mail           CNAME  qiye.aliyun.com.
"""
DMARC_REJECT = '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{domain}"'
STS = """
_mta-sts       TXT    "v=STSv1; id=20261202"
mta-sts        A      127.0.0.1
"""
TLSRPT = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{domain}"'
BIMI = '''default._bimi TXT "v=BIMI1; l=https://{domain}/logo.svg; a=https://{domain}/vmc.pem"'''
ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 604800\r\n"
OPTIONAL_ABSENT = frozenset(
    {"mta_sts.not-published", "tls_rpt.not-published", "bimi.not-published", "dnssec.unsigned"}
)


@dataclass(frozen=True)
class Policy:
    status: int = 200
    body: str = ENFORCE
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Case:
    domain: str
    description: str
    records: str
    """Zone lines after $ORIGIN (`{domain}` filled in)."""
    overall: str
    codes: frozenset[str] = frozenset()
    """Error and warning findings expected, and only these."""
    info: frozenset[str] = frozenset()
    """Info findings expected among others."""
    sending_ip: tuple[str, ...] = (CLEAN_IP,)
    policy: Policy | None = None
    in_certificate: bool = True
    """Whether the policy server's certificate names this domain's mta-sts host."""
    dnssec: str | None = None
    """None (unsigned), secure, mismatch, island, expired."""
    list_entries: dict[str, str] = field(default_factory=dict)
    """Query name (relative to the fake list zones' parent) -> A record, or "drop"."""


def _case(domain: str, description: str, records: str, overall: str, **options: object) -> Case:
    codes = frozenset(str(options.pop("codes", "")).split())
    info = frozenset(str(options.pop("info", "")).split())
    return Case(domain, description, records, overall, codes, info, **options)  # type: ignore[arg-type]


FULL = ALIBABA + DMARC_REJECT + "\n" + STS + TLSRPT + "\n" + BIMI + "\n"
CASES: tuple[Case, ...] = (
    _case(
        "ok-all.test",
        "everything right: signed, MTA-STS enforce, TLS-RPT, BIMI, clean IP",
        FULL,
        "ok",
        policy=Policy(),
        dnssec="secure",
    ),
    _case(
        "ok-minimal.test",
        "Alibaba Mail right, no optional feature",
        ALIBABA + DMARC_REJECT,
        "ok",
        info=" ".join(sorted(OPTIONAL_ABSENT)),
    ),
    _case(
        "bl-sbl.test",
        "sending IP on ZEN SBL",
        FULL,
        "problem",
        codes="blocklist.listed",
        policy=Policy(),
        sending_ip=("203.0.113.20",),
        list_entries={"20.113.0.203.zen": "127.0.0.2"},
    ),
    _case(
        "bl-pbl.test",
        "sending IP on the PBL",
        FULL,
        "problem",
        codes="blocklist.policy-listed",
        policy=Policy(),
        sending_ip=("203.0.113.21",),
        list_entries={"21.113.0.203.zen": "127.0.0.10"},
    ),
    _case(
        "bl-refused.test",
        "Spamhaus refuses: public resolver",
        FULL,
        "ok",
        info="blocklist.unverified",
        policy=Policy(),
        sending_ip=("203.0.113.22",),
        list_entries={"22.113.0.203.zen": "127.255.255.254", "bl-refused.test.dbl": "127.255.255.254"},
    ),
    _case(
        "bl-excess.test",
        "Spamhaus refuses: too many queries",
        FULL,
        "ok",
        info="blocklist.unverified",
        policy=Policy(),
        sending_ip=("203.0.113.23",),
        list_entries={"23.113.0.203.zen": "127.255.255.255"},
    ),
    _case(
        "bl-timeout.test",
        "a list never answers",
        FULL,
        "ok",
        info="blocklist.unverified",
        policy=Policy(),
        sending_ip=("203.0.113.24",),
        list_entries={"24.113.0.203.barracuda": "drop"},
    ),
    _case(
        "bl-dbl.test",
        "the domain on the DBL",
        FULL,
        "problem",
        codes="blocklist.listed",
        policy=Policy(),
        list_entries={"bl-dbl.test.dbl": "127.0.1.2"},
    ),
    _case(
        "bl-v6.test",
        "an IPv6 sending address on ZEN (and, SPF naming IPv4 only, not authorised)",
        FULL,
        "problem",
        codes="blocklist.listed spf.ip-not-authorized",
        policy=Policy(),
        sending_ip=("2001:db8::25",),
        list_entries={"5.2.0.0." + "0.0.0.0." * 5 + "8.b.d.0.1.0.0.2.zen": "127.0.0.4"},
    ),
    _case(
        "sts-uncovered.test",
        "enforce policy names only mx1",
        FULL,
        "problem",
        codes="mta_sts.mx-not-covered",
        policy=Policy(
            body="version: STSv1\r\nmode: enforce\r\nmx: mx1.qiye.aliyun.com\r\nmax_age: 604800\r\n"
        ),
    ),
    _case(
        "sts-testing.test",
        "testing policy names only mx1",
        FULL,
        "problem",
        codes="mta_sts.mx-not-covered",
        info="mta_sts.testing",
        policy=Policy(
            body="version: STSv1\r\nmode: testing\r\nmx: mx1.qiye.aliyun.com\r\nmax_age: 604800\r\n"
        ),
    ),
    _case(
        "sts-badid.test",
        "the _mta-sts id has a dash",
        FULL.replace("id=20261202", "id=2026-12-02"),
        "problem",
        codes="mta_sts.record-invalid",
        policy=Policy(),
    ),
    _case(
        "sts-404.test",
        "the policy URL answers 404",
        FULL,
        "problem",
        codes="mta_sts.policy-unavailable",
        policy=Policy(status=404, body="not found"),
    ),
    _case(
        "sts-cert.test",
        "the policy host's certificate names another host",
        FULL,
        "problem",
        codes="mta_sts.policy-certificate",
        policy=Policy(),
        in_certificate=False,
    ),
    _case(
        "sts-short.test",
        "max_age of an hour",
        FULL,
        "problem",
        codes="mta_sts.max-age-short",
        policy=Policy(body="version: STSv1\r\nmode: enforce\r\nmx: *.qiye.aliyun.com\r\nmax_age: 3600\r\n"),
    ),
    _case(
        "tlsrpt-bad.test",
        "TLS-RPT reports to an http URL",
        FULL.replace("mailto:tls@{domain}", "http://r.example.test/t"),
        "problem",
        codes="tls_rpt.invalid",
        policy=Policy(),
    ),
    _case(
        "bimi-none.test",
        "BIMI with DMARC at p=none",
        FULL.replace("p=reject", "p=none"),
        "problem",
        codes="bimi.dmarc-not-enforced",
        info="dmarc.policy-none",
        policy=Policy(),
    ),
    _case(
        "bimi-http.test",
        "BIMI logo over http",
        FULL.replace("l=https://", "l=http://"),
        "problem",
        codes="bimi.invalid",
        policy=Policy(),
    ),
    _case(
        "dnssec-mismatch.test",
        "DS names a key the zone does not publish",
        ALIBABA + DMARC_REJECT,
        "problem",
        codes="dnssec.ds-mismatch",
        dnssec="mismatch",
    ),
    _case(
        "dnssec-expired.test",
        "signatures expired yesterday",
        ALIBABA + DMARC_REJECT,
        "problem",
        codes="dnssec.signature-expired",
        dnssec="expired",
    ),
    _case(
        "dnssec-island.test",
        "signed, no DS at the parent",
        ALIBABA + DMARC_REJECT,
        "ok",
        info="dnssec.no-ds",
        dnssec="island",
    ),
)


def zone_text(case: Case) -> str:
    body = f"$ORIGIN {case.domain}.\n@ NS ns1.{case.domain}.\nns1 A 127.0.0.1\n" + case.records.replace(
        "{domain}", case.domain
    )
    if case.dnssec is None:
        return body
    now = time.time()
    if case.dnssec == "expired":
        return sign(body, case.domain, inception=now - 40 * DAY, expiration=now - DAY).text
    return sign(body, case.domain).text


def serve(server: DnsTestServer) -> DnsTestServer:
    """Every case's zone (signed where it says), DS records, list zones and list entries."""
    serve_world(server)
    for zone in LIST_ZONES.values():
        server.add_origin(zone)
    for case in CASES:
        text = zone_text(case)
        server.add_zone(text)
        if case.dnssec in ("secure", "expired"):
            server.add(f"{case.domain}.", "DS", _ds_of(text, case.domain))
        elif case.dnssec == "mismatch":
            server.add(f"{case.domain}.", "DS", other_ds(case.domain))
        for name, answer in case.list_entries.items():
            label, _, list_id = name.rpartition(".")
            query = f"{label}.{LIST_ZONES[list_id]}."
            if answer == "drop":
                server.add(query, "A", "127.0.0.2")  # listed, but the answer never comes
                server.set_fault(query, drop=True)
            else:
                server.add(query, "A", answer)
    return server


def _ds_of(text: str, origin: str) -> str:
    import dns.dnssec
    import dns.zone

    zone = dns.zone.from_text(text, origin=origin + ".", relativize=False)
    key = next(iter(zone.find_rdataset(origin + ".", "DNSKEY")))
    return str(dns.dnssec.make_ds(origin + ".", key, "SHA256").to_text())


class PolicyServer(LoopbackServer):
    """One loopback HTTPS server for every case's MTA-STS policy, chosen by the Host header; its
    certificate names every mta-sts host except those of cases with `in_certificate=False`."""

    def __init__(self, authority: CertAuthority) -> None:
        names = [f"mta-sts.{c.domain}" for c in CASES if c.policy is not None and c.in_certificate]
        self.tls = authority.server_context(*names)
        self.policies = {f"mta-sts.{c.domain}": c.policy for c in CASES if c.policy is not None}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readline()
            host = ""
            while (line := (await reader.readline()).decode().rstrip("\r\n")) != "":
                if line.lower().startswith("host:"):
                    host = line.split(":", 1)[1].strip()
            policy = self.policies.get(host, Policy(status=404, body="no such policy"))
            body = policy.body.encode()
            head = [
                f"HTTP/1.1 {policy.status} X",
                f"Content-Length: {len(body)}",
                f"Content-Type: {policy.content_type}",
                "Connection: close",
            ]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
