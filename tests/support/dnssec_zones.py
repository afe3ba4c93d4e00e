"""Signed zones for the DNSSEC tests and the bench: a zone text signed in-process with dnspython's
dns.dnssec (keys made here with `cryptography`), its DS record, and ways to break it (a DS for another
key, signatures outside their validity window, a record changed after signing)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

DAY = 86_400


@dataclass(frozen=True)
class SignedZone:
    origin: str
    text: str
    """The signed zone as master-file text (with $ORIGIN), DNSKEY and RRSIG records included."""
    ds: str
    """The DS record (presentation form) matching the zone's key, for the parent."""
    dnskey: str


def new_key() -> tuple[ec.EllipticCurvePrivateKey, dns.rdata.Rdata]:
    """A P-256 key (algorithm 13) with the SEP flag: it signs both the keys and the records."""
    private = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(private.public_key(), "ECDSAP256SHA256", flags=257)
    return private, dnskey


def sign(
    text: str,
    origin: str,
    *,
    inception: float | None = None,
    expiration: float | None = None,
    key: tuple[ec.EllipticCurvePrivateKey, dns.rdata.Rdata] | None = None,
) -> SignedZone:
    """`text` (records relative to `origin`) signed with a fresh key, valid from an hour ago for 30 days
    unless `inception`/`expiration` (UNIX times) say otherwise."""
    now = time.time()
    origin = origin.rstrip(".") + "."
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    private, dnskey = key or new_key()
    dns.dnssec.sign_zone(
        zone,
        keys=[(private, dnskey)],  # type: ignore[list-item]
        inception=inception if inception is not None else now - 3600,
        expiration=expiration if expiration is not None else now + 30 * DAY,
    )
    ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
    body = zone.to_text(relativize=False)
    return SignedZone(origin, f"$ORIGIN {origin}\n{body}", ds.to_text(), dnskey.to_text())


def other_ds(origin: str) -> str:
    """A DS record for a key the zone does not publish."""
    _, dnskey = new_key()
    return dns.dnssec.make_ds(origin.rstrip(".") + ".", dnskey, "SHA256").to_text()


def minimal(origin: str, *records: str) -> str:
    """A zone text with an SOA and NS at `origin` and `records`, ready for `sign`."""
    apex = origin.rstrip(".") + "."
    return "\n".join(
        [
            f"$ORIGIN {apex}",
            "@ 300 IN SOA ns1.invalid. hostmaster.invalid. 1 3600 600 86400 300",
            "@ 300 IN NS ns1.invalid.",
            *records,
        ]
    )
