"""SPF records (RFC 7208 sections 4.5, 4.6, 5, 6): which TXT records are SPF, and their terms.

`parse_record` is strict (any error anywhere makes the record a permerror, 4.6);
`parse_lenient` keeps the valid terms and lists the errors, for audits and for merging records.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from alimail_mcp.dns.spf import macros
from alimail_mcp.dns.spf.macros import MacroSyntaxError, Token

Qualifier = Literal["+", "-", "~", "?"]
MechanismName = Literal["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"]
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
"""Mechanisms that cost one of the 10 DNS lookups (4.6.4); the redirect modifier costs one too."""

_VERSION = re.compile(r"v=spf1(?: |\Z)", re.IGNORECASE)
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9\-_.]*)=(.*)", re.DOTALL)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z0-9]*)(.*)", re.DOTALL)
_DUAL_CIDR = re.compile(r"(.*?)((?:/[0-9]+)?(?://[0-9]+)?)", re.DOTALL)
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IP4_NETWORK = re.compile(rf"{_QNUM}(?:\.{_QNUM}){{3}}")
TERM_CHARS = 80
"""How much of a term an error message quotes."""


class SpfSyntaxError(ValueError):
    """A record or one of its terms breaks the grammar; `term` quotes it (truncated)."""

    def __init__(self, message: str, term: str | None = None) -> None:
        self.message = message
        self.term = term[:TERM_CHARS] if term is not None else None
        super().__init__(f"{message} (in {self.term!r})" if term is not None else message)


@dataclass(frozen=True, slots=True)
class Mechanism:
    qualifier: Qualifier
    name: MechanismName
    text: str
    """The term as published."""
    domain: tuple[Token, ...] | None = None
    """The parsed domain-spec, None when the term has none (then <domain> applies)."""
    domain_text: str | None = None
    cidr4: int | None = None
    cidr6: int | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None

    @property
    def costs_lookup(self) -> bool:
        return self.name in LOOKUP_MECHANISMS


@dataclass(frozen=True, slots=True)
class Modifier:
    name: str
    """Lower-case."""
    value: str
    text: str
    domain: tuple[Token, ...] | None = None
    """Parsed domain-spec for redirect= and exp=."""


Term = Mechanism | Modifier


@dataclass(frozen=True, slots=True)
class SpfRecord:
    text: str
    terms: tuple[Term, ...]

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return tuple(t for t in self.terms if isinstance(t, Mechanism))

    def modifier(self, name: str) -> Modifier | None:
        return next((t for t in self.terms if isinstance(t, Modifier) and t.name == name), None)

    @property
    def redirect(self) -> Modifier | None:
        return self.modifier("redirect")

    @property
    def exp(self) -> Modifier | None:
        return self.modifier("exp")

    @property
    def all(self) -> Mechanism | None:
        return next((m for m in self.mechanisms if m.name == "all"), None)

    @property
    def reachable(self) -> tuple[Mechanism, ...]:
        """Mechanisms up to and including the first `all`: those after it are never evaluated."""
        out: list[Mechanism] = []
        for mechanism in self.mechanisms:
            out.append(mechanism)
            if mechanism.name == "all":
                break
        return tuple(out)

    @property
    def effective_redirect(self) -> Modifier | None:
        """redirect= applies only when no mechanism matched, which never happens with `all` (6.1)."""
        return None if self.all is not None else self.redirect


def is_spf(text: str) -> bool:
    """True for a TXT record that is an SPF version 1 record (4.5): `v=spf1` then a space or the end."""
    return bool(_VERSION.match(text))


def spf_records(txt_records: Sequence[str]) -> list[str]:
    return [text for text in txt_records if is_spf(text)]


_MISTYPED_VERSION = re.compile(r"v\s*=\s*spf\s*1", re.IGNORECASE)
_QUOTES = ("'", '"')


def _after_mistyped_version(text: str) -> str | None:
    """What follows a version tag written with spaces or quotes around it, or None. The spaces and
    quotes are stripped with str methods: as one pattern, two runs of spaces side by side made the
    match quadratic in a long run of them."""
    core = text.strip()
    if core[:1] in _QUOTES:
        core = core[1:].lstrip()
    if core[-1:] in _QUOTES:
        core = core[:-1]
    match = _MISTYPED_VERSION.match(core)
    return core[match.end() :] if match else None


def near_spf(txt_records: Sequence[str]) -> list[str]:
    """TXT records meant as SPF whose version tag is mistyped (`v=spf1include:...`, `v = spf1 ...`,
    quotes or spaces around it): receivers ignore them (4.5), the domain's admin did not mean to."""
    return [text for text in txt_records if not is_spf(text) and _after_mistyped_version(text) is not None]


def intended_spf(text: str) -> str:
    """The record a `near_spf()` text was meant to be: `v=spf1 ` and the rest of it."""
    rest = (_after_mistyped_version(text) or "").strip()
    return f"v=spf1 {rest}".strip()


def parse_record(text: str) -> SpfRecord:
    """Parse an SPF record; raises SpfSyntaxError at the first error (record-wide checks first)."""
    record, errors = parse_lenient(text)
    if errors:
        raise errors[0]
    return record


def parse_lenient(text: str) -> tuple[SpfRecord, list[SpfSyntaxError]]:
    """The record's valid terms and every error found."""
    errors: list[SpfSyntaxError] = []
    if not is_spf(text):
        return SpfRecord(text, ()), [SpfSyntaxError("the record does not start with 'v=spf1'")]
    if not text.isascii():
        errors.append(SpfSyntaxError("the record contains characters outside 7-bit ASCII (3.1)"))
    terms: list[Term] = []
    for raw in text[6:].split(" "):
        if not raw:
            continue
        try:
            terms.append(parse_term(raw))
        except SpfSyntaxError as exc:
            errors.append(exc)
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if isinstance(t, Modifier) and t.name == name) > 1:
            errors.append(SpfSyntaxError(f"the {name}= modifier appears more than once (6)"))
    return SpfRecord(text, tuple(terms)), errors


def parse_term(text: str) -> Term:
    """One term: a directive (mechanism with its qualifier) or a modifier."""
    modifier = _MODIFIER.fullmatch(text)
    if modifier:
        return _modifier(modifier.group(1).lower(), modifier.group(2), text)
    match = _MECHANISM.fullmatch(text)
    assert match is not None  # the pattern matches any string
    qualifier, name, rest = match.group(1) or "+", match.group(2).lower(), match.group(3)
    try:
        return _MECHANISM_PARSERS[name](qualifier, name, rest, text)  # type: ignore[arg-type]
    except KeyError:
        raise SpfSyntaxError("unknown mechanism", text) from None
    except MacroSyntaxError as exc:
        raise SpfSyntaxError(str(exc), text) from None


def _modifier(name: str, value: str, text: str) -> Modifier:
    try:
        if name in ("redirect", "exp"):
            return Modifier(name, value, text, tuple(macros.parse_domain_spec(value)))
        macros.parse(value, letters=macros.EXPLANATION_LETTERS)
    except MacroSyntaxError as exc:
        raise SpfSyntaxError(str(exc), text) from None
    return Modifier(name, value, text)


def _all(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    if rest:
        raise SpfSyntaxError("'all' takes no argument", text)
    return Mechanism(qualifier, name, text)


def _domain_required(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    """include and exists: ':' domain-spec, nothing else."""
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"'{name}' needs ':' and a domain", text)
    spec = rest[1:]
    return Mechanism(qualifier, name, text, tuple(macros.parse_domain_spec(spec)), spec)


def _ptr(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    if not rest:
        return Mechanism(qualifier, name, text)
    if not rest.startswith(":"):
        raise SpfSyntaxError("'ptr' takes only ':domain' (no prefix length)", text)
    return _domain_required(qualifier, name, rest, text)


def _a_or_mx(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    """a and mx: [':' domain-spec] [dual-cidr-length]."""
    match = _DUAL_CIDR.fullmatch(rest)
    assert match is not None
    spec, cidr = match.groups()
    if spec and not spec.startswith(":"):
        raise SpfSyntaxError(f"'{name}' takes ':domain' then '/ip4-prefix', '//ip6-prefix' or both", text)
    cidr4, cidr6 = _dual_cidr(cidr, text)
    if not spec:
        return Mechanism(qualifier, name, text, cidr4=cidr4, cidr6=cidr6)
    spec = spec[1:]
    return Mechanism(qualifier, name, text, tuple(macros.parse_domain_spec(spec)), spec, cidr4, cidr6)


def _dual_cidr(text: str, term: str) -> tuple[int | None, int | None]:
    four, _, six = text.partition("//")
    if four:
        four = four.removeprefix("/")
    return (_prefix(four, 32, term) if four else None, _prefix(six, 128, term) if six else None)


def _prefix(digits: str, limit: int, term: str) -> int:
    if (
        not (digits.isascii() and digits.isdigit())
        or (len(digits) > 1 and digits[0] == "0")
        or int(digits) > limit
    ):
        raise SpfSyntaxError(f"'/{digits}' is not a prefix length from 0 to {limit}", term)
    return int(digits)


def _ip4(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    if not rest.startswith(":"):
        raise SpfSyntaxError("'ip4' needs ':' and an IPv4 address", text)
    address, slash, digits = rest[1:].partition("/")
    if not _IP4_NETWORK.fullmatch(address):
        raise SpfSyntaxError(f"{address[:40]!r} is not an IPv4 address (four decimal numbers)", text)
    length = _prefix(digits, 32, text) if slash else 32
    network = ipaddress.IPv4Network(f"{address}/{length}", strict=False)
    return Mechanism(qualifier, name, text, cidr4=length, network=network)


def _ip6(qualifier: Qualifier, name: MechanismName, rest: str, text: str) -> Mechanism:
    if not rest.startswith(":"):
        raise SpfSyntaxError("'ip6' needs ':' and an IPv6 address", text)
    address, slash, digits = rest[1:].partition("/")
    try:
        if "%" in address:
            raise ValueError
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        raise SpfSyntaxError(f"{address[:40]!r} is not an IPv6 address", text) from None
    length = _prefix(digits, 128, text) if slash else 128
    network = ipaddress.IPv6Network(f"{parsed}/{length}", strict=False)
    return Mechanism(qualifier, name, text, cidr6=length, network=network)


_MECHANISM_PARSERS = {
    "all": _all,
    "include": _domain_required,
    "exists": _domain_required,
    "a": _a_or_mx,
    "mx": _a_or_mx,
    "ptr": _ptr,
    "ip4": _ip4,
    "ip6": _ip6,
}
