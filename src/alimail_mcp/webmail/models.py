"""Result models of check_webmail. Cheap to import: pydantic and the shared models only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import ResolverReport, ToolResult

FetchOutcome = Literal["ok", "redirect", "http-error", "tls-error", "unreachable", "refused", "skipped"]
"""`refused`: the address is not on the public internet (outbound.py), so nothing was sent to it;
`skipped`: not checked, because the name gave no address to fetch."""


class FetchResult(BaseModel):
    """One fetch of `http://` or `https://` on the webmail name, at the resolver's address.
    No body is kept."""

    scheme: Literal["http", "https"]
    url: str
    address: str | None = None
    outcome: FetchOutcome
    status_code: int | None = None
    location: str | None = None
    """Where the last redirect leads (evidence, truncated), when it is not followed: it leaves the
    scheme, name or port the fetch started on (http:// to https:// included; that scheme is fetched
    on its own)."""
    redirects: list[str] = Field(default_factory=list)
    """Redirects followed on the same scheme, name and port (e.g. to a login path)."""
    server: str | None = None
    """The Server header (evidence, truncated)."""
    tls_error: str | None = None
    certificate_names: list[str] = Field(default_factory=list)
    error: str | None = None
    elapsed_ms: float = 0.0


class WebmailResult(ToolResult):
    """What mail.<domain> resolves to and what it answers over http:// and https://."""

    domain: str
    name: str
    """The webmail name checked: mail.<domain>."""
    cname_chain: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    official_address: str
    """The official webmail address to use instead (the site's), e.g. https://qiye.aliyun.com."""
    fetches: list[FetchResult] = Field(default_factory=list)
    admin_steps: list[str] = Field(default_factory=list)
    """What an administrator does next, when a 5xx answer points at service or account state."""
    resolver: ResolverReport | None = None
    """The resolver asked for the record and whether it answered."""
