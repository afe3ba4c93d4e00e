"""Result models of the blocklist check. Plain pydantic: importing this never loads dnspython."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.dns.models import CheckResult

ListingState = Literal["listed", "policy", "not-listed", "unverified", "not-applicable"]
"""`policy`: only a policy listing (the PBL: an end-user range, not spam); `unverified`: the list
refused, or the question got no answer, or an answer the check cannot read; `not-applicable`: the list
holds no such address (IPv6 asked of an IPv4-only list), so it was not asked."""


class ListingResult(BaseModel):
    """One address or domain against one list."""

    target: str
    """The address or domain looked up."""
    kind: Literal["ip", "domain"]
    list_id: str
    list_name: str
    zone: str
    query: str | None = None
    """The name asked (None when the list was not asked)."""
    state: ListingState
    answers: list[str] = Field(default_factory=list)
    """The A records the list answered with (return codes), as published."""
    meanings: list[str] = Field(default_factory=list)
    """What the reputation return codes mean, from skills/blocklists.yaml."""
    policy_meanings: list[str] = Field(default_factory=list)
    """What the policy return codes mean (the PBL)."""
    unverified_by: Literal["refusal", "no-answer", "unreadable"] | None = None
    """Why the point is unverified: the list's own refusal code, no usable DNS answer, or an answer that
    is not one of the list's return codes."""
    reason: str | None = None
    """The refusal's meaning, or the DNS outcome."""
    delist: str | None = None
    """Where the owner looks the listing up and asks for removal (listed and policy states)."""


class BlocklistCheck(CheckResult):
    ips: list[str] = Field(default_factory=list)
    """The addresses looked up (the sending IPs given)."""
    domains: list[str] = Field(default_factory=list)
    """The domains looked up: the audited domain and, when it differs, its organisational domain."""
    results: list[ListingResult] = Field(default_factory=list)
    listed: bool = False
    """A reputation listing was found (a policy listing alone does not count)."""
