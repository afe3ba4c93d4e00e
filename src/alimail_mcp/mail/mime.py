"""MIME messages (RFC 2045, 2046): parse bytes into a message, walk it into its parts, read a part.

Parsing uses the standard `email` package with policy compat32: it never raises on broken MIME,
it records defects. A multipart whose boundary parameter was lost (a broken header fold) is
repaired while walking; a payload whose transfer encoding is broken is returned as it is.
"""

from __future__ import annotations

import email
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from alimail_mcp.mail.encoded_words import decode_words

_BOUNDARY = re.compile(rb"""boundary\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,200})[ \t]*$", re.MULTILINE)
_CODEC_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-sjis": "shift_jis", "ks_c_5601-1987": "euc-kr"}
"""Charsets mail declares for text written in a superset of them (Chinese mail says gb2312 and
writes GBK characters), or spells in a way Python does not know."""


def parse_message(data: bytes) -> Message:
    """One message (LF line ends) parsed; never raises."""
    return email.message_from_bytes(_canonical_boundaries(data), policy=compat32)


def _canonical_boundaries(data: bytes) -> bytes:
    """Rename MIME boundaries to a few fixed names.

    The parser compiles one regular expression per boundary; with the same few names in every
    message those come from the `re` cache instead of being compiled again (a third of the time
    of reading a bounce). Short boundaries are left alone: renaming them could touch other text.
    Longer ones are renamed first (one may contain another), equal lengths in byte order.
    """
    found = {m.group(1) for m in _BOUNDARY.finditer(data) if len(m.group(1)) >= 12}
    for index, boundary in enumerate(sorted(found, key=lambda b: (-len(b), b))):
        data = data.replace(boundary, b"alimail-mime-boundary-%d" % index)
    return data


def walk(
    part: Message, *, whole: Collection[str] = (), plain_over_html: bool = False
) -> Iterator[tuple[str, Message]]:
    """The parts of `part` in order, depth first, each with its content type (lower case, without
    parameters): each part without parts of its own, and each part whose content type is in
    `whole`, not entered (a message/rfc822 part, a message/delivery-status part). A multipart the
    parser could not split is repaired, or else yielded as one part. `plain_over_html`: in a
    multipart/alternative that has a text/plain part, skip its text/html parts."""
    ctype = part.get_content_type()  # a scan of the part's fields: done once per part, here
    if ctype in whole:
        yield ctype, part
        return
    if not part.is_multipart():
        repaired = repaired_multipart(part) if ctype.startswith("multipart/") else None
        if repaired is None:
            yield ctype, part
        else:
            yield from walk(repaired, whole=whole, plain_over_html=plain_over_html)
        return
    children = [child for child in part.get_payload() if isinstance(child, Message)]
    skip_html = (
        plain_over_html
        and ctype == "multipart/alternative"
        and any(child.get_content_type() == "text/plain" for child in children)
    )
    for child in children:
        if not (skip_html and child.get_content_type() == "text/html"):
            yield from walk(child, whole=whole, plain_over_html=plain_over_html)


def repaired_multipart(part: Message) -> Message | None:
    """A multipart part whose boundary parameter was lost, parsed again with the boundary its
    body uses; None when the body shows none."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return None
    match = _BOUNDARY_LINE.search(raw)
    if not match or (match.group(1).endswith("--") and raw.count(match.group(0)) < 2):
        return None
    head = f'Content-Type: {part.get_content_type()}; boundary="{match.group(1)}"\n\n'
    repaired = email.message_from_string(head + raw[match.start() :], policy=compat32)
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
