"""Instants the planner reads (ISO 8601 with an offset) and the lock arithmetic on them."""

from __future__ import annotations

import math
from datetime import datetime

from alimail_mcp.errors import InputError

_RULE = "must be an ISO 8601 date and time with a UTC offset, like 2024-05-01T09:10:00+08:00"
_FIRST_YEAR, _LAST_YEAR = 1970, 9998


def parse_instant(value: str | datetime | None, field: str) -> datetime | None:
    """`value` as an aware datetime, or InputError naming `field` (naive times are refused)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            raise InputError(field, _RULE)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(field, _RULE) from None
    else:
        raise InputError(field, _RULE)
    if when.tzinfo is None or when.utcoffset() is None:
        raise InputError(field, _RULE + " (the offset is missing)")
    if not _FIRST_YEAR <= when.year <= _LAST_YEAR:  # lock arithmetic near datetime's limits overflows
        raise InputError(field, f"must be a time between the years {_FIRST_YEAR} and {_LAST_YEAR}")
    return when


def minutes_until(moment: datetime, now: datetime) -> int:
    """Whole minutes from `now` to `moment`, rounded up; 0 once `moment` has passed."""
    seconds = (moment - now).total_seconds()
    return max(0, math.ceil(seconds / 60))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def spoken(moment: datetime, now: datetime) -> str:
    """`moment` in the timezone of `now`, short: `10:10 (UTC+08:00)`, with the date when not today."""
    local = moment.astimezone(now.tzinfo)
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    clock = local.strftime("%H:%M")
    if local.date() != now.date():
        clock = f"{local:%Y-%m-%d} {clock}"
    return f"{clock} ({zone})"
