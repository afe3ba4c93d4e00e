"""Validation of the values tools receive: domains, addresses and free text."""

from __future__ import annotations

import re

from alimail_mcp.errors import InputError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(value: str, field: str = "domain") -> str:
    """Return `value` as a lower-case ASCII (punycode) domain, or raise InputError naming `field`.

    Checks syntax only (lengths, labels, IDNA), never whether the TLD exists.
    """
    text = value.strip().rstrip(".")
    if not text:
        raise InputError(field, "must not be empty")
    if len(text) > 1000:
        raise InputError(field, "is too long to be a domain name")
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if any(c.isspace() for c in text) or "/" in text or ":" in text:
        raise InputError(field, f"{text[:80]!r} is not a domain name (no spaces, slashes or ports)")
    try:
        ascii_name = text.encode("idna").decode("ascii") if not text.isascii() else text
    except UnicodeError:
        raise InputError(field, f"{text[:80]!r} is not a valid internationalised domain name") from None
    ascii_name = ascii_name.lower()
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise InputError(field, f"{ascii_name[:80]!r} needs at least two labels, like example.com")
    if len(ascii_name) > 253:
        raise InputError(field, "is longer than 253 characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(
                field, f"label {label[:63]!r} must be 1-63 letters, digits or hyphens, not starting or ending with '-'"
            )
    return ascii_name


def normalize_address(value: str, field: str = "email") -> str:
    """Return `local@domain` with the domain normalised, or raise InputError naming `field`."""
    text = value.strip()
    if len(text) > 320:
        raise InputError(field, "is longer than 320 characters")
    local, at, domain = text.rpartition("@")
    if not at or not local:
        raise InputError(field, f"{text[:80]!r} is not an email address (expected name@domain)")
    if len(local) > 64 or any(c.isspace() or c in '<>()[],;:"' for c in local):
        raise InputError(field, f"the local part {local[:64]!r} is not valid")
    return f"{local}@{normalize_domain(domain, field)}"


def bounded_text(value: str, field: str, max_chars: int, *, allow_empty: bool = False) -> str:
    """Check the length of free text; return it stripped."""
    text = value.strip()
    if not text and not allow_empty:
        raise InputError(field, "must not be empty")
    if len(text) > max_chars:
        raise InputError(field, f"is {len(text)} characters long; the limit is {max_chars}")
    return text
