"""Result models of the DNS checks. Plain pydantic: importing this never loads dnspython."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import Finding

CheckStatus = Literal["ok", "warning", "error", "unreachable"]
"""`unreachable`: the check could not complete (timeout, SERVFAIL); nothing is claimed missing."""


class CheckResult(BaseModel):
    """What one check (mx, spf, dkim, dmarc, webmail_cname) saw and concluded."""

    status: CheckStatus
    records: list[str] = Field(default_factory=list)
    """The records the check read, as published (evidence, not our words)."""
    findings: list[Finding] = Field(default_factory=list)
