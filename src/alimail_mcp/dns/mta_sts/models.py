"""Result model of the MTA-STS check. Plain pydantic: importing this never loads dnspython or httpx."""

from __future__ import annotations

from pydantic import BaseModel, Field

from alimail_mcp.dns.models import CheckResult


class PolicyFetch(BaseModel):
    url: str
    address: str | None = None
    """The address fetched from: our resolver's answer for the policy host, allowed by the outbound policy."""
    outcome: str
    """ok, http-error, redirect, tls-error, unreachable, timeout, too-large, no-address, target-refused."""
    status_code: int | None = None
    content_type: str | None = None
    error: str | None = None


class MtaStsCheck(CheckResult):
    record: str | None = None
    id: str | None = None
    """The policy id of the TXT record."""
    fetch: PolicyFetch | None = None
    policy: str | None = None
    """The policy as served (evidence, cut)."""
    mode: str | None = None
    max_age: int | None = None
    mx_patterns: list[str] = Field(default_factory=list)
    mx_hosts: list[str] = Field(default_factory=list)
    """The domain's MX hosts the patterns were compared with."""
    uncovered_hosts: list[str] = Field(default_factory=list)
    """MX hosts no pattern matches: senders that apply the policy refuse to deliver to them."""
