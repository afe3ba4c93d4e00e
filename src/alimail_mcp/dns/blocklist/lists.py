"""The blocklists as skills/blocklists.yaml describes them, with the operator's zone overrides applied
(ALIMAIL_MCP_BLOCKLIST_ZONES), and how one answer of a list reads: listed, a policy listing, a
refusal, or an answer the check cannot read."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from alimail_mcp.errors import InputError
from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel

FILE = "blocklists.yaml"
_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")

ListingClass = Literal["listed", "policy"]


class Meaning(StrictModel):
    meaning: str
    class_: ListingClass = Field(alias="class")


class Blocklist(StrictModel):
    id: str
    name: str
    zone: str
    kind: Literal["ip", "domain"]
    ipv6: bool = False
    delist: str
    codes: dict[str, Meaning] = Field(default_factory=dict)
    bits: dict[int, Meaning] = Field(default_factory=dict)
    refusals: dict[str, str] = Field(default_factory=dict)
    refusal_ranges: tuple[str, ...] = ()

    @field_validator("codes", "refusals")
    @classmethod
    def _addresses(cls, values: dict[str, object]) -> dict[str, object]:
        for key in values:
            if not isinstance(ipaddress.ip_address(key), ipaddress.IPv4Address):
                raise ValueError(f"{key} is not an IPv4 answer")
        return values

    @field_validator("refusal_ranges")
    @classmethod
    def _networks(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            ipaddress.IPv4Network(value)
        return values

    @model_validator(mode="after")
    def _one_table(self) -> Blocklist:
        if bool(self.codes) == bool(self.bits):
            raise ValueError(f"{self.id}: give either codes or bits")
        return self


class BlocklistKnowledge(StrictModel):
    lists: tuple[Blocklist, ...]

    @field_validator("lists")
    @classmethod
    def _unique(cls, lists: tuple[Blocklist, ...]) -> tuple[Blocklist, ...]:
        ids = [b.id for b in lists]
        if len(set(ids)) != len(ids):
            raise ValueError("list ids must be unique")
        return lists


@compiled("blocklists")
def load_blocklists() -> BlocklistKnowledge:
    path = skills_dir() / FILE
    return validate(BlocklistKnowledge, read_yaml(path), path)


def active_lists(overrides: tuple[tuple[str, str], ...] = ()) -> tuple[Blocklist, ...]:
    """The lists to ask: the knowledge base's, each zone replaced where `overrides` names its id, and
    the lists whose zone is overridden with nothing left out. An unknown id is an InputError."""
    lists = load_blocklists().lists
    known = {b.id for b in lists}
    given = dict(overrides)
    for key in given:
        if key not in known:
            raise InputError(
                "ALIMAIL_MCP_BLOCKLIST_ZONES", f"{key!r} names no list (known: {', '.join(sorted(known))})"
            )
    out = []
    for blocklist in lists:
        zone = given.get(blocklist.id, blocklist.zone)
        if zone:
            out.append(blocklist if zone == blocklist.zone else blocklist.model_copy(update={"zone": zone}))
    return tuple(out)


# --- reading one answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What a list's A records say."""

    listed: tuple[str, ...] = ()
    """Meanings of the reputation listings among the answers."""
    policy: tuple[str, ...] = ()
    """Meanings of the policy listings (PBL)."""
    refusal: str | None = None
    """Why the list did not answer the question, when it said so."""
    unreadable: tuple[str, ...] = ()
    """Answers that are neither a code of the list nor a refusal."""


def read_answer(blocklist: Blocklist, addresses: tuple[str, ...]) -> Reading:
    """The meaning of `addresses` (the A records of one question). A refusal anywhere among them makes
    the whole answer a refusal: a list never mixes a refusal with a listing."""
    listed: list[str] = []
    policy: list[str] = []
    unreadable: list[str] = []
    for text in addresses:
        refusal = _refusal(blocklist, text)
        if refusal is not None:
            return Reading(refusal=refusal)
        meanings = _meanings(blocklist, text)
        for meaning in meanings:
            (listed if meaning.class_ == "listed" else policy).append(meaning.meaning)
        if not meanings:
            unreadable.append(text)
    return Reading(tuple(listed), tuple(policy), None, tuple(unreadable))


def _refusal(blocklist: Blocklist, text: str) -> str | None:
    if text in blocklist.refusals:
        return blocklist.refusals[text]
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return None
    if any(address in ipaddress.IPv4Network(net) for net in blocklist.refusal_ranges):
        return "the list answered with an error code: it did not look the question up"
    return None


def _meanings(blocklist: Blocklist, text: str) -> list[Meaning]:
    if blocklist.codes:
        found = blocklist.codes.get(text)
        return [found] if found is not None else []
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return []
    if address not in _LOOPBACK:
        return []
    last = int(address) & 0xFF
    # Bits the list does not document are left aside; an answer with none it documents is unreadable.
    return [m for bit, m in sorted(blocklist.bits.items()) if last & bit]
