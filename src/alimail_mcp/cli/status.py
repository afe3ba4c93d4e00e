"""Exit status, the same for every subcommand (documented in the README and in every `--help`)."""

from __future__ import annotations

OK = 0
"""Nothing wrong was found (or the answer asked for was given: route, recover, diagnose)."""
PROBLEMS = 1
"""Problems were found: something to fix or decide."""
BAD_INPUT = 2
"""Bad usage or input (the message names the flag)."""
NOT_CHECKED = 3
"""Could not check: the DNS resolver or the network did not answer, the knowledge base is broken, the
text was not recognised (diagnose), or an internal error."""
INTERRUPTED = 130
"""Ctrl-C."""

EPILOG = (
    "Exit status: 0 nothing wrong found, 1 problems found, 2 bad usage or input, 3 could not check "
    "(resolver or network not answering, input not recognised, internal error), 130 interrupted."
)


def verdict(*, problems: bool, unchecked: bool) -> int:
    """Problems found outrank what could not be checked: they are real whatever the rest would show."""
    if problems:
        return PROBLEMS
    return NOT_CHECKED if unchecked else OK
