"""The receiver registry (skills/receivers.yaml): who is on the receiving end, known by its wording,
its host names or its mail domains. The error catalog and the reason tables both read it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field, field_validator

from alimail_mcp.diagnosis.patterns import MATCH_CHARS, phrase_table
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.strict import StrictModel

FILE = "receivers.yaml"
HOST_CHARS = 255
"""A host name or domain is matched up to this length (a DNS name has at most 253 characters)."""
_UPPER_OUTSIDE_ESCAPES = re.compile(r"(?<!\\)[A-Z]")


def lower_case_regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Valid regular expressions, written in lower case (they are matched against lower-cased text)."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        if _UPPER_OUTSIDE_ESCAPES.search(pattern.replace("\\\\", "")):
            raise ValueError(f"pattern {pattern!r} has upper-case letters; write it in lower case")
    return patterns


class Receiver(StrictModel):
    name: str = Field(min_length=2)
    hosts: tuple[str, ...] = Field(min_length=1)
    """Regular expressions over a host name or a domain (the remote host, the recipient's domain)."""
    markers: tuple[str, ...] = ()
    """Regular expressions over the error text that only this receiver writes."""
    reply_hosts: tuple[str, ...] = ()
    """Where narrower than `hosts`: the hosts whose replies the receiver's reason table reads."""

    _check = field_validator("hosts", "markers", "reply_hosts")(lower_case_regexes)


class ReceiversFile(StrictModel):
    version: int
    receivers: dict[str, Receiver] = Field(min_length=1)


class Registry:
    """The registry, compiled: one pattern per receiver and per kind, in the file's order."""

    def __init__(self, data: ReceiversFile) -> None:
        self.data = data
        self.hosts = {name: _union(r.hosts) for name, r in data.receivers.items()}
        self.markers = {name: _union(r.markers) for name, r in data.receivers.items() if r.markers}
        self.reply_hosts = {
            name: _union(r.reply_hosts) if r.reply_hosts else self.hosts[name]
            for name, r in data.receivers.items()
        }

    def by_wording(self, text: str) -> str | None:
        """The first receiver whose markers are in `text` (lower-cased; its first MATCH_CHARS characters)."""
        text = text[:MATCH_CHARS]
        return next((name for name, markers in self.markers.items() if markers.search(text)), None)

    def by_host(self, host: str) -> str | None:
        """The first receiver one of whose host names or domains `host` (lower-cased) is."""
        return _first(self.hosts.items(), host[:HOST_CHARS])

    def by_reply_host(self, host: str, among: Iterable[str]) -> str | None:
        """The first receiver of `among` whose reply table reads replies from `host` (lower-cased)."""
        return _first(((name, self.reply_hosts[name]) for name in among), host[:HOST_CHARS])


def _union(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return phrase_table(patterns)


def _first(patterns: Iterable[tuple[str, re.Pattern[str]]], host: str) -> str | None:
    return next((name for name, pattern in patterns if pattern.search(host)), None)


@compiled("receivers")
def receivers() -> Registry:
    from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate

    path = skills_dir() / FILE
    return Registry(validate(ReceiversFile, read_yaml(path), path))
