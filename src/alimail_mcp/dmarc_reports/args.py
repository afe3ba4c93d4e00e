"""analyze_dmarc_reports's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import DOMAIN_TEXT_CHARS
from alimail_mcp.models import ToolArgs

MAX_REPORTS = 200
"""Items in one call (an item may be an email or a zip carrying several reports)."""
REPORT_CHARS = 30_000_000
"""One item: a 20,000-record report's XML is about 8.5 MB, its base64 .zip far less."""

ReportText = Annotated[str, Field(min_length=1, max_length=REPORT_CHARS)]


class AnalyzeDmarcReportsArgs(ToolArgs):
    """Read DMARC aggregate reports (the rua= XML reports receivers send) and say who sends mail as the
    domain: per source address the messages, DMARC passes and failures, aligned SPF and DKIM, and whether
    it is Alibaba Mail (its SPF include, checked live), another authorised sender or unknown; forwarded
    mail and third-party services told apart; totals over every report; and whether the DMARC policy can
    move to quarantine or reject now, with what blocks it and the fix."""

    reports: Annotated[
        list[ReportText],
        Field(
            description="Aggregate reports, one per item: the report's XML text, base64 of a .xml, "
            ".xml.gz or .zip report file, or a whole report email (.eml text) carrying it as an "
            "attachment. Reports for the same domain are added together.",
            min_length=1,
            max_length=MAX_REPORTS,
        ),
    ]
    domain: Annotated[
        str | None,
        Field(
            description="The domain to analyse (its subdomains included); reports about other domains "
            "are left out. Default: every report, judged for the domain with the most mail.",
            max_length=DOMAIN_TEXT_CHARS,
        ),
    ] = None
