"""Provider values quoted in skill text: `{{limits.qr_code_valid_minutes}}` reads skills/provider.yaml.

Skill files never restate a number or a host name that provider.yaml holds; they name it, and the
loader fills it in (and rejects a name that does not exist).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from alimail_mcp.errors import KnowledgeError

if TYPE_CHECKING:
    from alimail_mcp.knowledge.provider import Provider

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_LIST_KEYS = ("id", "protocol", "host")


class UnknownFact(KeyError):
    """A placeholder names no provider value."""


def provider_facts(provider: Provider) -> dict[str, str]:
    """Dotted names for every provider value: `servers.smtp.host`, `mx_sets.qiye.records`, `sites.us.webmail`.

    Lists are addressable by index and, for lists of objects, by their `id`, `protocol` or `host`;
    a list of scalars or of MX records also has a one-line rendering under its own name.
    """
    out: dict[str, str] = {}
    _flatten(provider.model_dump(mode="python"), "", out)
    return out


def fill(text: str, facts: dict[str, str]) -> str:
    """Replace every `{{name}}` with its value; UnknownFact names the first unknown one."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in facts:
            raise UnknownFact(name)
        return facts[name]

    return PLACEHOLDER.sub(value, text)


def fill_tree(value: Any, facts: dict[str, str], file: str, where: str = "") -> Any:
    """`fill` every string of a parsed YAML tree; an unknown name is a KnowledgeError naming `file`
    and the field where it stands."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        try:
            return fill(value, facts)
        except UnknownFact as exc:
            raise KnowledgeError(
                file, f"field {where}: unknown provider value {{{{{exc.args[0]}}}}}"
            ) from None
    if isinstance(value, dict):
        return {k: fill_tree(v, facts, file, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_tree(v, facts, file, f"{where}.{i}") for i, v in enumerate(value)]
    return value


_RUNTIME = re.compile(r"\{([a-z_]+)\}")


def render(text: str, values: Mapping[str, object]) -> str:
    """Fill `{name}` with run-time values the engine computed (never outside text); unknown names stay
    as written."""
    return _RUNTIME.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _flatten(value: Any, key: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _flatten(item, f"{key}.{name}" if key else str(name), out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _flatten(item, f"{key}.{i}", out)
            label = _label(item)
            if label is not None:
                _flatten(item, f"{key}.{label}", out)
        joined = _join(value)
        if joined is not None:
            out[key] = joined
    elif isinstance(value, bool):
        out[key] = "yes" if value else "no"
    else:
        out[key] = str(value)


def _label(item: Any) -> str | None:
    if isinstance(item, dict):
        return next((str(item[k]) for k in _LIST_KEYS if k in item), None)
    return None


def _join(items: list[Any] | tuple[Any, ...]) -> str | None:
    if all(isinstance(i, str | int | float) for i in items):
        return ", ".join(str(i) for i in items)
    if all(isinstance(i, dict) and set(i) == {"host", "priority"} for i in items):
        return ", ".join(f"{i['host']} (priority {i['priority']})" for i in items)
    return None
