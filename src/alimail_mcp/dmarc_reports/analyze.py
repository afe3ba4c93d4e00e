"""`analyze_dmarc_reports()`: read aggregate reports, add them up, check who the senders are and judge
whether the DMARC policy can move on.

Reading (unpacking, XML, adding up) runs in a worker thread: a 20,000-record report takes about a
second. Each report is added up as soon as it is read and its records dropped, so memory follows the
number of sources, not of records. The live part is the SPF evaluation of the sources (senders.py),
over one DNS client whose answers every evaluation shares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alimail_mcp.dmarc_reports.args import MAX_REPORTS, REPORT_CHARS
from alimail_mcp.dmarc_reports.feedback import MAX_RECORDS, ReportError, read_feedback
from alimail_mcp.dmarc_reports.merge import Merger, ReportRead, Tally
from alimail_mcp.dmarc_reports.models import DmarcReportsResult
from alimail_mcp.dmarc_reports.models import ReportError as ItemError
from alimail_mcp.dmarc_reports.unpack import Budget, Unreadable, unpack
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_domain

if TYPE_CHECKING:
    from alimail_mcp.config import Settings
    from alimail_mcp.dmarc_reports.senders import Verdicts
    from alimail_mcp.dns.client import DnsClient

Item = tuple[str, bytes | str]
"""(label, content): a tool argument as given, or a file's bytes (the command line)."""
Progress = Callable[[int, int], None]


@dataclass
class Reading:
    """What the items held: the reports read and added up, the tallies of the counted ones, and what
    could not be read."""

    domain: str | None
    """The domain asked for (None: every report counts)."""
    reports: list[ReportRead] = field(default_factory=list)
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    errors: list[ItemError] = field(default_factory=list)
    items: int = 0

    @property
    def main_domain(self) -> str | None:
        """The domain the policy step is judged for: the one asked for, else the one with most mail."""
        if self.domain is not None:
            return self.domain
        volume: dict[str, int] = {}
        for report in self.reports:
            if report.counted:
                volume[report.domain] = volume.get(report.domain, 0) + report.messages
        return max(volume, key=lambda d: (volume[d], d)) if volume else None


async def analyze_dmarc_reports(
    reports: list[str],
    domain: str | None = None,
    *,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    live: bool = True,
) -> DmarcReportsResult:
    """Read DMARC aggregate reports (XML text, base64 of a .xml/.xml.gz/.zip file, or a whole email
    carrying the report) and analyse them for `domain` (default: the domain most of the mail is for).

    `live`: check the senders' SPF on live DNS (False: offline, no sender is known as Alibaba Mail's).
    Raises InputError for no reports, too many, or a malformed `domain`; a report that cannot be read is
    an entry of `errors`, and the others still count.
    """
    items = text_items(reports)
    return await analyze_items(items, domain, settings=settings, client=client, live=live)


def text_items(reports: object, field: str = "reports") -> list[Item]:
    """The tool's report texts as items, each labelled with its place; InputError naming `field` for
    none, too many, or an empty or over-long one."""
    if not isinstance(reports, list) or not reports:
        raise InputError(field, "give at least one report")
    if len(reports) > MAX_REPORTS:
        raise InputError(field, f"at most {MAX_REPORTS} reports in one call")
    for number, report in enumerate(reports):
        if not isinstance(report, str) or not report.strip():
            raise InputError(field, f"item {number} is empty or not text")
        if len(report) > REPORT_CHARS:
            raise InputError(field, f"item {number} is longer than {REPORT_CHARS:,} characters")
    return [(f"{field}[{n}]", text) for n, text in enumerate(reports)]


async def analyze_items(
    items: Sequence[Item],
    domain: str | None = None,
    *,
    settings: Settings | None = None,
    client: DnsClient | None = None,
    live: bool = True,
    progress: Progress | None = None,
) -> DmarcReportsResult:
    """The analysis of `items` (labels name them in errors); `progress(done, total)` after each item."""
    name = normalize_domain(domain) if domain is not None and domain.strip() else None
    reading = await asyncio.to_thread(read_items, items, name, progress)
    verdicts = await _verdicts(reading, settings, client) if live else None
    from alimail_mcp.dmarc_reports.explain import compose

    return await asyncio.to_thread(compose, reading, verdicts)


def read_items(items: Sequence[Item], domain: str | None = None, progress: Progress | None = None) -> Reading:
    """Every report in the items, in order, added up as it is read (only those about `domain` and its
    subdomains when given); an item (or a file in it) that gives no report is an error."""
    reading = Reading(domain, items=len(items))
    merger = Merger(domain)
    budget = Budget()
    records = 0
    for done, (label, content) in enumerate(items, 1):
        for found in unpack(content, label, budget):
            if isinstance(found, Unreadable):
                reading.errors.append(ItemError(source=found.label, error=found.error, refused=found.refused))
                continue
            try:
                report = read_feedback(found.data, utf8=found.utf8, max_records=MAX_RECORDS - records)
            except ReportError as exc:
                reading.errors.append(ItemError(source=found.label, error=str(exc), refused=exc.refused))
                continue
            merger.add(report, found.label)
            records += len(report.records)
        if progress is not None:
            progress(done, len(items))
    reading.reports, reading.tallies = merger.reports, merger.tallies
    return reading


async def _verdicts(reading: Reading, settings: Settings | None, client: DnsClient | None) -> Verdicts:
    from alimail_mcp.dmarc_reports.senders import check_senders
    from alimail_mcp.knowledge.loader import load_provider

    if client is None:
        from alimail_mcp.dns.resolver import ResolverClient

        client = ResolverClient.from_settings(settings)
    spf = load_provider().spf
    includes = tuple(dict.fromkeys((spf.recommended_include, *spf.accepted_includes)))
    tallies = sorted(reading.tallies.values(), key=lambda t: -t.messages)
    return await check_senders(tallies, client, includes)
