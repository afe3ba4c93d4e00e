"""check_dns's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import DOMAIN_TEXT_CHARS, STAMP_CHARS
from alimail_mcp.models import ToolArgs

MAX_SELECTORS = 20


class CheckDnsArgs(ToolArgs):
    """Audit a domain's live DNS against the Alibaba Mail profile (MX, SPF with RFC 7208 evaluation,
    DKIM, DMARC, webmail CNAME) and return findings with fixes and the exact DNS change plan."""

    domain: Annotated[
        str,
        Field(description="The mail domain, e.g. example.com (IDN allowed).", max_length=DOMAIN_TEXT_CHARS),
    ]
    dkim_selectors: Annotated[
        list[Annotated[str, Field(max_length=DOMAIN_TEXT_CHARS)]] | None,
        Field(
            description="DKIM selectors to check (shown in the Alibaba Mail admin console); "
            "default: a short list of common ones.",
            max_length=MAX_SELECTORS,
        ),
    ] = None
    sending_ip: Annotated[
        str | None,
        Field(
            description="An IP the domain sends from (e.g. from a bounce): evaluates SPF for it.",
            max_length=STAMP_CHARS,
        ),
    ] = None
    compare_authoritative: Annotated[
        bool,
        Field(
            description="Also ask the domain's own nameservers and report records that resolvers do "
            "not show yet, with how long caches may keep the old ones (use after a recent change)."
        ),
    ] = False
