"""RFC 5322 date-time values (section 3.3), as Date: and Received: fields carry them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from alimail_mcp.mail.header_block import without_comments


def parse_date(text: str) -> datetime | None:
    """An RFC 5322 date as an aware datetime (no offset or -0000: UTC); None when unreadable."""
    cleaned = " ".join(without_comments(text, 2).split())
    if not cleaned:
        return None
    try:
        when = parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if not 1990 <= when.year <= 2200:
        return None
    return when
