"""The knowledge base compiled once: each loader's validated models kept on disk, keyed by the content of
skills/, so later processes skip YAML parsing and validation (about 0.25 s of a CLI run). The public
suffix list, parsed from its library's data file, is kept the same way (another 0.25 s).

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
from alimail_mcp.knowledge.location import skills_dir

T = TypeVar("T")

_PACKAGE = Path(__file__).resolve().parents[1]

FORMAT = 1  # bump when what a part holds changes shape without a model or skills/ change


def compiled(
    name: str, also: Callable[[], tuple[str, ...]] | None = None
) -> Callable[[Callable[[], T]], _lru_cache_wrapper[T]]:
    """Cache a knowledge loader in memory (like functools.cache) and, across processes, on disk.

    `also`: for data that does not come from skills/ (a library's own data file), what else the part
    depends on, e.g. the library's version; it joins the part's file name."""

    def wrap(build: Callable[[], T]) -> _lru_cache_wrapper[T]:
        def load() -> T:
            folder = cache_folder()
            if folder is None:
                return build()
            suffix = ""
            if also is not None:
                suffix = "-" + hashlib.sha256("\0".join(also()).encode()).hexdigest()[:12]
            path = folder / f"{name}{suffix}.pickle"
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
    """A digest of every file under skills/, of the package's code that reads them (each module's size
    and modification time: an edited model never reads a part pickled by the old one) and of the
    interpreter and pydantic versions."""
    import pydantic

    digest = hashlib.sha256(f"{FORMAT} {pydantic.VERSION} {sys.version}".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)} {stat.st_size} {stat.st_mtime_ns}\0".encode())
    root = skills_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _read(path: Path) -> Any:
    """A compiled part, or None to rebuild it: missing, cut short, or not safe to unpickle (a file another
    user owns or could have written)."""
    try:
        with path.open("rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            return pickle.load(handle)
    except Exception:  # missing, cut short, or written by something else: rebuild it
        return None


def _trusted(stat: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):
        return True  # no POSIX owners (Windows): the folder's own permissions decide
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def _write(path: Path, value: object) -> None:
    """Write atomically (a concurrent reader sees no part or a whole one); failing is harmless: the cache
    only saves time."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    temp: str | None = None
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True)
            _prune(path.parent.parent, keep=path.parent)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


KEEP = 4
"""Compiled folders kept side by side (other installations or versions may share the cache)."""


def _prune(base: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently made folders of compiled parts (each skills/ or code change
    makes a new one): the cache does not grow with every upgrade."""
    import shutil

    with contextlib.suppress(OSError):
        folders = sorted(
            (p for p in base.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime
        )
        for old in folders[: max(0, len(folders) - (KEEP - 1))]:
            shutil.rmtree(old, ignore_errors=True)
