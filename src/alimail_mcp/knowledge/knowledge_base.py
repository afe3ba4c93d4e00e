"""The loaded knowledge base: intents, their paths, detail skills and the provider, with lookups by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.knowledge.skill_models import DetailSkill, IntentSkill, PathSpec, RoutingVocabulary


@dataclass(frozen=True)
class PathRef:
    """A path together with the intent it belongs to."""

    intent: IntentSkill
    spec: PathSpec

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def is_default(self) -> bool:
        return self.intent.default_path == self.spec.id


@dataclass(frozen=True)
class KnowledgeBase:
    provider: Provider
    intents: tuple[IntentSkill, ...]
    details: tuple[DetailSkill, ...]
    routing: RoutingVocabulary
    facts: dict[str, str] = field(repr=False)
    _intents: dict[str, IntentSkill] = field(init=False, repr=False)
    _paths: dict[str, PathRef] = field(init=False, repr=False)
    _details: dict[str, DetailSkill] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_intents", {i.intent: i for i in self.intents})
        object.__setattr__(self, "_paths", {p.id: PathRef(i, p) for i in self.intents for p in i.paths})
        object.__setattr__(self, "_details", {d.id: d for d in self.details})

    @property
    def paths(self) -> tuple[PathRef, ...]:
        """Every path of every intent, in file order (intent by intent)."""
        return tuple(self._paths.values())

    def intent(self, intent_id: str) -> IntentSkill:
        """The intent skill for an intent id such as `resolve-failure` (KeyError if unknown)."""
        return self._intents[intent_id]

    def path(self, path_id: str) -> PathRef:
        """The path with this id, e.g. `client-config`, with its intent (KeyError if unknown)."""
        return self._paths[path_id]

    def detail(self, skill_id: str) -> DetailSkill:
        """The detail skill with this id, e.g. `alimail/guide/alimail-security` (KeyError if unknown)."""
        return self._details[skill_id]

    def path_skills(self) -> dict[str, str]:
        """Path id -> the detail skill id that holds its full procedure."""
        return {ref.id: ref.spec.skill for ref in self.paths}

    def paths_using(self, skill_id: str) -> tuple[PathRef, ...]:
        """The paths whose detail skill is `skill_id`."""
        return tuple(ref for ref in self.paths if ref.spec.skill == skill_id)
