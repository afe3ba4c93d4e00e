"""check-skills validates every knowledge-base file and names the broken one with its field."""

from __future__ import annotations

import pytest

from alimail_mcp.cli import main
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge import validate


def test_every_shipped_file_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-skills"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok ") == len(validate.LOADERS)
    assert "BROKEN" not in out


def test_a_broken_part_is_named_and_the_rest_still_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import alimail_mcp.recovery.knowledge as recovery

    def broken() -> None:
        raise KnowledgeError("skills/recovery.yaml", "field paths.0.steps: Field required")

    monkeypatch.setattr(recovery, "load_recovery", broken)
    assert main(["check-skills"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN recovery.yaml" in out
    assert "skills/recovery.yaml: field paths.0.steps: Field required" in out
    assert out.count("ok ") == len(validate.LOADERS) - 1
