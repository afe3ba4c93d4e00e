"""The change plan: the exact records that bring a domain to a correct Alibaba Mail setup while keeping
what else it legitimately uses, each also as Alibaba Cloud DNS fields and an `aliyun alidns` command.

Hosts coming from the checks are relative to the audited domain (a name ending in '.' is absolute);
the plan states them relative to the zone (the organisational domain), as DNS consoles expect.
Adds come first, then replacements, then deletions, so the domain is never without MX records.
Staged steps (DMARC p=none -> quarantine) stay in their findings: they are for later, not now.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from alimail_mcp.dns.models import AlidnsRecord, CheckResult, DmarcCheck, MxCheck, PlannedChange, WebmailCheck
from alimail_mcp.dns.names import fqdn, relative_host
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import DnsChange

RECORD_ID = "<RecordId>"
_ORDER = {"add": 0, "replace": 1, "delete": 2}
_TYPES = {"MX": 0, "TXT": 1, "CNAME": 2}


def build_plan(
    domain: str,
    zone: str,
    *,
    mx: MxCheck | None = None,
    spf: CheckResult | None = None,
    dmarc: DmarcCheck | None = None,
    webmail: WebmailCheck | None = None,
    provider: Provider | None = None,
) -> list[PlannedChange]:
    provider = provider or load_provider()
    wanted: list[tuple[DnsChange, str]] = []
    if mx is not None:
        wanted += _mx_changes(mx, provider)
    if spf is not None:
        wanted += _spf_changes(spf)
    if dmarc is not None:
        wanted += [
            (f.dns_change, f.code) for f in dmarc.findings if f.dns_change and f.code == "dmarc.missing"
        ]
    if webmail is not None:
        wanted += _webmail_changes(webmail)
    unique = _dedupe(wanted)
    unique.sort(key=lambda item: (_ORDER[item[0].action], _TYPES.get(item[0].type, 9)))
    return [planned(change, reason, domain, zone) for change, reason in unique]


def planned(change: DnsChange, reason: str, domain: str, zone: str) -> PlannedChange:
    """`change` (host relative to `domain`) restated for `zone`, with its Alibaba Cloud DNS form."""
    name = change.host[:-1] if change.host.endswith(".") else fqdn(change.host, domain)
    rr = relative_host(name, zone)
    fields = AlidnsRecord(
        DomainName=zone, RR=rr, Type=change.type, Value=change.value, Priority=change.priority
    )
    record = {**change.model_dump(), "host": rr}
    return PlannedChange(
        **record,
        zone=zone,
        reason=reason,
        alidns=fields,
        command=_command(change, fields),
        find_command=None if change.action == "add" else _find(fields, name),
    )


def _command(change: DnsChange, f: AlidnsRecord) -> str:
    record = ["--RR", f.RR, "--Type", f.Type, "--Value", f.Value]
    if f.Priority is not None:
        record += ["--Priority", str(f.Priority)]
    if change.action == "add":
        args = ["AddDomainRecord", "--DomainName", f.DomainName, *record]
    elif change.action == "replace":
        args = ["UpdateDomainRecord", "--RecordId", RECORD_ID, *record]
    else:
        args = ["DeleteDomainRecord", "--RecordId", RECORD_ID]
    return _line(args)


def _find(f: AlidnsRecord, name: str) -> str:
    return _line(
        ["DescribeSubDomainRecords", "--DomainName", f.DomainName, "--SubDomain", name, "--Type", f.Type]
    )


def _line(args: list[str]) -> str:
    return "aliyun alidns " + " ".join(a if a == RECORD_ID else shlex.quote(a) for a in args)


def _dedupe(changes: Iterable[tuple[DnsChange, str]]) -> list[tuple[DnsChange, str]]:
    seen: set[tuple[str, str, str, str, int | None]] = set()
    out: list[tuple[DnsChange, str]] = []
    for change, reason in changes:
        key = (change.action, change.type, change.host, change.value.lower(), change.priority)
        if key not in seen:
            seen.add(key)
            out.append((change, reason))
    return out


def _mx(action: str, host: str, priority: int, old: str | None = None) -> DnsChange:
    return DnsChange.model_validate(
        {"action": action, "type": "MX", "host": "@", "value": host, "priority": priority, "old_value": old}
    )


def _mx_changes(mx: MxCheck, provider: Provider) -> list[tuple[DnsChange, str]]:
    codes = {f.code for f in mx.findings}
    recommended = provider.recommended_mx.records
    if "mx.missing" in codes:
        out = [(_mx("add", r.host, r.priority), "mx.missing") for r in recommended]
        return out + [(_mx("delete", ".", 0), "mx.missing") for rec in mx.records if _is_null_mx(rec)]
    out = _appended_fixes(mx)
    usable_ours = [h for h in mx.hosts if h.provider_set and h.resolves is not False]
    if not usable_ours and not out and codes & {"mx.wrong-provider", "mx.host-unresolvable"}:
        reason = "mx.wrong-provider" if "mx.wrong-provider" in codes else "mx.host-unresolvable"
        out += [(_mx("add", r.host, r.priority), reason) for r in recommended]
    for h in mx.hosts:
        if h.host in mx.foreign_hosts:
            reason = "mx.conflict" if "mx.conflict" in codes else "mx.wrong-provider"
            out.append((_mx("delete", h.host, h.priority), reason))
        elif h.resolves is False and not (h.zone_appended and not h.provider_set):
            out.append((_mx("delete", h.host, h.priority), "mx.host-unresolvable"))
    return out + _set_fixes(mx, provider)


def _appended_fixes(mx: MxCheck) -> list[tuple[DnsChange, str]]:
    """Values with the zone appended, replaced by the name that was meant (their findings hold it)."""
    out: list[tuple[DnsChange, str]] = []
    for h in mx.hosts:
        if h.zone_appended and not h.provider_set:
            code = "mx.host-unresolvable" if h.resolves is False else "mx.conflict"
            meant = next(
                (f.dns_change for f in mx.findings if f.evidence.get("host") == h.host and f.dns_change), None
            )
            if meant is not None:
                out.append((meant, code))
    return out


def _set_fixes(mx: MxCheck, provider: Provider) -> list[tuple[DnsChange, str]]:
    """The Alibaba Mail set's own records: aliases replaced by the host they stand for, priorities put
    in the set's order (one change per record, both at once for an alias), missing hosts added."""
    findings = {f.code: f for f in mx.findings}
    expected = {r.host: r.priority for s in provider.mx_sets for r in s.records}
    odd = findings.get("mx.priority-odd")
    reorder = odd is not None and odd.severity.value == "warning"
    out: list[tuple[DnsChange, str]] = []
    for h in mx.hosts:
        name = h.host if h.host in expected else (h.alias_of or h.host)
        if not h.provider_set or name not in expected:
            continue
        priority = expected[name] if reorder and h.provider_set == mx.provider_set else h.priority
        if name != h.host and "mx.host-cname" in findings:
            out.append((_mx("replace", name, priority, h.host), "mx.host-cname"))
        elif priority != h.priority:
            out.append((_mx("replace", h.host, priority, h.host), "mx.priority-odd"))
    incomplete = findings.get("mx.incomplete")
    in_use = next((s for s in provider.mx_sets if s.id == mx.provider_set), None)
    if incomplete is not None and in_use is not None:
        missing = {line.split()[-1] for line in incomplete.evidence.get("missing", [])}
        out += [
            (_mx("add", r.host, r.priority), "mx.incomplete") for r in in_use.records if r.host in missing
        ]
    return out


def _spf_changes(spf: CheckResult) -> list[tuple[DnsChange, str]]:
    """The SPF findings' changes; with several SPF records, the ones not kept are deleted."""
    out = [(f.dns_change, f.code) for f in spf.findings if f.dns_change is not None]
    if any(f.code == "spf.multiple" for f in spf.findings):
        kept = {c.old_value for c, _ in out if c.type == "TXT" and c.action == "replace"}
        host = next((c.host for c, _ in out if c.type == "TXT"), "@")
        out += [
            (DnsChange(action="delete", type="TXT", host=host, value=r), "spf.multiple")
            for r in spf.records
            if r.lower().startswith("v=spf1") and r not in kept
        ]
    return out


def _is_null_mx(record: str) -> bool:
    return record.split(maxsplit=1)[1:] in ([], ["."])


def _webmail_changes(check: WebmailCheck) -> list[tuple[DnsChange, str]]:
    record = check.webmail
    finding = next((f for f in check.findings if f.code.startswith("webmail_cname.") and f.dns_change), None)
    if record is None or finding is None or finding.dns_change is None:
        return []
    out: list[tuple[DnsChange, str]] = [(finding.dns_change, finding.code)]
    if record.state == "address-record":
        out += [
            (DnsChange(action="delete", type="A", host=record.host, value=address), finding.code)
            for address in record.addresses
        ]
    return out
