"""Result models of the DNSSEC check. Plain pydantic: importing this never loads dnspython."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dns.models import CheckResult

SignatureState = Literal[
    "valid", "expiring", "expired", "not-yet-valid", "unknown-key", "invalid", "not-checked"
]


class DnsKey(BaseModel):
    key_tag: int
    flags: int
    algorithm: int
    secure_entry_point: bool
    """The SEP flag (257): a key-signing key, the one a DS usually names."""


class DelegationSigner(BaseModel):
    """One DS record at the parent and the key it names."""

    record: str
    key_tag: int
    algorithm: int
    digest_type: int
    matches: bool | None
    """True: a published DNSKEY has this digest; False: none has; None: a digest type not computed."""


class Signature(BaseModel):
    """One RRSIG on a record set the audit read."""

    name: str
    covers: str
    key_tag: int
    algorithm: int
    signer: str
    inception: str
    """UTC, ISO 8601."""
    expiration: str
    state: SignatureState


class DnssecCheck(CheckResult):
    zone: str | None = None
    """The signed zone the domain's records belong to (the domain, or its organisational domain)."""
    signed: bool = False
    """The zone publishes DNSKEY records."""
    delegation: list[DelegationSigner] = Field(default_factory=list)
    """The DS records at the parent."""
    keys: list[DnsKey] = Field(default_factory=list)
    chain: Literal["secure", "broken", "island", "unsigned", "unknown"] = "unknown"
    """secure: a DS names a published key that signs the key set; broken: validating resolvers fail;
    island: signed but no DS at the parent, so resolvers treat it as unsigned."""
    signatures: list[Signature] = Field(default_factory=list)
    validated: bool | None = None
    """The resolver set the AD flag on the domain's answers (None: the zone is not signed)."""
