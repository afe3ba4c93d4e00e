"""plan_secure_setup's arguments."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from alimail_mcp.dmarc_reports.args import MAX_REPORTS, ReportText
from alimail_mcp.inputs import ADDRESS_CHARS, CHOICE_CHARS, DOMAIN_TEXT_CHARS
from alimail_mcp.models import ToolArgs

GoalId = Literal["anti-spoofing", "signing", "encryption", "spam-control"]
GOALS: tuple[GoalId, ...] = get_args(GoalId)
"""In plan order."""
MAX_GOALS = 8
CERTIFICATE_CHARS = 65_536
"""A certificate as PEM or base64 text (a chain fits)."""


class PlanSecureSetupArgs(ToolArgs):
    """Plan how to secure a domain's mail from its live DNS: SPF first, then DKIM (created in the admin
    console), then DMARC at p=none with reports and the dates to move to quarantine and reject, each
    with its record and propagation time (given the domain's DMARC aggregate reports, whether the next
    DMARC step is due now or what blocks it); S/MIME eligibility and certificate checks; what Strict
    anti-spam mode and permanent spam deletion cost, and the whitelist to build first."""

    domain: Annotated[
        str,
        Field(description="The mail domain, e.g. example.com (IDN allowed).", max_length=DOMAIN_TEXT_CHARS),
    ]
    edition: Annotated[
        str | None,
        Field(
            description="The Alibaba Mail edition: standard, premium, enterprise or 'AI Premium' "
            "(S/MIME exists only on AI Premium).",
            max_length=CHOICE_CHARS,
        ),
    ] = None
    goals: Annotated[
        list[Annotated[str, Field(max_length=CHOICE_CHARS)]] | None,
        Field(
            description="Any of: anti-spoofing (SPF, DKIM, DMARC), signing, encryption (S/MIME), "
            "spam-control (blacklist, whitelist, anti-spam level). Default: all.",
            max_length=MAX_GOALS,
        ),
    ] = None
    certificate: Annotated[
        str | None,
        Field(
            description="An S/MIME certificate to check: PEM text, base64 DER, or the path of a "
            ".cer/.crt/.pem/.der file on the server's machine. A .p12/.pfx file needs its password: "
            "check it with `alimail-mcp smime-check FILE` instead; never send a password here.",
            max_length=CERTIFICATE_CHARS,
        ),
    ] = None
    mailbox: Annotated[
        str | None,
        Field(
            description="The mailbox the certificate is for (its address must be in it).",
            max_length=ADDRESS_CHARS,
        ),
    ] = None
    reports: Annotated[
        list[ReportText] | None,
        Field(
            description="The domain's DMARC aggregate reports, as analyze_dmarc_reports takes them (XML, "
            "base64 of a .xml/.xml.gz/.zip file, or a report email): the next DMARC step is then judged "
            "by them (due now, or blocked by the sources that still fail) instead of by dates.",
            max_length=MAX_REPORTS,
        ),
    ] = None
