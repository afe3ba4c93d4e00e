"""Result model of recover_access. Cheap to import: pydantic and the shared models only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from alimail_mcp.models import ToolResult

RecoveryPath = Literal["self-service-reset", "unlock-account", "qr-login", "contact-admin", "webmail-service"]
"""`contact-admin`: only an administrator can help; `webmail-service`: an account state, not a lock."""

FactName = Literal[
    "forgot_password",
    "has_secure_phone",
    "has_security_questions",
    "locked",
    "lock_lifted",
    "locked_at",
    "has_app",
    "app_logged_in",
    "is_admin",
    "account_state",
    "now",
]


class InferredFact(BaseModel):
    """A fact read from the description; `evidence` is the phrase that triggered it (quoted, truncated)."""

    fact: FactName
    value: bool | str
    evidence: str


class AssumedFact(BaseModel):
    """A fact nobody stated, taken as `value` for the plan; `reason` says why."""

    fact: FactName
    value: bool | str | None
    reason: str


class AccountState(BaseModel):
    """A recognised account state that is not a lockout (AccountFrozen, AccountBlocked, ..., 503)."""

    id: str
    reason: str
    evidence: str


class Fallback(BaseModel):
    """What to try next, in order, when the path before fails."""

    path: RecoveryPath
    step: str


class RecoveryPlan(ToolResult):
    """One recovery path for the situation, with its ordered steps, times and fallbacks."""

    path: RecoveryPath  # type: ignore[assignment]
    steps: list[str] = Field(default_factory=list)
    unlock_at: str | None = None
    """When a lock lifts by itself (ISO 8601 with offset); None when no lock or its start is unknown."""
    minutes_remaining: int | None = None
    """Whole minutes until `unlock_at` (rounded up), 0 once it has passed."""
    needs_admin: bool = False
    """True when the plan cannot succeed without an administrator (postmaster); a lock that lifts by
    itself does not need one, though `admin_steps` say how one can lift it sooner."""
    fallbacks: list[Fallback] = Field(default_factory=list)
    admin_steps: list[str] = Field(default_factory=list)
    """Steps for the administrator (postmaster), when one is needed or the caller is one."""
    what_to_send_admin: list[str] = Field(default_factory=list)
    """What the user should tell the administrator, when the plan goes through one."""
    inferred: list[InferredFact] = Field(default_factory=list)
    assumed: list[AssumedFact] = Field(default_factory=list)
    account_state: AccountState | None = None
