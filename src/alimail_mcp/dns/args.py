"""check_dns's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from alimail_mcp.inputs import DOMAIN_TEXT_CHARS, STAMP_CHARS
from alimail_mcp.models import ToolArgs

MAX_SELECTORS = 20
MAX_SENDING_IPS = 10


class CheckDnsArgs(ToolArgs):
    """Audit a domain's live DNS against the Alibaba Mail profile (MX, SPF with RFC 7208 evaluation,
    DKIM, DMARC, webmail CNAME), check MTA-STS, TLS-RPT, BIMI and DNSSEC, look the domain and its
    sending IPs up in DNS blocklists, and return findings with fixes and the exact DNS change plan."""

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
        Annotated[list[Annotated[str, Field(max_length=STAMP_CHARS)]], Field(max_length=MAX_SENDING_IPS)]
        | Annotated[str, Field(max_length=MAX_SENDING_IPS * STAMP_CHARS)]
        | None,
        Field(
            description="IPv4 or IPv6 addresses the domain sends from (e.g. from a bounce): SPF is "
            "evaluated for each, and each is looked up in the IP blocklists. One address, or several "
            "separated by commas, may also be given as a string.",
        ),
    ] = None
    compare_authoritative: Annotated[
        bool,
        Field(
            description="Also ask the domain's own nameservers and report records that resolvers do "
            "not show yet, with how long caches may keep the old ones (use after a recent change)."
        ),
    ] = False

    @field_validator("sending_ip", mode="before")
    @classmethod
    def _one_or_several(cls, value: object) -> object:
        """A string (one address, or several separated by commas or spaces) is read as a list; so is each
        string of a list (`--ip a,b --ip c`)."""
        if isinstance(value, str):
            return value.replace(",", " ").split()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [part for v in value for part in v.replace(",", " ").split()]
        return value
