"""The knowledge base loads, matches the design's taxonomy, and a broken file is named with its field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.facts import PLACEHOLDER, UnknownFact, fill, provider_facts
from alimail_mcp.knowledge.loader import load_knowledge, skills_dir

# The taxonomy table of design.md: intent -> [(path, detail skill)], default path first.
DESIGN = {
    "configure-communication": [
        ("dns-auth", "guide/alimail-configuration"),
        ("sender-filters", "guide/alimail-security"),
        ("smime", "guide/alimail-security"),
    ],
    "recover-access": [
        ("self-service-reset", "troubleshooting/alimail-security"),
        ("unlock-account", "troubleshooting/alimail-account"),
        ("qr-login", "guide/alimail-account"),
    ],
    "resolve-failure": [
        ("dns-authorization", "troubleshooting/alimail-email-delivery"),
        ("webmail-service", "troubleshooting/alimail-service"),
        ("client-config", "guide/alimail-configuration"),
    ],
    "troubleshoot-received": [
        ("mailbox-settings", "troubleshooting/alimail-email"),
        ("dns-delivery", "troubleshooting/alimail-email-delivery"),
        ("spam-filtering", "troubleshooting/alimail-security"),
    ],
}
DETAILS = {
    "alimail/guide/alimail-security",
    "alimail/guide/alimail-configuration",
    "alimail/guide/alimail-account",
    "alimail/troubleshooting/alimail-email-delivery",
    "alimail/troubleshooting/alimail-service",
    "alimail/troubleshooting/alimail-email",
    "alimail/troubleshooting/alimail-security",
    "alimail/troubleshooting/alimail-account",
}


def test_every_shipped_file_loads_into_the_design_taxonomy() -> None:
    kb = load_knowledge()
    assert {i.intent for i in kb.intents} == set(DESIGN)
    assert {d.id for d in kb.details} == DETAILS
    for intent, paths in DESIGN.items():
        skill = kb.intent(intent)
        assert skill.id == f"alimail/alimail-{intent}"
        assert skill.default_path == paths[0][0]
        assert {p.id for p in skill.paths} == {p for p, _ in paths}
        for path_id, detail in paths:
            assert kb.path(path_id).spec.skill == f"alimail/{detail}"
            assert kb.path(path_id).intent is skill
    assert kb.path_skills()["client-config"] == "alimail/guide/alimail-configuration"
    assert len(kb.paths) == 12


def test_loading_is_cached_for_the_default_root() -> None:
    assert load_knowledge() is load_knowledge()


def test_every_path_is_complete_and_bilingual() -> None:
    kb = load_knowledge()
    for ref in kb.paths:
        spec = ref.spec
        assert spec.when_to_use and spec.when_not_to_use and spec.limitations and spec.key_fact
        assert len(spec.steps) >= 3, spec.id
        assert spec.pitfalls, spec.id
        assert any(g.en for g in spec.vocabulary) and any(g.zh for g in spec.vocabulary), spec.id


def test_error_strings_from_the_seed_are_routing_vocabulary() -> None:
    kb = load_knowledge()
    words = {t.lower() for ref in kb.paths for g in ref.spec.vocabulary for t in g.terms}
    for needle in (
        "550",
        "554",
        "503",
        "spf check failed",
        "eso_local_spam",
        "accountfrozen",
        "too many password errors",
        "service unavailable",
    ):
        assert needle in words, needle


def test_provider_values_are_filled_in_and_none_is_left_over() -> None:
    kb = load_knowledge()
    texts = [d.body for d in kb.details] + [i.body for i in kb.intents]
    texts += [s for ref in kb.paths for s in (*ref.spec.steps, ref.spec.key_fact, *ref.spec.limitations)]
    assert not [t for t in texts if PLACEHOLDER.search(t) or "{{" in t]
    qr = kb.path("qr-login").spec
    assert f"{kb.provider.limits.qr_code_valid_minutes} minutes" in qr.key_fact
    smtp = kb.provider.server("smtp")
    assert f"{smtp.host} port {smtp.ssl_port}" in kb.path("client-config").spec.key_fact
    delivery = kb.detail("alimail/troubleshooting/alimail-email-delivery").body
    assert kb.provider.spf.recommended_record in delivery


def test_provider_facts_address_lists_by_id_and_render_mx_sets() -> None:
    kb = load_knowledge()
    facts = provider_facts(kb.provider)
    assert facts["servers.imap.ssl_port"] == str(kb.provider.server("imap").ssl_port)
    assert facts["sites.hong-kong.webmail"] == "mail.hk.aliyun.com"
    first = kb.provider.recommended_mx.records[0]
    assert facts["mx_sets.qiye.records"].startswith(f"{first.host} (priority {first.priority})")
    assert (
        fill("{{ limits.mailbox_capacity_gb }} GB", facts) == f"{kb.provider.limits.mailbox_capacity_gb} GB"
    )
    with pytest.raises(UnknownFact):
        fill("{{limits.nothing}}", facts)


# --- broken copies -------------------------------------------------------------------------------


@pytest.fixture
def skills_copy(tmp_path: Path) -> Path:
    root = tmp_path / "skills"
    shutil.copytree(skills_dir(), root)
    return root


def _edit_front(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front)
    change(data)
    path.write_text(
        "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body, encoding="utf-8"
    )


def _intent_file(root: Path, name: str = "resolve-failure") -> Path:
    return root / "alimail" / "intents" / f"alimail-{name}.md"


def _problem(root: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value


def test_an_unchanged_copy_loads(skills_copy: Path) -> None:
    kb = load_knowledge(skills_copy)
    assert len(kb.paths) == 12
    assert kb is not load_knowledge()


def test_missing_field_names_file_and_field(skills_copy: Path) -> None:
    _edit_front(_intent_file(skills_copy), lambda d: d["paths"][0].pop("key_fact"))
    err = _problem(skills_copy)
    assert "alimail-resolve-failure.md" in err.file
    assert "paths.0.key_fact" in err.problem and "required" in err.problem.lower()


def test_wrong_type_names_file_and_field(skills_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["paths"][1]["vocabulary"][0]["weight"] = "heavy"

    _edit_front(_intent_file(skills_copy), change)
    err = _problem(skills_copy)
    assert "alimail-resolve-failure.md" in err.file
    assert "paths.1.vocabulary.0.weight" in err.problem


def test_unknown_path_id_names_file_and_field(skills_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["paths"][2]["id"] = "carrier-pigeon"

    _edit_front(_intent_file(skills_copy, "recover-access"), change)
    err = _problem(skills_copy)
    assert "alimail-recover-access.md" in err.file
    assert "paths.2.id" in err.problem


def test_default_path_outside_the_intent_is_rejected(skills_copy: Path) -> None:
    _edit_front(_intent_file(skills_copy), lambda d: d.update(default_path="smime"))
    err = _problem(skills_copy)
    assert "alimail-resolve-failure.md" in err.file and "default_path" in err.problem


def test_bad_yaml_names_the_file(skills_copy: Path) -> None:
    path = _intent_file(skills_copy, "troubleshoot-received")
    path.write_text(
        path.read_text(encoding="utf-8").replace("title:", "title: [unclosed", 1), encoding="utf-8"
    )
    err = _problem(skills_copy)
    assert "alimail-troubleshoot-received.md" in err.file
    assert "not valid YAML" in err.problem and "line" in err.problem


def test_missing_front_matter_names_the_file(skills_copy: Path) -> None:
    path = skills_copy / "alimail" / "guide" / "alimail-account.md"
    path.write_text("# just markdown\n\n1. a step\n", encoding="utf-8")
    err = _problem(skills_copy)
    assert "alimail-account.md" in err.file and "front matter" in err.problem


def test_unknown_provider_value_names_field_and_value(skills_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["paths"][0]["steps"][1] = "Wait {{limits.coffee_break_minutes}} minutes."

    _edit_front(_intent_file(skills_copy), change)
    err = _problem(skills_copy)
    assert "paths.0.steps.1" in err.problem and "limits.coffee_break_minutes" in err.problem


def test_path_pointing_at_a_missing_detail_skill(skills_copy: Path) -> None:
    (skills_copy / "alimail" / "troubleshooting" / "alimail-service.md").unlink()
    err = _problem(skills_copy)
    assert "alimail-resolve-failure.md" in err.file
    assert "paths.1.skill" in err.problem and "alimail/troubleshooting/alimail-service" in err.problem


def test_detail_skill_missing_title(skills_copy: Path) -> None:
    _edit_front(skills_copy / "alimail" / "guide" / "alimail-security.md", lambda d: d.pop("title"))
    err = _problem(skills_copy)
    assert "alimail-security.md" in err.file and "title" in err.problem


def test_detail_skill_id_must_match_its_file(skills_copy: Path) -> None:
    _edit_front(
        skills_copy / "alimail" / "guide" / "alimail-security.md",
        lambda d: d.update(id="alimail/guide/alimail-secrets"),
    )
    err = _problem(skills_copy)
    assert "alimail-security.md" in err.file and "field id" in err.problem


def test_chinese_term_without_chinese_is_rejected(skills_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["paths"][0]["vocabulary"][0]["zh"] = ["SPF"]

    _edit_front(_intent_file(skills_copy, "configure-communication"), change)
    err = _problem(skills_copy)
    assert "paths.0.vocabulary.0.zh" in err.problem


def test_routing_file_with_positive_off_topic_weight(skills_copy: Path) -> None:
    path = skills_copy / "routing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["off_topic"][0]["weight"] = 2
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = _problem(skills_copy)
    assert "routing.yaml" in err.file and "off_topic" in err.problem
