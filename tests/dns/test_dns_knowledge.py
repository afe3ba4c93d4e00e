"""skills/dns.yaml holds the words of every DNS finding: every text a check names exists, every text
is named by a check, and a broken file is reported with its name and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import alimail_mcp.dns
from alimail_mcp.dns.finding import QUOTED_CHARS, quoted
from alimail_mcp.dns.knowledge import DnsKnowledge, load_dns
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate

SOURCES = Path(alimail_mcp.dns.__file__).parent
_DOTTED = re.compile(
    r'"((?:mx|spf|dkim|dmarc|webmail_cname|dns|tags|blocklist|mta_sts|tls_rpt|bimi|dnssec)\.[a-z0-9.-]+)"'
)
_PIECE = re.compile(r'\b(step|subject)\(\s*"([a-z0-9-]+)"')


def sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(SOURCES.rglob("*.py")))


def test_every_text_a_check_names_exists_and_every_text_is_named() -> None:
    kb = load_dns()
    code = sources()
    named = set(_DOTTED.findall(code)) - {"dns.yaml"}
    codes = {kb.code_of(key) for key in kb.findings}
    assert named - set(kb.findings) - codes - set(kb.problems) == set()
    assert set(kb.findings) - named == set()
    assert set(kb.problems) - named == set()
    pieces = {(kind, key) for kind, key in _PIECE.findall(code)}
    assert {key for kind, key in pieces if kind == "step"} == set(kb.steps)
    assert {key for kind, key in pieces if kind == "subject"} == set(kb.subjects)


def test_provider_values_are_filled_in() -> None:
    kb = load_dns()
    provider = load_provider()
    assert provider.spf.recommended_record in kb.findings["spf.missing"].fix[0]
    assert provider.console.admin_url in kb.findings["dkim.missing"].fix[0]
    every = [t for text in kb.findings.values() for t in (text.title, text.detail, *text.fix)]
    assert not [t for t in every if "{{" in t]


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(skills_dir() / "dns.yaml")
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mx.missing.nxdomain": {"severity": "error", "title": "x"}}, "findings"),
        ({"mx.missing": {"severity": "fatal", "title": "x"}}, "findings.mx.missing.severity"),
        ({"mx.missing": {"severity": "ok", "title": "x"}}, "findings"),
    ],
)
def test_a_broken_text_is_named_with_its_field(change: dict[str, Any], field: str, tmp_path: Path) -> None:
    data = shipped()
    data["findings"] = {**data["findings"], **change}
    with pytest.raises(KnowledgeError) as error:
        validate(DnsKnowledge, data, tmp_path / "dns.yaml")
    assert "dns.yaml" in str(error.value) and f"field {field}" in str(error.value)


def test_an_unknown_provider_value_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import alimail_mcp.dns.knowledge as knowledge

    text = (skills_dir() / "dns.yaml").read_text(encoding="utf-8")
    (tmp_path / "dns.yaml").write_text(text.replace("{{console.admin_url}}", "{{console.nowhere}}"))
    monkeypatch.setattr(knowledge, "skills_dir", lambda: tmp_path)
    knowledge.load_dns.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match=r"dns.yaml.*dkim.missing.*console.nowhere"):
            knowledge.load_dns()
    finally:
        knowledge.load_dns.cache_clear()


def _texts(kb: DnsKnowledge) -> dict[str, list[str]]:
    """Every text of the file by the place it takes in a finding: our words, and fix steps."""
    words = [*kb.subjects.values(), *kb.problems.values()]
    words += [t for text in kb.findings.values() for t in (text.title, text.detail)]
    fixes = [*kb.steps.values(), *(step for text in kb.findings.values() for step in text.fix)]
    return {"words": words, "fixes": fixes}


def test_names_read_from_dns_stand_only_quoted_in_fix_steps() -> None:
    """Titles, details, subjects and problems take no `{quoted_*}` value (a name DNS holds); fix steps may,
    and quoting is the only double quote in the file, which is how a step showing one is recognised."""
    texts = _texts(load_dns())
    assert not [t for t in texts["words"] if "{quoted_" in t]
    assert any("{quoted_" in t for t in texts["fixes"])
    assert not [t for t in texts["words"] + texts["fixes"] if '"' in t]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("mx.attacker.test", '"mx.attacker.test"'),
        ('a"b.test', '"a\\034b.test"'),
        ('a\\"b.test', '"a\\092\\034b.test"'),
        ("two\nlines words", '"two\\010lines\\032words"'),
        ("bücher.test", '"b\\195\\188cher.test"'),
    ],
)
def test_a_quoted_value_cannot_end_the_quotation(value: str, shown: str) -> None:
    assert quoted(value) == shown


def test_a_quoted_value_is_cut() -> None:
    shown = quoted("x" * 1000)
    assert len(shown) == QUOTED_CHARS + 2 and shown.endswith('…"') and shown.count('"') == 2
