"""The compiled knowledge cache: a part read back equals the one built from YAML, an edit under skills/
makes a new key, a corrupt part is rebuilt, `off` writes nothing, and a new process reads the part."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alimail_mcp.config import ENV_KNOWLEDGE_CACHE
from alimail_mcp.knowledge import compiled as compiled_module
from alimail_mcp.knowledge import loader
from alimail_mcp.knowledge.compiled import cache_folder, compiled


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(ENV_KNOWLEDGE_CACHE, str(tmp_path / "cache"))
    compiled_module._key.cache_clear()
    yield tmp_path / "cache"
    compiled_module._key.cache_clear()


def _counting_loader(name: str, value: object) -> tuple[object, list[int]]:
    builds: list[int] = []

    @compiled(name)
    def load() -> object:
        builds.append(1)
        return value

    return load, builds


def test_a_part_is_built_once_and_read_back_equal(cache_dir: Path) -> None:
    from alimail_mcp.knowledge.loader import _read_knowledge

    fresh = _read_knowledge(loader.skills_dir())
    load, builds = _counting_loader("kb-test", fresh)
    assert load() == fresh  # type: ignore[operator]
    assert (cache_folder() / "kb-test.pickle").is_file()  # type: ignore[operator]
    load.cache_clear()  # type: ignore[attr-defined]
    again = load()  # type: ignore[operator]
    assert again == fresh and again is not fresh
    assert builds == [1]


def test_an_edit_under_skills_changes_the_key(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "skills"
    shutil.copytree(loader.skills_dir(), copy)
    monkeypatch.setattr(compiled_module, "skills_dir", lambda: copy)
    compiled_module._key.cache_clear()
    before = cache_folder()
    (copy / "routing.yaml").write_text((copy / "routing.yaml").read_text(encoding="utf-8") + "\n# edited\n")
    compiled_module._key.cache_clear()
    assert cache_folder() != before and cache_folder().parent == before.parent  # type: ignore[union-attr]


def test_a_corrupt_part_is_rebuilt(cache_dir: Path) -> None:
    load, builds = _counting_loader("corrupt-test", {"a": 1})
    folder = cache_folder()
    assert folder is not None
    folder.mkdir(parents=True)
    (folder / "corrupt-test.pickle").write_bytes(b"\x80\x05not a pickle")
    assert load() == {"a": 1}  # type: ignore[operator]
    assert builds == [1]


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KNOWLEDGE_CACHE, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load, _ = _counting_loader("off-test", [1, 2])
    assert load() == [1, 2] and cache_folder() is None  # type: ignore[operator]
    assert not any(tmp_path.iterdir())


def test_an_unwritable_folder_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_KNOWLEDGE_CACHE, str(blocker))
    load, builds = _counting_loader("unwritable-test", "value")
    assert load() == "value" and builds == [1]  # type: ignore[operator]


def test_a_second_process_reads_what_the_first_compiled(cache_dir: Path) -> None:
    script = (
        "from alimail_mcp.knowledge.loader import load_knowledge; "
        "from alimail_mcp.dns.knowledge import load_dns; "
        "print(len(load_knowledge().paths), len(load_dns().findings))"
    )
    env = {**os.environ, ENV_KNOWLEDGE_CACHE: str(cache_dir)}
    first = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    parts = sorted(p.name for p in cache_dir.rglob("*.pickle"))
    assert parts == ["dns.pickle", "knowledge.pickle", "provider.pickle"]
    written = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache_dir.rglob("*.pickle")}
    second = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert first.stdout == second.stdout and int(first.stdout.split()[0]) == 12
    # nothing was rebuilt: a rebuilt part is written anew (a new file replaces the old one)
    assert written == {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache_dir.rglob("*.pickle")}


def test_old_compiled_folders_are_pruned(cache_dir: Path) -> None:
    """Each change of skills/ or of the code makes a new folder; only the newest few are kept."""
    cache_dir.mkdir(parents=True)
    for n in range(6):
        old = cache_dir / f"old{n}"
        old.mkdir()
        os.utime(old, (1000 + n, 1000 + n))
    load, _ = _counting_loader("prune-test", 1)
    assert load() == 1  # type: ignore[operator]
    left = sorted(p.name for p in cache_dir.iterdir())
    current = cache_folder()
    assert current is not None and current.name in left
    assert len(left) == compiled_module.KEEP and "old5" in left and "old0" not in left


def test_a_part_others_could_write_is_not_unpickled(cache_dir: Path) -> None:
    load, builds = _counting_loader("shared-test", {"safe": True})
    assert load() == {"safe": True}  # type: ignore[operator]
    part = cache_folder() / "shared-test.pickle"  # type: ignore[operator]
    part.chmod(0o666)
    load.cache_clear()  # type: ignore[attr-defined]
    assert load() == {"safe": True} and builds == [1, 1]  # type: ignore[operator]
