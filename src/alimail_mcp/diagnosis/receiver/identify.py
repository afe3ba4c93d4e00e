"""Find the receiving side before reading its codes: markers in the error text first (`gsmtp`),
then the remote host, then the recipient's domain (receivers are defined in skills/errors.yaml)."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.catalog import catalog

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def detect(text: str, remote_host: str = "", domain: str = "") -> str | None:
    """The receiver id (google, microsoft ...) or None when nothing points to a known one.

    Markers are looked for in the text without its email addresses: a sender at yahoo.com quoted
    in a refusal does not make the refusal Yahoo's.
    """
    receivers = catalog().receivers
    text = _ADDRESS.sub(" ", text.lower()) if "@" in text else text.lower()
    for name, (_, markers) in receivers.items():
        if markers is not None and text and markers.search(text):
            return name
    for host in (remote_host.lower().rstrip("."), domain.lower().rstrip(".")):
        if not host:
            continue
        for name, (hosts, _) in receivers.items():
            if hosts.search(host):
                return name
    return None
