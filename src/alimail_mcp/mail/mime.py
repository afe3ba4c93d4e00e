"""MIME messages (RFC 2045, 2046): parse bytes into a message, walk it into its parts, read a part.

Parsing uses the standard `email` package with policy compat32: it never raises on broken MIME,
it records defects. A multipart whose boundary parameter was lost (a broken header fold) is
repaired while walking; a payload whose transfer encoding is broken is returned as it is.

Nesting is limited (`MAX_DEPTH` levels of multipart and message parts): the parser and the walk
recurse once per level, and a message nested a thousand deep would exhaust Python's stack.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from email.feedparser import BytesFeedParser, FeedParser
from email.message import Message
from email.policy import compat32
from typing import Any

from alimail_mcp.mail.encoded_words import decode_words

MAX_DEPTH = 50
"""Levels of nested multipart and message/* parts read (real mail has fewer than ten)."""
MAX_MULTIPARTS = 1000
"""Multipart boundaries one message may declare: the parser compiles a pattern for each."""
_RENAMED_BOUNDARIES = 8
"""At most this many boundaries are renamed (see `_canonical_boundaries`)."""
_NESTED_REPAIRS = 2
"""Repairs of a multipart inside a repaired multipart: each parses its part again."""
_BOUNDARY = re.compile(rb"""boundary\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,200})[ \t]*$", re.MULTILINE)


class NestingError(ValueError):
    """A message nests its parts deeper than `MAX_DEPTH`, or declares more than `MAX_MULTIPARTS`."""


class _Bounded:
    """The `email` parser with a count of the parts it is inside: it parses each level of a
    multipart or message/* part by calling itself, so the count is the nesting depth."""

    _depth = 0

    def _parsegen(self) -> Iterator[Any]:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise NestingError(f"nests MIME parts more than {MAX_DEPTH} levels deep")
        try:
            yield from super()._parsegen()  # type: ignore[misc]
        finally:
            self._depth -= 1


class _BytesParser(_Bounded, BytesFeedParser):
    pass


class _TextParser(_Bounded, FeedParser):
    pass


_CODEC_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-sjis": "shift_jis", "ks_c_5601-1987": "euc-kr"}
"""Charsets mail declares for text written in a superset of them (Chinese mail says gb2312 and
writes GBK characters), or spells in a way Python does not know."""


def parse_message(data: bytes) -> Message:
    """One message (LF line ends) parsed; never raises on broken MIME. NestingError when the
    message nests deeper than `MAX_DEPTH` or declares more than `MAX_MULTIPARTS` boundaries."""
    parser = _BytesParser(policy=compat32)
    parser.feed(_canonical_boundaries(data))
    message: Message = parser.close()
    return message


def _canonical_boundaries(data: bytes) -> bytes:
    """Rename MIME boundaries to a few fixed names.

    The parser compiles one regular expression per boundary; with the same few names in every
    message those come from the `re` cache instead of being compiled again (a third of the time
    of reading a bounce). Short boundaries are left alone: renaming them could touch other text.
    Longer ones are renamed first (one may contain another), equal lengths in byte order. Each
    rename is a pass over the message, so a message with more boundaries than real mail has
    keeps its own names.
    """
    found = {m.group(1) for m in _BOUNDARY.finditer(data)}
    if len(found) > MAX_MULTIPARTS:
        raise NestingError(f"declares more than {MAX_MULTIPARTS} multipart boundaries")
    renamed = [b for b in found if len(b) >= 12]
    if len(renamed) > _RENAMED_BOUNDARIES:
        return data
    for index, boundary in enumerate(sorted(renamed, key=lambda b: (-len(b), b))):
        data = data.replace(boundary, b"alimail-mime-boundary-%d" % index)
    return data


def walk(
    part: Message, *, whole: Collection[str] = (), plain_over_html: bool = False
) -> Iterator[tuple[str, Message]]:
    """The parts of `part` in order, depth first, each with its content type (lower case, without
    parameters): each part without parts of its own, and each part whose content type is in
    `whole`, not entered (a message/rfc822 part, a message/delivery-status part). A multipart the
    parser could not split is repaired, or else yielded as one part. `plain_over_html`: in a
    multipart/alternative that has a text/plain part, skip its text/html parts. NestingError when
    the parts (repaired ones included) nest deeper than `MAX_DEPTH`."""
    return _walk(part, whole, plain_over_html, depth=1, repairs=0)


def _walk(
    part: Message, whole: Collection[str], plain_over_html: bool, *, depth: int, repairs: int
) -> Iterator[tuple[str, Message]]:
    if depth > MAX_DEPTH:
        raise NestingError(f"nests MIME parts more than {MAX_DEPTH} levels deep")
    ctype = part.get_content_type()  # a scan of the part's fields: done once per part, here
    if ctype in whole:
        yield ctype, part
        return
    if not part.is_multipart():
        repairable = ctype.startswith("multipart/") and repairs <= _NESTED_REPAIRS
        repaired = repaired_multipart(part) if repairable else None
        if repaired is None:
            yield ctype, part
        else:
            yield from _walk(repaired, whole, plain_over_html, depth=depth + 1, repairs=repairs + 1)
        return
    children = [child for child in part.get_payload() if isinstance(child, Message)]
    skip_html = (
        plain_over_html
        and ctype == "multipart/alternative"
        and any(child.get_content_type() == "text/plain" for child in children)
    )
    for child in children:
        if not (skip_html and child.get_content_type() == "text/html"):
            yield from _walk(child, whole, plain_over_html, depth=depth + 1, repairs=repairs)


def repaired_multipart(part: Message) -> Message | None:
    """A multipart part whose boundary parameter was lost, parsed again with the boundary its
    body uses; None when the body shows none."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return None
    match = _BOUNDARY_LINE.search(raw)
    if not match or (match.group(1).endswith("--") and raw.count(match.group(0)) < 2):
        return None
    parser = _TextParser(policy=compat32)
    parser.feed(f'Content-Type: {part.get_content_type()}; boundary="{match.group(1)}"\n\n')
    parser.feed(raw[match.start() :])
    repaired: Message = parser.close()
    return repaired if repaired.is_multipart() else None


def payload_bytes(part: Message) -> bytes:
    """The part's body with its transfer encoding (base64, quoted-printable) undone; the body as
    it is when that fails; b'' for a multipart."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def payload_text(part: Message) -> str:
    """The part's body as text, decoded with its charset (see `decode_text`)."""
    return decode_text(payload_bytes(part), part.get_content_charset())


def decode_text(data: bytes, charset: str | None) -> str:
    """`data` decoded with `charset`, else as UTF-8, else as Latin-1 (which never fails)."""
    for codec in (charset, "utf-8"):
        if not codec:
            continue
        try:
            return data.decode(_codec(codec))
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _codec(charset: str) -> str:
    name = charset.strip().strip('"').lower()
    return _CODEC_ALIASES.get(name, name)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    """As the part names it (RFC 2231 and RFC 2047 encodings decoded)."""
    content_type: str
    """Lower case, without parameters: application/zip, application/gzip, text/xml ..."""
    data: bytes
    """Transfer encoding undone."""


def attachments(message: Message) -> list[Attachment]:
    """Every part of `message` that carries a file name (Content-Disposition's filename or
    Content-Type's name), in order: a report's .xml, .xml.gz or .zip, a returned .eml."""
    found = []
    for ctype, part in walk(message):
        name = part.get_filename()
        if name:
            found.append(Attachment(decode_words(name), ctype, payload_bytes(part)))
    return found
