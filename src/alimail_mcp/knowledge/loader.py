"""Find and read the knowledge base (skills/) into typed models, failing with the file and field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.provider import Provider

M = TypeVar("M", bound=BaseModel)


@cache
def skills_dir() -> Path:
    """The skills/ folder: inside the installed package, else at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "skills", here.parent.parent / "skills"):
        if (candidate / "provider.yaml").is_file():
            return candidate
    raise KnowledgeError("skills/", "knowledge base folder not found next to the package or the checkout")


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(_rel(path), f"cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise KnowledgeError(_rel(path), f"not valid YAML: {exc}") from None


def validate(model: type[M], data: Any, path: Path) -> M:
    """Validate `data` against `model`; on failure name the file and the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise KnowledgeError(_rel(path), f"field {where}: {err['msg']}{more}") from None


@cache
def load_provider() -> Provider:
    path = skills_dir() / "provider.yaml"
    return validate(Provider, read_yaml(path), path)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(skills_dir().parent))
    except (ValueError, KnowledgeError):
        return str(path)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
