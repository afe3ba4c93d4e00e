"""Find the receiving side before reading its codes: markers in the error text first (`gsmtp`),
then the remote host, then the recipient's domain (receivers are defined in skills/receivers.yaml)."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.patterns import MATCH_CHARS
from alimail_mcp.diagnosis.receiver.registry import receivers

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]+(?:\.[\w-]+)+")
"""The local part bounded (RFC 5321 allows 64): unbounded, every letter of a long word was the
start of a scan to its end in search of an `@`."""


def detect(text: str, remote_host: str = "", domain: str = "") -> str | None:
    """The receiver id (google, microsoft ...) or None when nothing points to a known one.

    Markers are looked for in the text without its email addresses: a sender at yahoo.com quoted
    in a refusal does not make the refusal Yahoo's.
    """
    registry = receivers()
    text = text[:MATCH_CHARS]
    text = _ADDRESS.sub(" ", text.lower()) if "@" in text else text.lower()
    if text and (found := registry.by_wording(text)):
        return found
    for host in (remote_host.lower().rstrip("."), domain.lower().rstrip(".")):
        if host and (found := registry.by_host(host)):
            return found
    return None
