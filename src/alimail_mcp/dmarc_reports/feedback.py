"""One DMARC aggregate report (RFC 7489 appendix C, RFC 9990) read from its XML into plain records.

The standard library's expat parser does the reading, configured so that it cannot be turned against
the server: a document type declaration (where entities are declared, and with them the "billion
laughs" expansion and external files) is refused at its first byte, and nothing is ever fetched.
Elements are read as they stream past, one record at a time, without building a tree.

Element names are compared without their namespace prefix, so the RFC 9990 namespace
(`urn:ietf:params:xml:ns:dmarc-2.0`) and the pre-RFC drafts (`identities` for `identifiers`) read alike.
Reports that are not well-formed are read as they are when the report itself is complete (text after
`</feedback>`, or a wrapper left open around it); otherwise two repairs are tried, each named in
`Feedback.repaired`: bytes that are not UTF-8 are dropped, and a stray `<` or `&` inside a text field
(an address written as `Name <a@b>`) is escaped.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from alimail_mcp import deadline

RESULT_WORDS = frozenset({"pass", "fail", "none", "neutral", "softfail", "temperror", "permerror", "policy"})
MAX_RECORDS = 100_000
"""Records read in one call, over every report (five times the largest report measured, 20,000)."""
MAX_DEPTH = 32
"""Element nesting read (a report's deepest element is six levels down)."""
_CHECK_EVERY = 512
"""Records between two looks at the call's deadline."""
_TEXT_FIELDS = (
    "org_name|email|extra_contact_info|report_id|header_from|envelope_from|envelope_to|comment|"
    "human_result|domain|selector|generator"
)
_FIELD_OPENING = re.compile(rf"<({_TEXT_FIELDS})>".encode())
_FIELD_TEXT_CHARS = 1000
MAX_REPAIRS = 16
"""Text fields mended in one report (each repair parses the report again)."""
ESCAPED = "'<', '>' and '&' inside text fields were escaped"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_DOMAIN_LIKE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ENTITY = re.compile(r"&(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);")
_ENCODING_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class ReportError(ValueError):
    """The data is not a readable aggregate report; `refused` when it was refused as unsafe."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        self.refused = refused
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One `<dkim>` or `<spf>` of a record's auth_results: the domain checked and the raw result."""

    domain: str
    result: str
    selector: str = ""


@dataclass(slots=True)
class Record:
    source_ip: str
    """Canonical form (ipaddress)."""
    count: int
    disposition: str
    dkim: str
    """policy_evaluated: the reporter's verdict on aligned DKIM, lower case ('' when absent)."""
    spf: str
    reasons: tuple[str, ...]
    """policy_evaluated/reason/type values, lower case (forwarded, mailing_list, local_policy ...)."""
    header_from: str
    envelope_from: str
    dkim_results: tuple[AuthResult, ...]
    spf_results: tuple[AuthResult, ...]


@dataclass(slots=True)
class Feedback:
    """One aggregate report as published: metadata, the published policy, the records."""

    org_name: str
    org_email: str
    report_id: str
    begin: int
    end: int
    domain: str
    policy: dict[str, str]
    """policy_published's fields (p, sp, pct, adkim, aspf, fo, np, testing ...), values as written."""
    records: list[Record] = field(default_factory=list)
    repaired: tuple[str, ...] = ()
    """What had to be mended before the report could be read (empty for a well-formed report)."""


class _Refused(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why the XML could not be read, and where (a byte index into the data)."""

    message: str
    at: int


def read_feedback(data: bytes, *, utf8: bool = False, max_records: int = MAX_RECORDS) -> Feedback:
    """The report in `data`. `utf8`: the bytes are UTF-8 whatever the XML declaration says (text that
    was given as a string). Raises ReportError (refused=True for a document type declaration, or more
    than `max_records` records)."""
    outcome = _attempt(data, utf8, max_records)
    if isinstance(outcome, _Reader):
        return outcome.feedback(())
    first = outcome.message
    repairs: list[str] = []
    if not utf8 and _utf8_declared(data) and not _is_utf8(data):
        data = data.decode("utf-8", "ignore").encode("utf-8")
        repairs.append("bytes that are not UTF-8 were dropped")
        outcome = _attempt(data, utf8, max_records)
        if isinstance(outcome, _Reader):
            return outcome.feedback(tuple(repairs))
    for _ in range(MAX_REPAIRS):
        mended = _mend_field(data, outcome.at)
        if mended is None:
            break
        data = mended
        if ESCAPED not in repairs:
            repairs.append(ESCAPED)
        outcome = _attempt(data, utf8, max_records)
        if isinstance(outcome, _Reader):
            return outcome.feedback(tuple(repairs))
    raise ReportError(first)


def _attempt(data: bytes, utf8: bool, max_records: int) -> _Reader | _Failure:
    """A reader that read the whole report, or why and where the XML could not be read."""
    reader = _Reader(max_records)
    parser = reader.parser("UTF-8" if utf8 else None)
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ReportError(str(exc), refused=True) from None
    except expat.ExpatError as exc:
        if not reader.complete:
            why = f"not well-formed XML ({expat.ErrorString(exc.code)} at line {exc.lineno})"
            return _Failure(why, parser.ErrorByteIndex)
        reader.trailing = True
    if not reader.seen_feedback:
        root = reader.root or "nothing"
        raise ReportError(f"not a DMARC aggregate report (the XML's root element is <{root[:40]}>)")
    return reader


def _mend_field(data: bytes, at: int) -> bytes | None:
    """`data` with the markup characters escaped in the one-line text field the parser stopped in
    (`<email>Name <a@b></email>`), or None when it did not stop in one or there is nothing to escape."""
    if at < 0:
        return None
    window = max(0, at - _FIELD_TEXT_CHARS)
    openings = list(_FIELD_OPENING.finditer(data, window, at + 1))
    if not openings:
        return None
    opening = openings[-1]
    start = opening.end()
    end = data.find(b"</" + opening.group(1) + b">", start, start + _FIELD_TEXT_CHARS)
    inner = data[start:end]
    if end < at or b"\n" in inner:
        return None
    escaped = _escaped(inner.decode("utf-8", "replace")).encode("utf-8")
    return None if escaped == inner else data[:start] + escaped + data[end:]


def _escaped(inner: str) -> str:
    kept = _ENTITY.sub(lambda m: m.group(0).replace("&", "\x00"), inner)
    return kept.replace("&", "&amp;").replace("\x00", "&").replace("<", "&lt;").replace(">", "&gt;")


def _utf8_declared(data: bytes) -> bool:
    found = _ENCODING_DECLARATION.match(data[:200])
    return found is None or found.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Reader:
    """expat handlers that keep what an aggregate report says, one record at a time. They run once per
    element of a report that may have hundreds of thousands: kept short on purpose."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self.max_records = max_records
        self.stack: list[str] = []
        self.text: list[str] = []
        self.names: dict[str, str] = {}
        """Element names as written -> without their namespace prefix."""
        self.meta: dict[str, str] = {}
        self.policy: dict[str, str] = {}
        self.records: list[Record] = []
        self.record: dict[str, Any] = _new_record()
        self.auth: dict[str, str] = {}
        self.reason: dict[str, str] = {}
        self.root: str | None = None
        self.seen_feedback = False
        self.complete = False
        """`</feedback>` was read: whatever follows it is not part of the report."""
        self.trailing = False
        """The XML was not well-formed only after `</feedback>` (a wrapper left open, text after it)."""

    def parser(self, encoding: str | None) -> Any:
        parser = expat.ParserCreate(encoding)
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_entity
        parser.ExternalEntityRefHandler = _refuse_external
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text.append
        return parser

    def start(self, name: str, attributes: Any) -> None:
        local = self.names.get(name)
        if local is None:
            local = self.names[name] = name.rpartition(":")[2]
            if self.root is None:
                self.root = local
            if local == "feedback":
                self.seen_feedback = True
        self.stack.append(local)
        self.text.clear()
        if len(self.stack) > MAX_DEPTH:
            raise ReportError(f"the XML nests elements more than {MAX_DEPTH} deep; no report does")

    def end(self, name: str) -> None:
        # Branches in the order of how often they are taken: 19 elements per record.
        stack = self.stack
        local = stack.pop()
        if self.complete or not stack:
            self.complete = self.complete or local == "feedback"
            return
        parent = stack[-1]
        if parent == "dkim" or parent == "spf":
            if len(stack) > 1 and stack[-2] == "auth_results":
                self.auth[local] = "".join(self.text).strip()
        elif parent == "policy_evaluated":
            if local == "reason":
                self.record["_reasons"].append(self.reason.pop("type", "").lower())
                self.reason.clear()
            else:
                self.record["pe_" + local] = "".join(self.text).strip().lower()
        elif parent == "row" or parent == "identifiers" or parent == "identities":
            self.record[local] = "".join(self.text).strip()
        elif parent == "record":
            return
        elif parent == "auth_results":
            if local == "dkim" or local == "spf":
                self.record["_" + local].append(_auth(self.auth))
            self.auth = {}
        elif local == "record":
            self._add_record()
        elif parent == "reason":
            self.reason[local] = "".join(self.text).strip()
        elif parent == "report_metadata" or parent == "date_range":
            self.meta.setdefault(local, "".join(self.text).strip())
        elif parent == "policy_published":
            self.policy[local] = "".join(self.text).strip()
        elif local == "feedback":
            self.complete = True

    def _add_record(self) -> None:
        r = self.record
        self.record = _new_record()
        number = len(self.records) + 1
        if number % _CHECK_EVERY == 0:
            deadline.check()
        if number > self.max_records:
            raise ReportError(
                f"refused: the reports hold more records than one call reads ({MAX_RECORDS:,})", refused=True
            )
        self.records.append(
            Record(
                source_ip=_address(r.get("source_ip"), number),
                count=_count(r.get("count"), number),
                disposition=r.get("pe_disposition", ""),
                dkim=r.get("pe_dkim", ""),
                spf=r.get("pe_spf", ""),
                reasons=tuple(x for x in r["_reasons"] if x),
                header_from=r.get("header_from", "").lower().rstrip("."),
                envelope_from=r.get("envelope_from", "").lower().rstrip("."),
                dkim_results=tuple(r["_dkim"]),
                spf_results=tuple(r["_spf"]),
            )
        )

    def feedback(self, repaired: tuple[str, ...]) -> Feedback:
        meta, policy = self.meta, self.policy
        domain = policy.get("domain", "").strip().lower().rstrip(".")
        if not domain:
            raise ReportError("the report names no domain (policy_published/domain is missing or empty)")
        email = meta.get("email", "")
        org = meta.get("org_name", "") or _domain_of(email)
        if _DOMAIN_LIKE.fullmatch(org):
            org = org.lower()  # a reporter named by its domain: Outlook.com is outlook.com
        if self.trailing:
            repaired = (*repaired, "what followed the end of the report was ignored")
        return Feedback(
            org_name=org,
            org_email=email,
            report_id=meta.get("report_id", ""),
            begin=_timestamp(meta.get("begin"), "begin"),
            end=_timestamp(meta.get("end"), "end"),
            domain=domain,
            policy={k: v for k, v in policy.items() if k != "domain"},
            records=self.records,
            repaired=repaired,
        )


def _new_record() -> dict[str, Any]:
    return {"_dkim": [], "_spf": [], "_reasons": []}


def _auth(fields: dict[str, str]) -> AuthResult:
    domain = fields.get("domain", "").lower().rstrip(".")
    return AuthResult(domain, fields.get("result", "").lower(), fields.get("selector", ""))


def _refuse_doctype(*_: Any) -> None:
    raise _Refused("refused: the XML declares a document type (DTD); entity declarations are not allowed")


def _refuse_entity(*_: Any) -> None:
    raise _Refused("refused: the XML declares entities; entity expansion is not allowed")


def _refuse_external(*_: Any) -> int:
    raise _Refused("refused: the XML refers to an external entity")


def _address(text: str | None, number: int) -> str:
    if not text:
        raise ReportError(f"record {number} has no source_ip")
    if _DOTTED_QUAD.fullmatch(text):
        return text  # already in canonical form: most addresses, and ipaddress is slow
    try:
        return ipaddress.ip_address(text.strip()).compressed
    except ValueError:
        raise ReportError(f"record {number}: source_ip {text[:45]!r} is not an IP address") from None


def _count(text: str | None, number: int) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        raise ReportError(f"record {number}: count {str(text)[:20]!r} is not a whole number") from None
    if value < 0:
        raise ReportError(f"record {number}: count {value} is negative")
    return value


def _timestamp(text: str | None, which: str) -> int:
    try:
        return int(float((text or "").strip()))
    except (ValueError, OverflowError):
        raise ReportError(f"the report's date_range/{which} is missing or not a Unix time") from None


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip(" <>").lower() if "@" in address else ""
