"""mbox files (RFC 4155): messages one after the other, each starting with a `From ` line."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SEPARATOR = re.compile(rb"\n(?=From [^\n]*\n)")


def split_mbox(data: bytes) -> list[bytes]:
    """The messages in `data` (LF line ends), split at `From ` separator lines the way mbox readers
    do and without them; `data` itself when it holds no separator."""
    return list(mbox_messages(data)) or [data]


def mbox_messages(data: bytes) -> Iterator[bytes]:
    """The messages of `data` one at a time, as `split_mbox` finds them (nothing when every piece
    is empty): a caller that reads only some of them does not pay for the rest."""
    return (chunk for chunk in mbox_pieces(data) if chunk.strip())


def mbox_pieces(data: bytes) -> Iterator[bytes]:
    """What lies between separator lines, one piece at a time, empty pieces included (a caller
    that bounds its work counts those too)."""
    start = 0
    for separator in _SEPARATOR.finditer(data):
        yield _without_from_line(data[start : separator.start()])
        start = separator.end()
    yield _without_from_line(data[start:])


def _without_from_line(chunk: bytes) -> bytes:
    if chunk.startswith(b"From "):
        end = chunk.find(b"\n")
        return chunk[end + 1 :] if end >= 0 else b""
    return chunk
