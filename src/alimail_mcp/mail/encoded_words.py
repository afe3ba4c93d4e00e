"""RFC 2047 encoded words in header values (`=?utf-8?B?5L2g5aW9?=`)."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.header import decode_header, make_header


def decode_words(value: str) -> str:
    """`value` with its encoded words decoded; unchanged when it has none or they are broken."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    # HeaderParseError: broken base64; LookupError: an unknown charset; UnicodeError (a ValueError):
    # bytes the charset cannot decode; AssertionError: an encoding other than B or Q.
    except (ValueError, LookupError, AssertionError, HeaderParseError):
        return value
