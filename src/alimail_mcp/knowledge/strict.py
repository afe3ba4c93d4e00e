"""The one base model of the knowledge base: a skills/ file with an unknown or misspelt key fails to load."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Frozen, and an unknown field is an error (a typo in skills/ is caught, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
