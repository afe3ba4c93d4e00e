"""The DNSSEC verdict on what check.py read: the chain of trust (DS against DNSKEY, the key set signed
by a key the DS names), the signatures of each record set, records left unsigned, deprecated
algorithms, and the resolver's AD flag. Runs in a worker thread (it loads dns.dnssec)."""

from __future__ import annotations

from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.dns.dnssec import verify
from alimail_mcp.dns.dnssec.models import DelegationSigner, DnsKey, DnssecCheck, Signature
from alimail_mcp.dns.finding import SKILL_DELIVERY, make, subject, unverified
from alimail_mcp.dns.models import status_of
from alimail_mcp.dns.standards import DnssecStandard, load_standards
from alimail_mcp.models import Finding

_BAD = ("invalid", "unknown-key", "expired", "not-yet-valid")
"""Signature states that fail validation, most telling first."""

SignedSet = tuple[str, list[Signature]]
"""A record set (`name type`) and the states of its signatures."""


def judge(
    zone: str,
    ds_answer: Answer,
    keys_answer: Answer,
    records: list[Answer],
    *,
    apex_records: list[Answer],
    now: float,
) -> DnssecCheck:
    """`records`: the domain's records read in the zone (their signatures are checked); `apex_records`:
    the zone apex's own MX and TXT, which must be signed when the keys are (empty when the domain is not
    the zone's apex)."""
    standard = load_standards().dnssec
    published = verify.keys(keys_answer.records if _has(keys_answer) else ())
    delegation = verify.digests(
        zone, ds_answer.records if _has(ds_answer) else (), published, standard.digest_names
    )
    signatures = _signatures(zone, [keys_answer, *records], published, standard, now)
    chain, findings = _chain(zone, ds_answer, keys_answer, published, delegation, signatures)
    anchored = chain in ("secure", "broken")
    findings += _signature_findings(signatures, anchored, standard.expiring_within_days)
    if keys_answer.signed is not None:
        findings += _unsigned_records(apex_records, anchored)
    findings += _deprecated(published, delegation, standard)
    validated = any(a.authenticated for a in apex_records or records) if published else None
    if chain == "secure" and validated is False:
        findings.append(make("dnssec.not-validated", {}, skill=SKILL_DELIVERY))
    return DnssecCheck(
        status=status_of(findings),
        findings=findings,
        records=[*(d.text for d in delegation), *keys_answer.records][:20],
        zone=zone,
        signed=bool(published),
        delegation=[_delegation_signer(d) for d in delegation],
        keys=[_key(k) for k in published],
        chain=chain,
        signatures=[s for _, group in signatures for s in group],
        validated=validated,
    )


def _has(answer: Answer) -> bool:
    return answer.outcome is Outcome.OK and bool(answer.records)


def _delegation_signer(d: verify.Digest) -> DelegationSigner:
    return DelegationSigner(
        record=d.text,
        key_tag=d.record.key_tag,
        algorithm=int(d.record.algorithm),
        digest_type=int(d.record.digest_type),
        matches=d.matches,
    )


def _key(k: verify.Key) -> DnsKey:
    return DnsKey(
        key_tag=k.tag,
        flags=k.record.flags,
        algorithm=int(k.record.algorithm),
        secure_entry_point=bool(k.record.flags & 1),
    )


def _signatures(
    zone: str, answers: list[Answer], published: list[verify.Key], standard: DnssecStandard, now: float
) -> list[SignedSet]:
    out: list[SignedSet] = []
    for answer in answers:
        if answer.signed is None:
            continue
        group = []
        for text in answer.signed.signatures[:10]:
            checked = verify.check_signature(
                answer.signed.owner,
                answer.rdtype,
                answer.signed.rdata,
                text,
                zone,
                published,
                now=now,
                expiring_s=standard.expiring_within_days * 86_400,
            )
            if checked is not None:
                group.append(
                    Signature(
                        name=answer.signed.owner,
                        covers=checked.covers,
                        key_tag=checked.key_tag,
                        algorithm=checked.algorithm,
                        signer=checked.signer,
                        inception=verify.utc(checked.inception),
                        expiration=verify.utc(checked.expiration),
                        state=checked.state,
                    )
                )
        if group:
            out.append((f"{answer.signed.owner} {answer.rdtype}", group))
    return out


def _chain(
    zone: str,
    ds_answer: Answer,
    keys_answer: Answer,
    published: list[verify.Key],
    delegation: list[verify.Digest],
    signatures: list[SignedSet],
) -> tuple[str, list[Finding]]:
    """The state of the chain of trust (models.DnssecCheck.chain) and its findings."""
    evidence = {
        "zone": zone,
        "ds": [d.text for d in delegation][:10],
        "dnskey_tags": [k.tag for k in published][:10],
    }
    if not published and delegation:
        return "broken", [make("dnssec.ds-mismatch.no-dnskey", {}, evidence=evidence, skill=SKILL_DELIVERY)]
    if not delegation:
        if not ds_answer.outcome.conclusive:
            return "unknown", [unverified(ds_answer, subject("dnssec-delegation"))]
        return "island", [make("dnssec.no-ds", {}, evidence=evidence, skill=SKILL_DELIVERY)]
    matched = [d for d in delegation if d.matches]
    stale = [d for d in delegation if d.matches is False]
    if not matched:
        if not stale:
            return "unknown", []  # only digest types this check does not compute
        return "broken", [make("dnssec.ds-mismatch", {}, evidence=evidence, skill=SKILL_DELIVERY)]
    findings = []
    if stale:
        findings.append(
            make("dnssec.ds-stale", {"count": len(stale)}, evidence=evidence, skill=SKILL_DELIVERY)
        )
    tags = {d.record.key_tag for d in matched}
    by_named_keys = [
        s for name, group in signatures if name.endswith(" DNSKEY") for s in group if s.key_tag in tags
    ]
    if keys_answer.signed is not None and not by_named_keys:
        findings.append(make("dnssec.chain-broken", {}, evidence=evidence, skill=SKILL_DELIVERY))
        return "broken", findings
    if by_named_keys and not any(s.state in ("valid", "expiring", "not-checked") for s in by_named_keys):
        return "broken", findings  # the signature's own finding says what is wrong with it
    return "secure", findings


def _signature_findings(signatures: list[SignedSet], anchored: bool, days: float) -> list[Finding]:
    """One finding per kind of failure, naming the record sets with no signature that validates."""
    failing: dict[str, list[dict[str, object]]] = {}
    for name, group in signatures:
        states = {s.state for s in group}
        if states & {"valid", "not-checked"}:
            continue
        worst = "expiring" if "expiring" in states else next(s for s in _BAD if s in states)
        sample = next(s for s in group if s.state == worst)
        failing.setdefault(worst, []).append(
            {
                "records": name,
                "key_tag": sample.key_tag,
                "inception": sample.inception,
                "expiration": sample.expiration,
            }
        )
    findings = []
    for state, items in failing.items():
        key = (_SIGNATURE_KEYS if anchored else _UNANCHORED_KEYS)[state]
        evidence = {"record_sets": items[:10]}
        values = {"count": len(items), "days": f"{days:g}"}
        findings.append(make(key, values, evidence=evidence, skill=SKILL_DELIVERY))
    return findings


_SIGNATURE_KEYS = {
    "expiring": "dnssec.signature-expiring",
    "expired": "dnssec.signature-expired",
    "not-yet-valid": "dnssec.signature-not-yet-valid",
    "unknown-key": "dnssec.signature-unknown-key",
    "invalid": "dnssec.signature-invalid",
}
_UNANCHORED_KEYS = {
    **_SIGNATURE_KEYS,
    "expired": "dnssec.signature-expired.unanchored",
    "not-yet-valid": "dnssec.signature-not-yet-valid.unanchored",
    "unknown-key": "dnssec.signature-unknown-key.unanchored",
    "invalid": "dnssec.signature-invalid.unanchored",
}
"""Without a DS at the parent, validators treat the zone as unsigned: a bad signature breaks nothing yet."""


def _unsigned_records(apex_records: list[Answer], anchored: bool) -> list[Finding]:
    """Records of the zone's apex that came without signatures while the keys came with theirs. Only
    answers from the zone's own servers count: a resolver that does not validate may hand out records it
    cached without their signatures."""
    bare = [
        f"{a.name} {a.rdtype}"
        for a in apex_records
        if _has(a) and a.authoritative and not a.cname_chain and a.signed is None
    ]
    if not bare:
        return []
    key = "dnssec.records-unsigned" if anchored else "dnssec.records-unsigned.unanchored"
    return [make(key, {}, evidence={"record_sets": bare}, skill=SKILL_DELIVERY)]


def _deprecated(
    published: list[verify.Key], delegation: list[verify.Digest], standard: DnssecStandard
) -> list[Finding]:
    findings = []
    old = sorted({int(k.record.algorithm) for k in published} & set(standard.deprecated_algorithms))
    if old:
        names = ", ".join(standard.deprecated_algorithms[a] for a in old)
        evidence = {"algorithms": old}
        findings.append(
            make(
                "dnssec.algorithm-deprecated", {"algorithms": names}, evidence=evidence, skill=SKILL_DELIVERY
            )
        )
    matched = [int(d.record.digest_type) for d in delegation if d.matches]
    if matched and all(t in standard.deprecated_digests for t in matched):
        names = ", ".join(sorted({standard.deprecated_digests[t] for t in matched}))
        findings.append(make("dnssec.digest-deprecated", {"digests": names}, skill=SKILL_DELIVERY))
    return findings
