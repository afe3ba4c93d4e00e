"""A pasted header block as (name, value) fields: folded lines joined, the body and junk lines skipped.

People paste headers from webmail's "view original", Outlook's properties box, a saved .eml or a
bounce; the block may start with blank lines, carry an mbox "From " line, or run into the body.
Reading stops at the first blank line after a field, at `max_fields`, and at `max_chars`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^([!-9;-~]{1,76}):[ \t]?(.*)$")


@dataclass(frozen=True, slots=True)
class HeaderField:
    name: str
    """Lower case."""
    value: str
    """Unfolded, encoded words decoded, stripped."""


@dataclass(frozen=True, slots=True)
class HeaderBlock:
    fields: tuple[HeaderField, ...]
    truncated: bool

    def all(self, name: str) -> list[str]:
        """Every value of `name` (lower case), topmost first."""
        return [f.value for f in self.fields if f.name == name]

    def first(self, name: str) -> str | None:
        return next((f.value for f in self.fields if f.name == name), None)


def read_block(text: str, *, max_chars: int, max_fields: int) -> HeaderBlock:
    truncated = len(text) > max_chars
    lines = text[:max_chars].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields: list[list[str]] = []
    started = False
    for line in lines:
        if not line.strip():
            if started:
                break
            continue
        if line[0] in " \t":
            if fields:
                fields[-1].append(line.strip())
            continue
        match = _NAME.match(line)
        if match is None:
            if not started or line.startswith("From "):
                continue  # an mbox separator or a title line before the fields
            # A line that is neither a field nor a continuation: pasted text lost its indentation.
            if fields:
                fields[-1].append(line.strip())
            continue
        if len(fields) >= max_fields:
            truncated = True
            break
        started = True
        fields.append([match.group(1).lower(), match.group(2).strip()])
    return HeaderBlock(
        tuple(HeaderField(f[0], decode_words(" ".join(p for p in f[1:] if p))) for f in fields), truncated
    )


def decode_words(value: str) -> str:
    """RFC 2047 encoded words (`=?utf-8?B?...?=`) decoded; the value unchanged when they are broken."""
    if "=?" not in value:
        return value
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return value
