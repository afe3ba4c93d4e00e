"""Reports added together: a report given twice counted once, and per domain and source address the
messages, DMARC passes, aligned SPF and DKIM of every record and report of it, with what its
authentication results say about who it is (forwarded mail, a third-party service, a forger)."""

from __future__ import annotations

from dataclasses import dataclass, field

from alimail_mcp.dmarc_reports.feedback import AuthResult, Feedback, Record

FORWARDING_REASONS = frozenset({"forwarded", "trusted_forwarder", "mailing_list"})
"""policy_evaluated reason types a reporter gives when it saw the mail as forwarded (RFC 7489 C)."""
EVIDENCE_ITEMS = 5


@dataclass(slots=True)
class Tally:
    """One source address sending as one domain, over every record and report."""

    domain: str
    source_ip: str
    messages: int = 0
    dmarc_pass: int = 0
    spf_aligned: int = 0
    dkim_aligned: int = 0
    forwarding: int = 0
    """Messages with the forwarding pattern: aligned DKIM passed, SPF passed for no domain (or the
    reporter says forwarded)."""
    elsewhere: bool = False
    """Some message passed SPF or DKIM for a domain not aligned with the From domain."""
    own_spf_failed: bool = False
    """SPF was checked for the domain itself (or a subdomain) and did not pass: its record lacks this
    server, so an include would fix it."""
    reports: int = 0
    last_report: int = -1
    spf_seen: dict[str, str] = field(default_factory=dict)
    dkim_seen: dict[str, str] = field(default_factory=dict)

    @property
    def dmarc_fail(self) -> int:
        return self.messages - self.dmarc_pass


@dataclass(slots=True)
class ReportRead:
    """One report once added up: what it says about itself and its figures, without its records (a
    large report's records are dropped as soon as they are counted)."""

    org_name: str
    org_email: str
    report_id: str
    begin: int
    end: int
    domain: str
    policy: dict[str, str]
    repaired: tuple[str, ...]
    source: str
    messages: int
    dmarc_pass: int
    records: int
    duplicate: bool
    """About the domain analysed, but the same reporter gave the same report ID earlier: not counted again."""
    counted: bool
    """About the domain analysed, and not a duplicate. (Neither: a report about another domain.)"""


class Merger:
    """Reports added in as they are read: per (domain, address) tallies over the counted ones."""

    def __init__(self, domain: str | None) -> None:
        self.domain = domain
        """Count only reports about this domain and its subdomains (None: every report)."""
        self.reports: list[ReportRead] = []
        self.tallies: dict[tuple[str, str], Tally] = {}
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, report: Feedback, source: str) -> None:
        key = (report.org_name.lower(), report.report_id, report.domain)
        duplicate = bool(report.report_id) and key in self._seen
        self._seen.add(key)
        wanted = (
            self.domain is None or report.domain == self.domain or report.domain.endswith("." + self.domain)
        )
        counted, duplicate = wanted and not duplicate, wanted and duplicate
        number = len(self.reports)
        messages = passing = 0
        for record in report.records:
            messages += record.count
            spf, dkim = record_passes(record, report.domain)
            if spf or dkim:
                passing += record.count
            if counted:
                _add(self.tallies, report.domain, number, record, spf, dkim)
        self.reports.append(
            ReportRead(
                org_name=report.org_name,
                org_email=report.org_email,
                report_id=report.report_id,
                begin=report.begin,
                end=report.end,
                domain=report.domain,
                policy=report.policy,
                repaired=report.repaired,
                source=source,
                messages=messages,
                dmarc_pass=passing,
                records=len(report.records),
                duplicate=duplicate,
                counted=counted,
            )
        )


def within(name: str, domain: str) -> bool:
    """`name` is `domain` or one of its subdomains."""
    return name == domain or name.endswith("." + domain)


def record_passes(record: Record, domain: str) -> tuple[bool, bool]:
    """(aligned SPF passed, aligned DKIM passed) by the reporter's policy_evaluated; from the
    authentication results where a report (an old draft) gives no verdict."""
    from_domain = record.header_from or domain
    spf = record.spf == "pass" if record.spf else _aligned_pass(record.spf_results, from_domain)
    dkim = record.dkim == "pass" if record.dkim else _aligned_pass(record.dkim_results, from_domain)
    return spf, dkim


def _add(
    tallies: dict[tuple[str, str], Tally], domain: str, number: int, record: Record, spf: bool, dkim: bool
) -> None:
    key = (domain, record.source_ip)
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = Tally(domain, record.source_ip)
    count = record.count
    tally.messages += count
    if tally.last_report != number:
        tally.reports += 1
        tally.last_report = number
    if spf or dkim:
        tally.dmarc_pass += count
    if spf:
        tally.spf_aligned += count
    if dkim:
        tally.dkim_aligned += count
    if not record.spf_results and not record.dkim_results and not record.reasons:
        return
    from_domain = record.header_from or domain
    spf_passed_anywhere = any(r.result == "pass" for r in record.spf_results)
    if (dkim and not spf and not spf_passed_anywhere) or FORWARDING_REASONS.intersection(record.reasons):
        tally.forwarding += count
    for result in record.spf_results:
        aligned = _aligned(result.domain, from_domain)
        if result.result == "pass" and not aligned:
            tally.elsewhere = True
        if aligned and result.result != "pass":
            tally.own_spf_failed = True
        _note(tally.spf_seen, result.domain, result.result)
    for result in record.dkim_results:
        if result.result == "pass" and not _aligned(result.domain, from_domain):
            tally.elsewhere = True
        _note(
            tally.dkim_seen,
            f"{result.domain} s={result.selector}" if result.selector else result.domain,
            result.result,
        )


def _note(seen: dict[str, str], what: str, result: str) -> None:
    if what and (what in seen or len(seen) < EVIDENCE_ITEMS):
        seen[what] = result[:16]


def _aligned_pass(results: tuple[AuthResult, ...], from_domain: str) -> bool:
    return any(r.result == "pass" and _aligned(r.domain, from_domain) for r in results)


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment, as most records publish it: one name is the other or lies under it."""
    if not domain or not from_domain:
        return False
    return domain == from_domain or domain.endswith("." + from_domain) or from_domain.endswith("." + domain)
