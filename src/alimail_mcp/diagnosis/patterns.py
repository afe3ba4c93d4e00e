"""`rx()`: compiled regular expressions kept for the life of the process.

The readers use a few hundred patterns, more than the `re` module's own cache holds (512, shared
with the `email` package), so patterns written inline are compiled once here instead of being
evicted and compiled again for every message.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)
