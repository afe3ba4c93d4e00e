"""DNSSEC arithmetic on records in presentation form: key tags, DS digests against DNSKEYs, and one
RRSIG checked against a record set and the zone's keys (its validity window and its signature).

Loads dns.dnssec and `cryptography` (about a quarter of a second the first time): check.py imports it
only when a zone publishes DS or DNSKEY records, and off the event loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dns.dnssec
import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
from dns.exception import UnsupportedAlgorithm, ValidationFailure
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.RRSIG import RRSIG

IN = dns.rdataclass.IN
_PERMISSIVE = dns.dnssec.allow_all_policy
"""What the zone uses is judged from skills/mail_standards.yaml, not refused by dnspython's policy."""


@dataclass(frozen=True)
class Key:
    record: DNSKEY
    tag: int


@dataclass(frozen=True)
class Digest:
    record: DS
    text: str
    matches: bool | None
    """None: a digest type not computed here."""


@dataclass(frozen=True)
class Checked:
    covers: str
    key_tag: int
    algorithm: int
    signer: str
    inception: int
    expiration: int
    state: str
    """valid, expiring, expired, not-yet-valid, unknown-key, invalid (see models.SignatureState)."""


def keys(texts: tuple[str, ...]) -> list[Key]:
    out = []
    for text in texts:
        try:
            record = dns.rdata.from_text(IN, dns.rdatatype.DNSKEY, text)
        except dns.exception.DNSException:
            continue
        assert isinstance(record, DNSKEY)
        out.append(Key(record, dns.dnssec.key_id(record)))
    return out


def digests(zone: str, texts: tuple[str, ...], published: list[Key], names: dict[int, str]) -> list[Digest]:
    """Each DS record compared with the DS of every published key of the same tag and algorithm."""
    out = []
    for text in texts:
        try:
            record = dns.rdata.from_text(IN, dns.rdatatype.DS, text)
        except dns.exception.DNSException:
            continue
        assert isinstance(record, DS)
        out.append(Digest(record, text, _matches(zone, record, published, names)))
    return out


def _matches(zone: str, ds: DS, published: list[Key], names: dict[int, str]) -> bool | None:
    if ds.digest_type not in names:
        return None
    candidates = [k for k in published if k.tag == ds.key_tag and k.record.algorithm == ds.algorithm]
    for key in candidates:
        made = dns.dnssec.make_ds(
            dns.name.from_text(zone), key.record, names[ds.digest_type], policy=_PERMISSIVE, validating=True
        )
        if made.digest == ds.digest:
            return True
    return False


def check_signature(
    owner: str,
    rdtype: str,
    rdata: tuple[str, ...],
    signature: str,
    zone: str,
    published: list[Key],
    *,
    now: float,
    expiring_s: float,
) -> Checked | None:
    """One RRSIG's state for the record set `rdata` at `owner`: its window first (expired, not yet
    valid, expiring soon), then whether a published key of its tag made it (unknown-key, invalid)."""
    try:
        rrsig = dns.rdata.from_text(IN, dns.rdatatype.RRSIG, signature)
        kind = dns.rdatatype.from_text(rdtype)
        rrset = dns.rrset.from_text_list(dns.name.from_text(owner), 0, IN, kind, list(rdata))
    except dns.exception.DNSException:
        return None
    assert isinstance(rrsig, RRSIG)
    state = _window(rrsig, now, expiring_s)
    signer = str(rrsig.signer.to_text(omit_final_dot=True)).lower()
    if signer == zone and state in ("valid", "expiring"):
        state = _verified(rrset, rrsig, zone, published) or state
    return Checked(
        covers=dns.rdatatype.to_text(rrsig.type_covered),
        key_tag=rrsig.key_tag,
        algorithm=int(rrsig.algorithm),
        signer=signer,
        inception=rrsig.inception,
        expiration=rrsig.expiration,
        state=state,
    )


def _window(rrsig: RRSIG, now: float, expiring_s: float) -> str:
    if rrsig.expiration < now:
        return "expired"
    if rrsig.inception > now:
        return "not-yet-valid"
    return "expiring" if rrsig.expiration - now < expiring_s else "valid"


def _verified(rrset: dns.rrset.RRset, rrsig: RRSIG, zone: str, published: list[Key]) -> str | None:
    """None when a published key made the signature; else why not."""
    candidates = [
        k.record for k in published if k.tag == rrsig.key_tag and k.record.algorithm == rrsig.algorithm
    ]
    if not candidates:
        return "unknown-key"
    keyset = dns.rdataset.Rdataset(IN, dns.rdatatype.DNSKEY)
    for candidate in candidates:
        keyset.add(candidate, 0)
    inside = float(rrsig.inception)  # the window was checked apart: only the signature is judged here
    try:
        dns.dnssec.validate_rrsig(
            rrset, rrsig, {dns.name.from_text(zone): keyset}, now=inside, policy=_PERMISSIVE
        )
    except UnsupportedAlgorithm:
        return "not-checked"
    except ValidationFailure:
        return "invalid"
    return None


def utc(stamp: int) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
