"""RFC 3464 delivery status notifications: the field names of a message/delivery-status part.

Field names are case-insensitive and some MTAs write them in lower case; `spelled` gives them the
RFC's spelling so that a reader can look for `Final-Recipient:` as written.
"""

from __future__ import annotations

PER_MESSAGE_FIELDS = (
    "Original-Envelope-Id",
    "Reporting-MTA",
    "DSN-Gateway",
    "Received-From-MTA",
    "Arrival-Date",
)
"""Section 2.2: the fields of the first block, about the message."""
PER_RECIPIENT_FIELDS = (
    "Original-Recipient",
    "Final-Recipient",
    "Action",
    "Status",
    "Remote-MTA",
    "Diagnostic-Code",
    "Last-Attempt-Date",
    "Final-Log-ID",
    "Will-Retry-Until",
    "X-Actual-Recipient",
)
"""Section 2.3: the fields of each following block, one block per recipient; with Sendmail's
X-Actual-Recipient (the address after alias expansion), which other MTAs write too."""

_SPELLING = {name.lower(): name for name in (*PER_MESSAGE_FIELDS, *PER_RECIPIENT_FIELDS)}


def spelled(name: str) -> str:
    """`name` spelled as above when it is one of the fields above; else `name` as it is."""
    return _SPELLING.get(name.lower(), name)
