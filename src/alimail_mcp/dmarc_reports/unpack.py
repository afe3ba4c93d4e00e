"""From what a caller hands over to the XML documents inside it: report XML as it is, base64 text of a
file, gzip and zip files, an email (or an mbox of them) carrying the report as an attachment, nested
as reporters nest them (an email with a .zip, a forwarded email with the original attached).

Decompression is bounded by what it produces, not by what it reads: a gzip or zip member that would
expand beyond `MAX_DOCUMENT_BYTES` is refused while it is being expanded, and so is everything once
a call has expanded `MAX_TOTAL_BYTES`; a zip's own size fields are never trusted.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from alimail_mcp import deadline

MAX_DOCUMENT_BYTES = 64_000_000
"""One report's XML once expanded (a 20,000-record report is about 8 MB)."""
MAX_TOTAL_BYTES = 256_000_000
"""Everything one call expands, over every item."""
MAX_NESTING = 4
"""Containers inside containers: an email carrying a .zip holding a .xml is two."""
MAX_MEMBERS = 64
"""Files read from one zip archive."""
MAX_MESSAGES = 1000
"""Messages read from one mbox file."""
_CHUNK = 1 << 20
_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_BASE64 = re.compile(r"[A-Za-z0-9+/\s]+={0,2}\s*")
_HEADER_LINE = re.compile(rb"[!-9;-~]+:[ \t]")
_REPORT_TYPES = frozenset(
    {
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip-compressed",
        "application/x-zip",
        "application/xml",
        "text/xml",
        "application/octet-stream",
    }
)
"""Parts read as a report even without a file name (some reporters send a bare body)."""
_REPORT_SUFFIXES = (".xml", ".gz", ".gzip", ".zip")


@dataclass(frozen=True, slots=True)
class Document:
    """One XML document to read as an aggregate report."""

    label: str
    """Where it came from: `reports[2]`, `reports[2] > report.zip > google.com!a.xml`."""
    data: bytes
    utf8: bool = False
    """Given as text: the bytes are UTF-8 whatever the XML declaration says."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    label: str
    error: str
    refused: bool = False
    """Refused as unsafe (a decompression bomb) rather than unreadable."""


@dataclass
class Budget:
    """Bytes expanded so far in one call."""

    expanded: int = 0

    def take(self, size: int) -> None:
        self.expanded += size
        if self.expanded > MAX_TOTAL_BYTES:
            raise _Refused(f"refused: the reports expand to more than {MAX_TOTAL_BYTES:,} bytes in all")


class _Refused(Exception):
    pass


class _Unreadable(Exception):
    pass


def unpack(item: bytes | str, label: str, budget: Budget) -> Iterator[Document | Unreadable]:
    """The documents in one item, in order; what cannot be read is an `Unreadable` in its place."""
    if isinstance(item, str):
        yield from _text(item, label, budget)
    else:
        yield from _bytes(item, label, budget, 0)


def _text(item: str, label: str, budget: Budget) -> Iterator[Document | Unreadable]:
    stripped = item.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        yield Document(label, stripped.encode("utf-8", "surrogateescape"), utf8=True)
        return
    if len(stripped) >= 16 and _BASE64.fullmatch(stripped):
        try:
            data = base64.b64decode("".join(stripped.split()), validate=True)
        except (binascii.Error, ValueError):
            data = None
        if data is not None:
            yield from _bytes(data, label, budget, 0)
            return
    yield from _bytes(item.encode("utf-8", "surrogateescape"), label, budget, 0)


def _bytes(data: bytes, label: str, budget: Budget, depth: int) -> Iterator[Document | Unreadable]:
    deadline.check()
    head = data[:8].lstrip()
    for bom in _BOMS:
        head = head.removeprefix(bom)
    try:
        if depth > MAX_NESTING:
            raise _Unreadable(f"containers nest more than {MAX_NESTING} deep")
        if data.startswith(_GZIP):
            inner = gunzip(data, budget)
            yield from _bytes(inner, label, budget, depth + 1)
        elif data.startswith(_ZIP):
            yield from _zip(data, label, budget, depth)
        elif head.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            yield Document(label, data)
        elif data.startswith(b"From "):
            yield from _mbox(data, label, budget, depth)
        elif _HEADER_LINE.match(data.lstrip()):
            yield from _email(data, label, budget, depth)
        else:
            raise _Unreadable(
                "not a DMARC aggregate report: expected its XML, base64 of a .xml, .xml.gz or .zip "
                "file, or an email carrying one"
            )
    except _Refused as exc:
        yield Unreadable(label, str(exc), refused=True)
    except _Unreadable as exc:
        yield Unreadable(label, str(exc))


def gunzip(data: bytes, budget: Budget) -> bytes:
    """The expanded gzip data, member after member; bytes after the last member are ignored (some
    reporters append a few). Refused beyond MAX_DOCUMENT_BYTES, however small the input."""
    out = bytearray()
    pending = data
    while pending[:2] == _GZIP:
        stream = zlib.decompressobj(wbits=31)
        while not stream.eof:
            deadline.check()
            try:
                chunk = stream.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise _Unreadable(f"the gzip data is damaged ({exc})") from None
            _grow(out, chunk, budget, "gzip")
            pending = stream.unconsumed_tail
            if not chunk and not pending:
                raise _Unreadable("the gzip data is truncated")
        pending = stream.unused_data
    return bytes(out)


def _grow(out: bytearray, chunk: bytes, budget: Budget, what: str) -> None:
    out += chunk
    budget.take(len(chunk))
    if len(out) > MAX_DOCUMENT_BYTES:
        raise _Refused(f"refused: the {what} data expands beyond {MAX_DOCUMENT_BYTES:,} bytes")


def _zip(data: bytes, label: str, budget: Budget, depth: int) -> Iterator[Document | Unreadable]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _Unreadable(f"the zip file is damaged ({exc})") from None
    if not members:
        raise _Unreadable("the zip file is empty")
    if len(members) > MAX_MEMBERS:
        raise _Unreadable(f"the zip file holds more than {MAX_MEMBERS} files")
    for member in members:
        where = f"{label} > {_name(member.filename)}"
        try:
            content = _member(archive, member, budget)
        except _Refused as exc:
            yield Unreadable(where, str(exc), refused=True)
            continue
        except _Unreadable as exc:
            yield Unreadable(where, str(exc))
            continue
        yield from _bytes(content, where, budget, depth + 1)


def _member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: Budget) -> bytes:
    out = bytearray()
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                deadline.check()
                _grow(out, chunk, budget, "zip")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error, OSError) as exc:
        raise _Unreadable(f"the zip member cannot be read ({str(exc)[:120]})") from None
    return bytes(out)


def _mbox(data: bytes, label: str, budget: Budget, depth: int) -> Iterator[Document | Unreadable]:
    from alimail_mcp.mail.mbox import mbox_messages

    number = 0
    for number, message in enumerate(mbox_messages(data.replace(b"\r\n", b"\n")), 1):
        if number > MAX_MESSAGES:
            yield Unreadable(label, f"the mbox holds more than {MAX_MESSAGES} messages; the rest are unread")
            return
        where = f"{label} > message {number}"
        try:
            yield from _email(message, where, budget, depth)
        except _Unreadable as exc:  # a message without a report: the others are still read
            yield Unreadable(where, str(exc))
    if number == 0:
        raise _Unreadable("the mbox file holds no message")


def _email(data: bytes, label: str, budget: Budget, depth: int) -> Iterator[Document | Unreadable]:
    """The reports an email carries: its attachments and report-typed parts, forwarded emails included."""
    from alimail_mcp.mail.mime import NestingError, parse_message, payload_bytes, walk

    try:
        message = parse_message(data.replace(b"\r\n", b"\n"))
        parts = list(walk(message))
    except NestingError as exc:
        raise _Unreadable(f"the email {exc}") from None
    found = False
    for ctype, part in parts:
        name = part.get_filename() or ""
        if not name and ctype not in _REPORT_TYPES:
            continue
        content = payload_bytes(part)
        if not _report_like(name, ctype, content):
            continue  # a logo, a signature, a document attached beside the report
        found = True
        where = f"{label} > {_name(name) if name else ctype}"
        yield from _bytes(content, where, budget, depth + 1)
    if not found:
        raise _Unreadable("the email carries no report (no .xml, .gz or .zip attachment)")


def _report_like(name: str, ctype: str, content: bytes) -> bool:
    """A part that is, or claims to be, a report file: gzip, zip or XML data, or a report's file name."""
    if content.startswith((_GZIP, _ZIP)):
        return True
    if name.lower().endswith(_REPORT_SUFFIXES):
        return bool(content.strip())
    head = content.lstrip()[:64]
    return (ctype.endswith("xml") and head.startswith(b"<")) or head.startswith((b"<?xml", b"<feedback"))


def _name(name: str) -> str:
    """A file name as a label shows it: printable, without path, at most 120 characters."""
    base = name.replace("\\", "/").rpartition("/")[2] or name
    clean = "".join(c if c.isprintable() else "?" for c in base)
    return clean[:120]
