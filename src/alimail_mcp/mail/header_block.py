"""RFC 5322 header blocks in text form: fields with their folded lines joined, and comments.

Two kinds of text are read here. A block a program wrote (the returned message's headers that a
bounce reader cut out of a bounce) is read as written: LF line ends, field names of letters,
digits and hyphens, only an empty line ends the block, and a line that is neither a field nor a
folded line ends the field above it. A block a person pasted (webmail's "view original",
Outlook's properties box, a saved .eml, part of a bounce) is read leniently (`pasted=True`): it
may start with blank or title lines, carry an mbox "From " line, use CR LF line ends, have lost
the indentation of folded lines, or run into the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alimail_mcp.mail.encoded_words import decode_words

_FIELD = re.compile(r"^([!-9;-~]{1,76}):[ \t]?(.*)$")
"""RFC 5322 field name: printable ASCII except the colon (no real one is longer than 76)."""
_WRITTEN_FIELD = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$")
_FOLD = re.compile(r"\r?\n[ \t]+")
_COMMENT = re.compile(r"\([^()]*\)")
_HEADER_START = re.compile(rb"^(?:From |[A-Za-z0-9][A-Za-z0-9-]*:)")
_MESSAGE_FIELD = re.compile(
    rb"^(?:From |(?:from|to|cc|subject|date|received|return-path|message-id|mime-version|content-type"
    rb"|delivered-to|reply-to|sender|in-reply-to|references|dkim-signature|authentication-results"
    rb"|x-failed-recipients|auto-submitted|envelope-to|x-original-to):)",
    re.IGNORECASE,
)
"""A field only a message header block has: `AccountFrozen: ...` or `Error: 550 ...` pasted on
their own look like header lines but are error texts."""


@dataclass(frozen=True, slots=True)
class HeaderField:
    name: str
    """Lower case."""
    value: str
    """Unfolded and stripped; encoded words decoded when the block was read with `decode=True`."""


@dataclass(frozen=True, slots=True)
class HeaderBlock:
    fields: tuple[HeaderField, ...]
    truncated: bool = False
    """Reading stopped at `max_chars` or `max_fields` before the block ended."""

    def all(self, name: str) -> list[str]:
        """Every value of `name` (lower case), topmost first."""
        return [f.value for f in self.fields if f.name == name]

    def first(self, name: str) -> str | None:
        return next((f.value for f in self.fields if f.name == name), None)


def read_header_block(
    text: str,
    *,
    pasted: bool = False,
    decode: bool = False,
    max_chars: int | None = None,
    max_fields: int | None = None,
) -> HeaderBlock:
    """The fields of the header block `text` starts with, in order, repeated names included.

    `pasted`: read the block leniently (see the module's docstring): any RFC 5322 field name,
    CR LF and CR line ends, blank-looking lines end the block, lines before the first field are
    skipped, and later lines that are not fields are folded into the field above (mbox "From "
    lines dropped). `decode`: decode RFC 2047 encoded words in the values. Reading stops at the
    end of the block, after `max_chars` characters and before field `max_fields + 1`.
    """
    truncated = max_chars is not None and len(text) > max_chars
    if max_chars is not None:
        text = text[:max_chars]
    fields, stopped = _read(text, pasted=pasted, max_fields=max_fields)
    if decode:
        fields = [[name, decode_words(value)] for name, value in fields]
    return HeaderBlock(tuple(HeaderField(name, value) for name, value in fields), truncated or stopped)


def first_values(text: str) -> dict[str, str]:
    """Each field name (lower case) of the header block `text` starts with, read as written (not
    pasted), with its first value: for readers that look a few names up."""
    fields, _ = _read(text, pasted=False, max_fields=None)
    return {name: value for name, value in reversed(fields)}


def _read(text: str, *, pasted: bool, max_fields: int | None) -> tuple[list[list[str]], bool]:
    """The fields as [name, value] and whether reading stopped at `max_fields`."""
    if pasted:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    field_line = _FIELD if pasted else _WRITTEN_FIELD
    fields: list[list[str]] = []  # [name, value], the value growing with its folded lines
    folding = False
    for line in text.split("\n"):
        if not (line.strip() if pasted else line):
            if fields:
                break
            continue
        if line[0] in " \t":
            if folding:
                _fold(fields[-1], line)
            continue
        match = field_line.match(line)
        if match is None:
            if not pasted:
                folding = False
            elif fields and not line.startswith("From "):
                _fold(fields[-1], line)  # a folded line that lost its indentation
            continue
        if max_fields is not None and len(fields) >= max_fields:
            return fields, True
        fields.append([match.group(1).lower(), match.group(2).strip()])
        folding = True
    return fields, False


def _fold(field: list[str], line: str) -> None:
    part = line.strip()
    if part:
        field[1] = f"{field[1]} {part}" if field[1] else part


def unfold(value: object) -> str:
    """A field value as the `email` package holds it (text or a Header), folds joined, stripped."""
    text = str(value) if not isinstance(value, str) else value
    if "\n" in text:
        text = _FOLD.sub(" ", text)
    return text.strip()


def without_comments(value: str, depth: int) -> str:
    """`value` with its (comments) replaced by a space, nested ones up to `depth` levels deep."""
    for _ in range(depth):
        value = _COMMENT.sub(" ", value)
    return value


def looks_like_message(data: bytes) -> bool:
    """True when `data` (LF line ends) starts with a message's header block or an mbox `From ` line."""
    head, _, _ = data.partition(b"\n\n")
    lines = head.split(b"\n")
    if not _HEADER_START.match(lines[0]):
        return False
    headerish = sum(1 for line in lines[:40] if _HEADER_START.match(line) or line[:1] in (b" ", b"\t"))
    if headerish < min(len(lines[:40]), 2):
        return False
    return any(_MESSAGE_FIELD.match(line) for line in lines[:40])
