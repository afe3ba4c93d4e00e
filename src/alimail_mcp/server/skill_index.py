"""What the server lists at start-up: each skill's URI, name, title and description, and the prompts.

Read from the head of each skill file (the fields before the long ones) without building the typed
knowledge base, so listing costs a few milliseconds. The full, validated knowledge base
(loader.load_knowledge) is what renders a resource or a prompt when one is read; a test keeps the
two in agreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.loader import display_path, read_yaml, skills_dir, split_front_matter

URI_SCHEME = "skill://"
PROVIDER_ID = "alimail/provider"
PROVIDER_DESCRIPTION = "Accepted MX, SPF and webmail CNAME values, client servers, ports, sites and limits."
MIME_TYPE = "text/markdown"
DETAIL_KINDS = ("guide", "troubleshooting")
_HEAD_END = re.compile(r"^(typical_questions|default_path|default_reason|vocabulary|paths):", re.MULTILINE)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CatalogEntry:
    """One resource as listed: `uri` is skill://<skill id>, `name` the skill id."""

    uri: str
    name: str
    title: str
    description: str
    mime_type: str = MIME_TYPE


@dataclass(frozen=True)
class PromptEntry:
    """One prompt as listed; `intent` is what prompts.intent_prompt() takes."""

    name: str
    intent: str
    title: str
    description: str


def skill_uri(skill_id: str) -> str:
    return f"{URI_SCHEME}{skill_id}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def provider_title(provider_name: str) -> str:
    return f"{provider_name} provider profile"


def prompt_name(intent_skill_id: str) -> str:
    return intent_skill_id.rsplit("/", 1)[-1]


def prompt_description(intent_title: str) -> str:
    return (
        f"Walk through '{intent_title}' for the user's situation: choose the path that fits, then its steps."
    )


def intent_files(root: Path) -> list[Path]:
    return sorted((root / "alimail" / "intents").glob("*.md"))


def detail_files(root: Path) -> list[Path]:
    return [path for kind in DETAIL_KINDS for path in sorted((root / "alimail" / kind).glob("*.md"))]


def skill_catalog(root: Path | None = None) -> list[CatalogEntry]:
    """Intent skills, detail skills (guides, then troubleshooting), then the provider profile."""
    return list(_catalog(root or skills_dir())[0])


def prompt_catalog(root: Path | None = None) -> list[PromptEntry]:
    """One prompt per intent skill, in file order."""
    return list(_catalog(root or skills_dir())[1])


@cache
def _catalog(root: Path) -> tuple[tuple[CatalogEntry, ...], tuple[PromptEntry, ...]]:
    entries: list[CatalogEntry] = []
    prompts: list[PromptEntry] = []
    for path in intent_files(root):
        head = _head(path)
        entries.append(_entry(head, path))
        prompts.append(
            PromptEntry(
                name=prompt_name(head["id"]),
                intent=_field(head, "intent", path),
                title=head["title"],
                description=prompt_description(head["title"]),
            )
        )
    entries += [_entry(_head(path), path) for path in detail_files(root)]
    provider = read_yaml(root / "provider.yaml")
    name = provider.get("name") if isinstance(provider, dict) else None
    if not isinstance(name, str):
        raise KnowledgeError("provider.yaml", "field name: missing")
    entries.append(
        CatalogEntry(skill_uri(PROVIDER_ID), PROVIDER_ID, provider_title(name), PROVIDER_DESCRIPTION)
    )
    return tuple(entries), tuple(prompts)


def _entry(head: dict[str, Any], path: Path) -> CatalogEntry:
    skill_id = _field(head, "id", path)
    return CatalogEntry(
        uri=skill_uri(skill_id),
        name=skill_id,
        title=_field(head, "title", path),
        description=one_line(_field(head, "description", path)),
    )


def _head(path: Path) -> dict[str, Any]:
    """The front matter's leading fields (id, intent or kind, title, description), parsed alone."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(display_path(path), f"cannot read: {exc.strerror}") from None
    front, _ = split_front_matter(text, path)
    cut = _HEAD_END.search(front)
    try:
        head = yaml.load(front[: cut.start()] if cut else front, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise KnowledgeError(display_path(path), f"front matter is not valid YAML: {exc}") from None
    if not isinstance(head, dict):
        raise KnowledgeError(display_path(path), "front matter must be a mapping of fields")
    return head


def _field(head: dict[str, Any], name: str, path: Path) -> str:
    value = head.get(name)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(display_path(path), f"field {name}: missing or not text")
    return value
