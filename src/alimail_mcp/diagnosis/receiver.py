"""Find the receiving side before reading its codes: markers in the error text first (`gsmtp`),
then the remote host, then the recipient's domain (receivers are defined in skills/errors.yaml)."""

from __future__ import annotations

from alimail_mcp.diagnosis.catalog import catalog


def detect(text: str, rhost: str = "", domain: str = "") -> str | None:
    """The receiver id (google, microsoft ...) or None when nothing points to a known one."""
    receivers = catalog().receivers
    text = text.lower()
    for name, (_, markers) in receivers.items():
        if markers is not None and text and markers.search(text):
            return name
    for host in (rhost.lower().rstrip("."), domain.lower().rstrip(".")):
        if not host:
            continue
        for name, (hosts, _) in receivers.items():
            if hosts.search(host):
                return name
    return None
