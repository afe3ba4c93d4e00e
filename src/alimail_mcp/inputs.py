"""Validation of the values tools receive: domains, addresses and free text.

Every rule raises InputError naming the field, quoting at most a short cut of the value.
Internationalised names follow IDNA 2008 with the UTS 46 mapping (what browsers and registries use):
`faß.de` is `xn--fa-hia.de`, full-width letters and the ideographic full stop `。` are folded.
"""

from __future__ import annotations

import re

from alimail_mcp.errors import InputError

# Limits of the values tools take; the tools' argument models (each engine's args.py) and the rules
# below use the same constants.
QUESTION_CHARS = 4000
"""A question or a description in the user's words."""
LINE_CHARS = 1000
"""One message as shown on a screen (a lock message)."""
DOMAIN_TEXT_CHARS = 255
"""A domain as typed: 253 characters, a trailing dot and a space (a Unicode name is checked converted)."""
DOMAIN_CHARS = 253
"""A domain's ASCII (punycode) form."""
ADDRESS_CHARS = 320
HOST_CHARS = 255
STAMP_CHARS = 64
"""A timestamp or an IP address."""
CHOICE_CHARS = 40
"""A name picked from a short list (client, site, protocol, security, edition, goal, symptom)."""
LOCAL_PART_CHARS = 64
QUOTE_CHARS = 80
"""How much of a rejected value an error message quotes."""

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
SPECIAL_USE = {
    "localhost": "the local host, RFC 6761",
    "local": "multicast DNS on the local network, RFC 6762",
    "internal": "private networks, reserved by ICANN",
    "arpa": "DNS infrastructure; home.arpa is for home networks, RFC 8375",
    "onion": "Tor onion services, RFC 7686",
    "alt": "names outside the DNS, RFC 9476",
    "home": "private networks, never delegated by ICANN",
    "corp": "private networks, never delegated by ICANN",
    "lan": "private networks by convention",
    "localdomain": "the local host by convention",
}
"""Last labels of names that are never a public mail domain, refused by `normalize_domain` whatever the
settings (a cluster's `svc.cluster.local`, `corp.internal`, `x.localhost`). The reserved names tests
and documentation use (.test, .example, .invalid) are public-shaped and stay accepted."""
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": "."})


def normalize_domain(value: str, field: str = "domain", *, public: bool = True) -> str:
    """Return `value` as a lower-case ASCII (punycode) domain, or raise InputError naming `field`.

    Checks syntax (lengths, labels, IDNA), never whether the TLD exists, and refuses the special-use
    names that are never a public domain (`SPECIAL_USE`, unless `public` is False: a mail client's
    server setting may name a host on the local network). A whole address is accepted and its domain taken.
    """
    text = value.strip().translate(_DOTS).rstrip(".")
    if not text:
        raise InputError(field, "must not be empty")
    if len(text) > DOMAIN_TEXT_CHARS:
        raise InputError(field, "is too long to be a domain name")
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if any(c.isspace() or not c.isprintable() for c in text) or "/" in text or ":" in text:
        raise InputError(field, f"{_quote(text)} is not a domain name (no spaces, slashes or ports)")
    ascii_name = text.lower() if text.isascii() else _to_ascii(text, field)
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise InputError(field, f"{_quote(ascii_name)} needs at least two labels, like example.com")
    if len(ascii_name) > DOMAIN_CHARS:
        raise InputError(field, f"is longer than {DOMAIN_CHARS} characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(
                field,
                f"label {_quote(label)} must be 1-63 letters, digits or hyphens, "
                "not starting or ending with '-'",
            )
    if labels[-1].isdigit():
        raise InputError(field, f"{_quote(ascii_name)} looks like an IP address; give the domain name")
    if public and labels[-1] in SPECIAL_USE:
        raise InputError(
            field,
            f"{_quote(ascii_name)} is under .{labels[-1]}, a special-use name that is never a public "
            f"mail domain ({SPECIAL_USE[labels[-1]]})",
        )
    return ascii_name


def _to_ascii(text: str, field: str) -> str:
    import idna  # only for non-ASCII names: it loads Unicode tables

    try:
        return idna.encode(text, uts46=True).decode("ascii").rstrip(".")
    except (idna.IDNAError, UnicodeError) as exc:
        reason = str(exc).split(" of ", 1)[0][:QUOTE_CHARS]  # idna quotes the label after " of "
        raise InputError(
            field, f"{_quote(text)} is not a valid internationalised domain name ({reason})"
        ) from None


def normalize_address(value: str, field: str = "email") -> str:
    """Return `local@domain` with the domain normalised, or raise InputError naming `field`."""
    text = value.strip()
    if len(text) > ADDRESS_CHARS:
        raise InputError(field, f"is longer than {ADDRESS_CHARS} characters")
    local, at, domain = text.rpartition("@")
    if not at or not local:
        raise InputError(field, f"{_quote(text)} is not an email address (expected name@domain)")
    if len(local) > LOCAL_PART_CHARS or any(
        c.isspace() or not c.isprintable() or c in '<>()[],;:"@' for c in local
    ):
        raise InputError(field, f"the local part {_quote(local)} is not valid")
    return f"{local}@{normalize_domain(domain, field)}"


def bounded_text(value: str, field: str, max_chars: int, *, allow_empty: bool = False) -> str:
    """Check the length of free text; return it stripped."""
    text = value.strip()
    if not text and not allow_empty:
        raise InputError(field, "must not be empty")
    if len(text) > max_chars:
        raise InputError(field, f"is {len(text)} characters long; the limit is {max_chars}")
    return text


def _quote(text: str) -> str:
    """A rejected value as the error shows it: repr of its start, so controls and quotes stay visible."""
    return repr(text[:QUOTE_CHARS]) + ("…" if len(text) > QUOTE_CHARS else "")
