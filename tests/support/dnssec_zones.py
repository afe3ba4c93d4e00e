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
from cryptography.hazmat.primitives.asymmetric import ec, rsa

DAY = 86_400
Key = tuple[ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, dns.rdata.Rdata]


@dataclass(frozen=True)
class SignedZone:
    origin: str
    text: str
    """The signed zone as master-file text (with $ORIGIN), DNSKEY and RRSIG records included."""
    ds: str
    """The DS record (presentation form) matching the zone's key, for the parent."""
    dnskey: str


def new_key(algorithm: str = "ECDSAP256SHA256", *, flags: int = 257) -> Key:
    """A key (P-256, algorithm 13, unless `algorithm` says RSASHA1 or RSASHA256); with the SEP flag (257)
    it signs the key set, and the records too when it is the zone's only key."""
    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm.startswith("RSA"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return private, dns.dnssec.make_dnskey(private.public_key(), algorithm, flags=flags)


def sign(
    text: str,
    origin: str,
    *,
    inception: float | None = None,
    expiration: float | None = None,
    key: Key | None = None,
    record_key: Key | None = None,
    publish_record_key: bool = True,
) -> SignedZone:
    """`text` (records relative to `origin`) signed with a fresh key, valid from an hour ago for 30 days
    unless `inception`/`expiration` (UNIX times) say otherwise. `record_key`: a second key (no SEP flag)
    that signs every record set but the keys; left out of the DNSKEY set unless `publish_record_key`."""
    now = time.time()
    origin = origin.rstrip(".") + "."
    zone = dns.zone.from_text(f"$TTL 300\n{text}", origin=origin, relativize=False, check_origin=False)
    private, dnskey = key or new_key()
    keys = [(private, dnskey)] + ([record_key] if record_key else [])
    published = [k for k in keys if publish_record_key or k is not record_key]
    apex = dns.name.from_text(origin)
    with zone.writer() as txn:
        if txn.get(apex, dns.rdatatype.SOA) is None:
            soa = "ns1.invalid. hostmaster.invalid. 1 3600 600 86400 300"
            txn.add(apex, 300, dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, soa))
        for _, public in published:
            txn.add(apex, 300, public)
    dns.dnssec.sign_zone(
        zone,
        keys=keys,  # type: ignore[arg-type]
        add_dnskey=False,
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


def ds_of(origin: str, key: Key) -> str:
    """The DS record (SHA-256) of `key`."""
    return dns.dnssec.make_ds(origin.rstrip(".") + ".", key[1], "SHA256").to_text()
