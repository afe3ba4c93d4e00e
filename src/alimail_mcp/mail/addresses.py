"""RFC 5322 addresses (addr-spec) found in free text: error lines, header values, bounce bodies."""

from __future__ import annotations

import re

_ADDRESS = re.compile(
    r"""(?<![\w.!#$%&'*+/=?^`{|}~-])"""
    r"""([\w.!#$%&'*+/=?^`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"""
    r"""(?![\w-])""",
    re.ASCII,
)
_IS_ADDRESS = re.compile(
    r"^[\w.!#$%&'*+/=?^`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]+$",
    re.ASCII,
)
_BRACKETED = re.compile(r"<([^<>\s]+@[^<>\s]+)>")


def find_addresses(text: str) -> list[str]:
    """Every email address in `text`, in order, without duplicates; angle brackets and quotes dropped."""
    seen: list[str] = []
    for match in _ADDRESS.finditer(text):
        address = match.group(1).strip(".")
        if address not in seen:
            seen.append(address)
    return seen


def address_spans(text: str) -> list[tuple[str, int, int]]:
    """Every email address in `text` with where it starts and ends, in order (repeats included)."""
    return [(m.group(1).strip("."), m.start(1), m.end(1)) for m in _ADDRESS.finditer(text)]


def first_address(text: str) -> str:
    """The first address in `text` (an `<...>` one wins over a bare one), or ''."""
    bracketed = _BRACKETED.search(text)
    if bracketed and is_address(bracketed.group(1).strip("'\"")):
        return bracketed.group(1).strip("'\"")
    found = find_addresses(text)
    return found[0] if found else ""


def is_address(text: str) -> bool:
    """True when all of `text` is one address (a domain without a dot is allowed: `root@localhost`)."""
    return bool(_IS_ADDRESS.match(text))
