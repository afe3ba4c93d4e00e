"""RFC 5322 pieces the readers need: addresses in free text, Received: hosts."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.patterns import rx

_ADDRESS = re.compile(
    r"""(?<![\w.!#$%&'*+/=?^`{|}~-])"""
    r"""([\w.!#$%&'*+/=?^`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"""
    r"""(?![\w-])""",
    re.ASCII,
)
_IS_ADDRESS = re.compile(
    r"^[\w.!#$%&'*+/=?^`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]+$",
    re.ASCII,
)
_MAILER_DAEMON = re.compile(
    r"(?:mailer-daemon|postmaster)@|[<(](?:mailer-daemon|postmaster)[)>]"
    r"|^(?:mailer-daemon|postmaster)$| ?mailer-daemon "
)


def find_addresses(text: str) -> list[str]:
    """Every email address in `text`, in order, without duplicates; angle brackets and quotes dropped."""
    seen: list[str] = []
    for match in _ADDRESS.finditer(text):
        address = match.group(1).strip(".")
        if address not in seen:
            seen.append(address)
    return seen


def address_spans(text: str) -> list[tuple[str, int, int]]:
    """Every email address in `text` with where it starts and ends, in order (repeats included)."""
    return [(m.group(1).strip("."), m.start(1), m.end(1)) for m in _ADDRESS.finditer(text)]


def first_address(text: str) -> str:
    """The first address in `text` (an `<...>` one wins over a bare one), or ''."""
    bracketed = rx(r"<([^<>\s]+@[^<>\s]+)>").search(text)
    if bracketed and is_address(bracketed.group(1).strip("'\"")):
        return bracketed.group(1).strip("'\"")
    found = find_addresses(text)
    return found[0] if found else ""


def is_address(text: str) -> bool:
    return bool(_IS_ADDRESS.match(text))


def is_mailer_daemon(text: str) -> bool:
    return bool(_MAILER_DAEMON.search(text.lower()))


def received_hosts(value: str) -> tuple[str, str]:
    """(from-host, by-host) of one Received: value; the from-host prefers a name, else a public IP."""
    if rx(r"qmail[ \t]+.+invoked[ \t]+").search(value):
        return "", ""
    match = rx(r"from[ \t]+(.+)[ \t]+by[ \t]+([^ ]+)").match(value)
    if match:
        sender, by = match.group(1), match.group(2)
    else:
        match = rx(r"\bby[ \t]+([^ ]+)(.*)").search(value)
        if not match:
            return "", ""
        sender, by = match.group(1) + match.group(2), match.group(1)
    if " " in sender:
        names: list[str] = []
        addresses: list[str] = []
        for token in sender.split():
            if rx(r"^[(\[]\d+\.\d+\.\d+\.\d+[)\]]$").match(token):
                addresses.append(token.strip("[]()"))
            else:
                names.append(token.replace("(", "").replace(")", ""))
        host = next((n for n in names if "." in n), "")
        if not host:
            host = next((a for a in addresses if not _private(a)), addresses[-1] if addresses else "")
        sender = host
    return _clean_host(sender), _clean_host(by)


def _private(ip: str) -> bool:
    return ip.startswith(("10.", "127.", "192.168.")) or bool(rx(r"172\.(?:1[6-9]|2\d|3[01])\.").match(ip))


def _clean_host(host: str) -> str:
    return rx(r"[()\[\];?]").sub("", host)
