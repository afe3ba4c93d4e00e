"""Where the knowledge base (skills/) is: the one fact both the loaders and the compiled cache need."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alimail_mcp.errors import KnowledgeError


@cache
def skills_dir() -> Path:
    """The skills/ folder: inside the installed package, else at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "skills", here.parent.parent / "skills"):
        if (candidate / "provider.yaml").is_file():
            return candidate
    raise KnowledgeError("skills/", "knowledge base folder not found next to the package or the checkout")
