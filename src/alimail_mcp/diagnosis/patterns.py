"""Regular expressions for the readers and for the phrase tables of skills/.

`rx()`: compiled expressions kept for the life of the process. The readers use a few hundred
patterns, more than the `re` module's own cache holds (512, shared with the `email` package), so
patterns written inline are compiled once here instead of being evicted and compiled again for
every message.

`phrase_table()`: the patterns of a knowledge file (reasons, the error catalog, receivers' wording)
compiled into one expression, with every unbounded `.*` / `.+` gap bounded to `GAP_CHARS`. Searching
`503.*webmail` tries every `503` again up to the end of the text, so a text of 4,000 characters
repeating `503 ` took 70 ms for that one pattern; with a bounded gap each try looks a fixed distance
ahead. Phrases far apart in a long text are not one phrase anyway. `MATCH_CHARS` bounds the text a
table sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

GAP_CHARS = 200
"""Characters a `.*` or `.+` of a knowledge-base pattern spans at most."""
MATCH_CHARS = 4000
"""Characters of an error text the phrase tables read: four times the longest in the bounce corpus,
and what a pasted text is read up to."""
_GAP = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\.([*+])(\??)")
"""An escape, a character class, or a dot repeated without bound (a lazy `?` kept)."""


@cache
def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def bounded_gaps(pattern: str) -> str:
    """`pattern` with each unbounded `.*` / `.+` (outside classes, not an escaped dot) made `.{0,N}` /
    `.{1,N}` with N = GAP_CHARS."""

    def gap(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        low = 0 if match.group(1) == "*" else 1
        return f".{{{low},{GAP_CHARS}}}{match.group(2)}"

    return _GAP.sub(gap, pattern)


def phrase_table(patterns: Iterable[str]) -> re.Pattern[str]:
    """One expression that matches where any of `patterns` matches (their gaps bounded)."""
    return re.compile("|".join(f"(?:{bounded_gaps(p)})" for p in patterns))
