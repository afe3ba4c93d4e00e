"""check-skills validates every knowledge-base file and names the broken one with its field."""

from __future__ import annotations

import re

import pytest

from alimail_mcp.cli import main
from alimail_mcp.cli.check_skills import parts
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.loader import skills_dir


def test_every_shipped_file_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-skills"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok ") == len(parts())
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
    assert out.count("ok ") == len(parts()) - 1


@pytest.mark.parametrize("part", ["dns.yaml", "receivers.yaml"])
def test_the_dns_texts_and_the_receiver_registry_are_checked(
    part: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-skills"]) == 0
    assert re.search(rf"\bok\s+{re.escape(part)}\b", capsys.readouterr().out)


def test_every_yaml_file_of_the_knowledge_base_has_a_loader() -> None:
    named = " ".join(files for files, _ in parts())
    for path in skills_dir().glob("*.yaml"):
        assert path.name in named, f"{path.name} is not validated by check-skills"
