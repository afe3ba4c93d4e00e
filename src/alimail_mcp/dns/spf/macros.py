"""SPF macro strings (RFC 7208 section 7): syntax and expansion.

A macro string is parsed once into tokens; expansion takes the values of the macro letters, so the
evaluator decides how to get them (the `p` letter needs DNS, the others do not).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

DOMAIN_LETTERS = frozenset("slodiphv")
"""Letters allowed in a domain-spec."""
EXPLANATION_LETTERS = DOMAIN_LETTERS | frozenset("crt")
"""Letters allowed in explanation text (7.1: c, r and t only there)."""
DELIMITERS = ".-+,/_="

_EXPAND = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}")
_ESCAPES = {"%%": "%", "%_": " ", "%-": "%20"}


class MacroSyntaxError(ValueError):
    """A macro string breaks the grammar of RFC 7208 7.1."""


@dataclass(frozen=True, slots=True)
class Macro:
    letter: str
    """Lower-case letter."""
    upper: bool
    """Upper-case letter: the result is URL-escaped."""
    digits: int | None
    reverse: bool
    delimiters: str


Token = str | Macro
"""Literal text (escapes already decoded) or a macro to expand."""


def parse(text: str, *, letters: frozenset[str] = DOMAIN_LETTERS, explanation: bool = False) -> list[Token]:
    """Tokens of `text`; raises MacroSyntaxError. `explanation` allows spaces (explain-string)."""
    return _merge_literals([token for token, _ in _scan(text, letters, explanation)])


def _scan(text: str, letters: frozenset[str], explanation: bool) -> list[tuple[Token, bool]]:
    """Each token with whether it is a macro-expand in the grammar's sense (%{..}, %%, %_, %-)."""
    tokens: list[tuple[Token, bool]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            pair = text[i : i + 2]
            if pair in _ESCAPES:
                tokens.append((_ESCAPES[pair], True))
                i += 2
                continue
            match = _EXPAND.match(text, i)
            if match is None:
                raise MacroSyntaxError(f"{pair!r} does not start a macro (%{{x}}, %%, %_ or %-)")
            tokens.append((_macro(match, letters), True))
            i = match.end()
            continue
        if not (0x21 <= ord(char) <= 0x7E or (explanation and char == " ")):
            raise MacroSyntaxError(f"character {char!r} is not allowed")
        tokens.append((char, False))
        i += 1
    return tokens


def _macro(match: re.Match[str], letters: frozenset[str]) -> Macro:
    letter, digits, reverse, delimiters = match.groups()
    if letter.lower() not in letters:
        raise MacroSyntaxError(f"macro letter {letter!r} is not allowed here")
    if digits and int(digits) == 0:
        raise MacroSyntaxError(f"macro {match.group(0)!r} keeps zero labels")
    return Macro(
        letter=letter.lower(),
        upper=letter.isupper(),
        digits=int(digits) if digits else None,
        reverse=bool(reverse),
        delimiters=delimiters or ".",
    )


def _merge_literals(tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for token in tokens:
        if isinstance(token, str) and merged and isinstance(merged[-1], str):
            merged[-1] += token
        else:
            merged.append(token)
    return merged


def letters_used(tokens: Sequence[Token]) -> set[str]:
    return {t.letter for t in tokens if isinstance(t, Macro)}


def expand(tokens: Sequence[Token], values: Mapping[str, str]) -> str:
    """The text of `tokens` with each macro replaced by its transformed value (7.3, 7.4)."""
    out: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            out.append(token)
            continue
        parts = re.split("[" + re.escape(token.delimiters) + "]", values[token.letter])
        if token.reverse:
            parts.reverse()
        if token.digits is not None:
            parts = parts[-token.digits :]
        value = ".".join(parts)
        out.append(quote(value, safe="") if token.upper else value)
    return "".join(out)


# -- domain-spec -------------------------------------------------------------------------------

_TOPLABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def parse_domain_spec(text: str) -> list[Token]:
    """Tokens of a domain-spec (7.1: a macro string ending in a macro or in '.' toplabel ['.'])."""
    if not text:
        raise MacroSyntaxError("the domain is empty")
    scanned = _scan(text, DOMAIN_LETTERS, explanation=False)
    tokens = _merge_literals([token for token, _ in scanned])
    if scanned[-1][1]:
        return tokens
    tail = ""
    for token, is_macro in reversed(scanned):
        if is_macro:
            break
        tail = f"{token}{tail}"
    tail = tail[:-1] if tail.endswith(".") else tail
    _, dot, toplabel = tail.rpartition(".")
    if not dot:
        raise MacroSyntaxError(f"{text!r} does not end in a dot and a top-level label (like example.com)")
    if not _TOPLABEL.match(toplabel) or toplabel.isdigit():
        raise MacroSyntaxError(f"{toplabel!r} is not a valid top-level label")
    return tokens


def query_name(expanded: str) -> str | None:
    """The name to ask DNS for an expanded domain-spec, or None when DNS cannot carry it.

    A trailing dot is dropped; over 253 characters, labels are removed from the left (7.3).
    """
    name = expanded[:-1] if expanded.endswith(".") else expanded
    while len(name) > 253 and "." in name:
        name = name.split(".", 1)[1]
    labels = name.split(".")
    if not name or len(name) > 253 or any(not 0 < len(label) <= 63 for label in labels):
        return None
    return name
