"""The knowledge base compiled once: each loader's validated models kept on disk, keyed by the content of
skills/, so later processes skip YAML parsing and validation (about 0.25 s of a CLI run).

A compiled part is a pickle of models built by this package's own loaders, stored in the user's cache
folder (or ALIMAIL_MCP_KNOWLEDGE_CACHE; `off` turns it off). The key covers every byte under skills/,
the package and pydantic versions and the Python version, so an edited skill file, an upgrade or another
interpreter never reads a stale part; an unreadable or corrupt part is rebuilt from the YAML.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import _lru_cache_wrapper, cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from alimail_mcp.config import ENV_KNOWLEDGE_CACHE

T = TypeVar("T")

FORMAT = 1  # bump when what a part holds changes shape without a model or skills/ change


def compiled(name: str) -> Callable[[Callable[[], T]], _lru_cache_wrapper[T]]:
    """Cache a knowledge loader in memory (like functools.cache) and, across processes, on disk."""

    def wrap(build: Callable[[], T]) -> _lru_cache_wrapper[T]:
        def load() -> T:
            folder = cache_folder()
            if folder is None:
                return build()
            path = folder / f"{name}.pickle"
            part = _read(path)
            if part is not None:
                return part  # type: ignore[no-any-return]
            value = build()
            _write(path, value)
            return value

        return cache(wraps(build)(load))

    return wrap


def cache_folder() -> Path | None:
    """Where compiled parts of the current skills/ live, or None when the cache is off."""
    setting = os.environ.get(ENV_KNOWLEDGE_CACHE, "").strip()
    if setting.lower() == "off":
        return None
    base = Path(setting) if setting else _user_cache()
    return base / _key()


def _user_cache() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "alimail-mcp"


@cache
def _key() -> str:
    """A digest of every file under skills/ and of what reads them."""
    import pydantic

    from alimail_mcp import __version__
    from alimail_mcp.knowledge.loader import skills_dir

    root = skills_dir()
    digest = hashlib.sha256(f"{FORMAT} {__version__} {pydantic.VERSION} {sys.version}".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, cut short, or written by something else: rebuild it
        return None


def _write(path: Path, value: object) -> None:
    """Write atomically (a concurrent reader sees no part or a whole one); failing is harmless: the cache
    only saves time."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
