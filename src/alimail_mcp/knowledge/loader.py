"""Find and read the knowledge base (skills/) into typed models, failing with the file and field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree
from alimail_mcp.knowledge.location import skills_dir as skills_dir  # re-exported: loaders use it from here

if TYPE_CHECKING:
    # Imported where used: the server's start-up only needs skills_dir() and the catalog.
    from alimail_mcp.knowledge.knowledge_base import KnowledgeBase
    from alimail_mcp.knowledge.provider import Provider
    from alimail_mcp.knowledge.skill_models import IntentSkill

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(_rel(path), f"cannot read: {exc.strerror}") from None
    try:
        return _yaml_load(text)
    except _yaml_error() as exc:
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


@compiled("provider")
def load_provider() -> Provider:
    from alimail_mcp.knowledge.provider import Provider

    path = skills_dir() / "provider.yaml"
    return validate(Provider, read_yaml(path), path)


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Every skill file under `root` (default: the shipped skills/), validated; cached for the default.

    Raises KnowledgeError naming the file and the field of the first problem found.
    """
    if root is None:
        return _default_knowledge()
    return _read_knowledge(root)


@compiled("knowledge")
def _default_knowledge() -> KnowledgeBase:
    return _read_knowledge(skills_dir())


def _read_knowledge(root: Path) -> KnowledgeBase:
    from alimail_mcp.knowledge.facts import provider_facts
    from alimail_mcp.knowledge.knowledge_base import KnowledgeBase
    from alimail_mcp.knowledge.provider import Provider
    from alimail_mcp.knowledge.skill_models import DetailSkill, IntentSkill, RoutingVocabulary

    provider_path = root / "provider.yaml"
    provider = validate(Provider, read_yaml(provider_path), provider_path)
    facts = provider_facts(provider)
    routing_path = root / "routing.yaml"
    routing = validate(RoutingVocabulary, read_yaml(routing_path), routing_path)
    intent_files = sorted((root / "alimail" / "intents").glob("*.md"))
    if not intent_files:
        raise KnowledgeError(_rel(root / "alimail" / "intents"), "no intent skill files (*.md)")
    intents = [_read_skill(IntentSkill, path, facts) for path in intent_files]
    details = [
        _read_skill(DetailSkill, path, facts)
        for kind in ("guide", "troubleshooting")
        for path in sorted((root / "alimail" / kind).glob("*.md"))
    ]
    _check_links(list(zip(intent_files, intents, strict=True)), {d.id for d in details})
    return KnowledgeBase(provider, tuple(intents), tuple(details), routing, facts)


def _read_skill(model: type[M], path: Path, facts: dict[str, str]) -> M:
    """A markdown skill file: YAML front matter (fields of `model`) and a body, provider values filled in."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(_rel(path), f"cannot read: {exc.strerror}") from None
    front, body = split_front_matter(text, path)
    try:
        data = _yaml_load(front)
    except _yaml_error() as exc:
        raise KnowledgeError(_rel(path), f"front matter is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(_rel(path), "front matter must be a mapping of fields")
    if "body" in data:
        raise KnowledgeError(_rel(path), "field body: the body is the markdown after the front matter")
    data = fill_tree(data, facts, _rel(path))
    data["body"] = fill_tree(body, facts, _rel(path), "body")
    skill = validate(model, data, path)
    name = str(getattr(skill, "id", "")).rsplit("/", 1)[-1]
    if name != path.stem:
        raise KnowledgeError(_rel(path), f"field id: {getattr(skill, 'id', '')} does not match the file name")
    kind = getattr(skill, "kind", None)
    if kind is not None and kind != path.parent.name:
        raise KnowledgeError(_rel(path), f"field kind: {kind} skill stored under {path.parent.name}/")
    return skill


def split_front_matter(text: str, path: Path) -> tuple[str, str]:
    """A skill file's YAML front matter (between --- lines) and its markdown body."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        raise KnowledgeError(_rel(path), "missing YAML front matter (the file must start with a --- line)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise KnowledgeError(_rel(path), "front matter is not closed by a --- line")
    # One leading newline keeps YAML's line numbers equal to the file's.
    return "\n" + "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]).strip() + "\n"


def _check_links(intents: list[tuple[Path, IntentSkill]], detail_ids: set[str]) -> None:
    """Every path names an existing detail skill; intents and path ids are unique across files."""
    seen_intents: dict[str, Path] = {}
    seen_paths: dict[str, Path] = {}
    for path, skill in intents:
        if skill.intent in seen_intents:
            raise KnowledgeError(
                _rel(path),
                f"field intent: {skill.intent} is also defined in {seen_intents[skill.intent].name}",
            )
        seen_intents[skill.intent] = path
        for i, spec in enumerate(skill.paths):
            if spec.id in seen_paths:
                raise KnowledgeError(
                    _rel(path), f"field paths.{i}.id: {spec.id} is also a path in {seen_paths[spec.id].name}"
                )
            seen_paths[spec.id] = path
            if spec.skill not in detail_ids:
                raise KnowledgeError(
                    _rel(path), f"field paths.{i}.skill: no detail skill {spec.skill} in skills/alimail/"
                )


def display_path(path: Path) -> str:
    """A file as errors name it: relative to the project when it is the shipped skills/."""
    return _rel(path)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(skills_dir().parent))
    except (ValueError, KnowledgeError):
        return str(path)


# PyYAML is imported only to compile the knowledge base: a process that reads the compiled cache
# (knowledge/compiled.py) never needs it.
def _yaml_load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _yaml_error() -> type[Exception]:
    import yaml

    return yaml.YAMLError
