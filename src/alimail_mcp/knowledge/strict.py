"""The one base model of the knowledge base: a skills/ file with an unknown or misspelt key fails to load."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Frozen, and an unknown field is an error (a typo in skills/ is caught, not ignored)."""

    # defer_build: a knowledge model read back from the compiled cache (knowledge/compiled.py) is never
    # validated again, so its validator is built only when skills/ are compiled, not in every process.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
