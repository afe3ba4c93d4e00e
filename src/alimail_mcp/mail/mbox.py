"""mbox files (RFC 4155): messages one after the other, each starting with a `From ` line."""

from __future__ import annotations

import re

_SEPARATOR = re.compile(rb"\n(?=From [^\n]*\n)")


def split_mbox(data: bytes) -> list[bytes]:
    """The messages in `data` (LF line ends), split at `From ` separator lines the way mbox readers
    do and without them; `data` itself when it holds no separator."""
    out = []
    for chunk in _SEPARATOR.split(data):
        if chunk.startswith(b"From ") and b":" not in chunk.split(b"\n", 1)[0][:5]:
            chunk = chunk.split(b"\n", 1)[1] if b"\n" in chunk else b""
        if chunk.strip():
            out.append(chunk)
    return out or [data]
