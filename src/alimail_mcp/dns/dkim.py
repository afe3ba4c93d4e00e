"""DKIM check: the key records at `<selector>._domainkey.<domain>` (RFC 6376 3.6.1, RFC 8301, RFC 8463).

RSA key sizes come from a small DER reader (SubjectPublicKeyInfo or a bare RSAPublicKey), which is
all a size needs; no cryptography library is loaded for it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from alimail_mcp.dns.client import Answer, DnsClient, Outcome
from alimail_mcp.dns.finding import SKILL_CONFIGURATION, excerpt, fault, make, problem, subject, unverified
from alimail_mcp.dns.models import DkimCheck, DkimKey, status_of
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding, Severity

MIN_RSA_BITS = 1024
"""RFC 8301 3.2: verifiers MUST NOT accept RSA keys under 1024 bits."""
_RSA_OID = bytes.fromhex("2a864886f70d010101")
_ED25519_OID = bytes.fromhex("2b6570")


async def check_dkim(
    client: DnsClient, domain: str, selectors: list[str] | None = None, *, provider: Provider | None = None
) -> DkimCheck:
    provider = provider or load_provider()
    given = bool(selectors)
    tried = list(dict.fromkeys(selectors or provider.dkim.common_selectors))
    answers = await asyncio.gather(*(client.query(f"{s}._domainkey.{domain}", "TXT") for s in tried))
    keys: list[DkimKey] = []
    findings: list[Finding] = []
    for selector, answer in zip(tried, answers, strict=True):
        key, key_findings = _read_selector(selector, answer)
        keys.append(key)
        findings += key_findings
    usable = [k for k in keys if k.valid and not k.revoked]
    unanswered = [k for k in keys if k.found is None]
    if not any(k.found for k in keys) and not unanswered:
        findings.append(_missing(domain, tried, given))
    revoked = [f for f in findings if f.code == "dkim.revoked"]
    for f in revoked:
        f.severity = Severity.INFO if usable else Severity.WARNING
    status = status_of(findings, unreachable=bool(unanswered) and not usable)
    if status == "ok" and not usable:
        status = "warning"
    return DkimCheck(
        status=status,
        records=[k.record for k in keys if k.record],
        findings=findings,
        selectors_given=given,
        keys=keys,
    )


def _read_selector(selector: str, answer: Answer) -> tuple[DkimKey, list[Finding]]:
    key = DkimKey(selector=selector, name=answer.name)
    if not answer.outcome.conclusive and answer.cname_chain:
        # The selector is published as an alias of a key kept elsewhere (a signing service's zone).
        key.found = True
        key.record = excerpt(f"CNAME {answer.cname_chain[0]}")
        return key, [unverified(answer, subject("dkim-key-alias", selector=selector))]
    if not answer.outcome.conclusive:
        return key, [fault(answer, subject("dkim-key", selector=selector))]
    if answer.outcome is not Outcome.OK:
        key.found = False
        return key, []
    candidates = [r for r in answer.records if "p=" in r.replace(" ", "") or r.lstrip().startswith("v=DKIM1")]
    key.found = True
    key.record = excerpt(candidates[0] if candidates else answer.records[0])
    if len(candidates) != 1:
        why = problem("dkim.several-keys" if candidates else "dkim.not-a-key")
        return key, [_invalid(key, [why])]
    return key, _judge_key(key, candidates[0])


def _judge_key(key: DkimKey, text: str) -> list[Finding]:
    parsed = parse_tags(text)
    tags, problems = parsed.tags, list(parsed.problems)
    if "v" in tags and (parsed.order[0] != "v" or tags["v"] != "DKIM1"):
        problems.append(problem("dkim.version"))
    key.key_type = tags.get("k", "rsa").lower()
    key.testing = "y" in tags.get("t", "").replace(" ", "").split(":")
    if "p" not in tags:
        problems.append(problem("dkim.no-key"))
    if key.key_type not in ("rsa", "ed25519"):
        problems.append(problem("dkim.key-type"))
    if problems:
        return [_invalid(key, problems)]
    data = "".join(tags["p"].split())
    if not data:
        key.revoked = True
        return [_revoked(key)]
    try:
        der = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return [_invalid(key, [problem("dkim.not-base64")])]
    bits = rsa_key_bits(der) if key.key_type == "rsa" else _ed25519_bits(der)
    if bits is None:
        return [_invalid(key, [problem("dkim.not-a-public-key", key_type=key.key_type)])]
    key.key_bits = bits
    key.valid = True
    findings: list[Finding] = []
    if key.key_type == "rsa" and bits < MIN_RSA_BITS:
        findings.append(_weak(key, "dkim.weak-key.short"))
    hashes = {h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()}
    if hashes and "sha256" not in hashes:
        short = bits < MIN_RSA_BITS  # an Ed25519 key's 256 bits count as short here too
        findings.append(_weak(key, "dkim.weak-key.sha1-short-key" if short else "dkim.weak-key.sha1"))
    if key.testing:
        findings.append(_testing(key))
    return findings


def rsa_key_bits(der: bytes) -> int | None:
    """Modulus size of an RSA public key in SubjectPublicKeyInfo or RSAPublicKey (PKCS#1) DER form."""
    outer = _tlv(der, 0x30)
    if outer is None:
        return None
    body = outer[0]
    if body[:1] == b"\x02":
        return _modulus_bits(body)
    algorithm = _tlv(body, 0x30)
    if algorithm is None:
        return None
    oid = _tlv(algorithm[0], 0x06)
    if oid is None or oid[0] != _RSA_OID:
        return None
    bitstring = _tlv(algorithm[1], 0x03)
    if bitstring is None or bitstring[0][:1] != b"\x00":
        return None
    inner = _tlv(bitstring[0][1:], 0x30)
    return _modulus_bits(inner[0]) if inner else None


def _ed25519_bits(raw: bytes) -> int | None:
    """RFC 8463: p= is the bare 32-byte key; a SubjectPublicKeyInfo wrapper is a common mistake."""
    if len(raw) == 32:
        return 256
    return None


def _modulus_bits(rsa_public_key: bytes) -> int | None:
    modulus = _tlv(rsa_public_key, 0x02)
    if modulus is None:
        return None
    digits = modulus[0].lstrip(b"\x00")
    return (len(digits) - 1) * 8 + digits[0].bit_length() if digits else None


def _tlv(data: bytes, tag: int) -> tuple[bytes, bytes] | None:
    """Read one DER element of `tag` at the start of `data`: (content, rest), or None if it is not there."""
    if len(data) < 2 or data[0] != tag:
        return None
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or len(data) < 2 + count:
            return None
        length, offset = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    if len(data) < offset + length:
        return None
    return data[offset : offset + length], data[offset + length :]


def _evidence(key: DkimKey) -> dict[str, object]:
    return {"selector": key.selector, "name": key.name, "record": key.record}


def _invalid(key: DkimKey, problems: list[str]) -> Finding:
    return make(
        "dkim.invalid",
        {"selector": key.selector, "problems": "; ".join(problems)},
        evidence=_evidence(key),
        skill=SKILL_CONFIGURATION,
        needs_admin=True,
    )


def _weak(key: DkimKey, text: str) -> Finding:
    return make(
        text,
        {"selector": key.selector, "bits": key.key_bits, "min_bits": MIN_RSA_BITS},
        evidence={**_evidence(key), "key_bits": key.key_bits},
        skill=SKILL_CONFIGURATION,
        needs_admin=True,
    )


def _revoked(key: DkimKey) -> Finding:
    return make(
        "dkim.revoked", {"selector": key.selector}, evidence=_evidence(key), skill=SKILL_CONFIGURATION
    )


def _testing(key: DkimKey) -> Finding:
    return make(
        "dkim.testing", {"selector": key.selector}, evidence=_evidence(key), skill=SKILL_CONFIGURATION
    )


def _missing(domain: str, tried: list[str], given: bool) -> Finding:
    return make(
        "dkim.missing.given" if given else "dkim.missing",
        {"domain": domain},
        evidence={"selectors_tried": tried},
        skill=SKILL_CONFIGURATION,
        needs_admin=True,
    )
