"""Find SMTP facts in free text: enhanced status codes (RFC 3463), reply codes (RFC 5321), commands."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.mail.addresses import address_spans

_STATUS_PATTERNS = (
    re.compile(r" ?\(#([45]\.\d\.\d+)\)? ?"),  # (#5.5.1) as qmail writes it
    re.compile(r"\b\d{3}[ -]#?([45]\.\d\.\d+)\b"),  # 550-5.1.1 / 550 5.5.1
    re.compile(r"\b([45]\.\d\.\d+)\b"),
    re.compile(r"\b(2\.[0-7]\.[0-7])\b"),
)
_IPV4 = re.compile(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b")
_REPLY = re.compile(r"\b([45][0-5]\d)\b")
_REPLY_OK = re.compile(r"\b(25[0-3])\b")
_VALID_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")

COMMANDS = ("CONN", "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "QUIT")
_COMMAND_PATTERNS = (
    re.compile(r"\b(?:in reply to|after) (?:end of )?(?:the )?([A-Za-z]{4})\b"),
    re.compile(r"\b([A-Z]{4})(?: TO| FROM)?:?[^()]*? command\b"),
    re.compile(r"\bdid not like our (?:final )?([A-Z]{4})"),
    re.compile(r"^>>> ([A-Z]{4})\b", re.MULTILINE),
)


def find_status(text: str) -> str:
    """The first enhanced status code in `text` that is not part of an IPv4 address, or ''."""
    if not text:
        return ""
    for pattern in _STATUS_PATTERNS:
        for match in pattern.finditer(text):
            code = match.group(1)
            start, end = match.span(1)
            if _inside_number(text, start, end):
                continue
            return code
    return ""


def _inside_number(text: str, start: int, end: int) -> bool:
    """True when the code at text[start:end] is a piece of a longer dotted number (an IP address)."""
    before = text[max(0, start - 4) : start]
    after = text[end : end + 4]
    return bool(rx(r"\d\.$").search(before) or rx(r"^\.\d").match(after))


def find_reply(text: str) -> str:
    """The first SMTP reply code (4xx/5xx, else 250-253) in `text`, ignoring IPv4 octets."""
    if not text or "X-UNIX;" in text.upper():
        return ""
    cleaned = _IPV4.sub("***", text)
    match = _REPLY.search(cleaned) or _REPLY_OK.search(cleaned)
    return match.group(1) if match else ""


_SENDER_BEFORE = re.compile(
    r"(?:mail ?from|envelope[- ]from|sender(?: address)?|from|verification failed for"
    r"|owned by (?:the )?user|password (?:for )?(?:the )?user|authenticated as|logged in as|login"
    r"|user ?name|account:|发件人|发信人|寄件人|登录账号|登录帐号)[\s:：'\"<(\[（]*$"
)
_SENDER_AFTER = re.compile(
    r"^[>'\")\]]*[\s:.,]*(?:sender address|domain of sender|sender verify"
    r"|is not (?:a )?(?:permitted|allowed|authori[sz]ed) sender)"
)


def find_recipient(text: str) -> str:
    """The first address `text` does not name as the sender or the logged-in account, or ''.

    A reply line may quote the envelope sender (`<boss@x>: Sender address rejected`, `mail from
    <a@x>`) or the account a client logged in with (`password for user "a@x"`); neither failed.
    """
    lowered = text.lower()
    for address, start, end in address_spans(text):
        if _SENDER_BEFORE.search(lowered[max(0, start - 40) : start]):
            continue
        if _SENDER_AFTER.match(lowered[end : end + 40]):
            continue
        return address
    return ""


def find_command(text: str) -> str:
    """The SMTP command an error answered, when the text says ("in reply to RCPT TO command")."""
    for pattern in _COMMAND_PATTERNS:
        match = pattern.search(text)
        if match:
            command = match.group(1).upper()
            if command in COMMANDS:
                return command
    return ""


def is_status(code: str) -> bool:
    return bool(_VALID_STATUS.match(code))


def permanence(status: str, reply_code: str, text: str = "") -> bool | None:
    """True for a permanent failure (5xx), False for a temporary one (4xx), None when unknown."""
    for code in (status, reply_code, find_status(text), find_reply(text)):
        if code[:1] == "5":
            return True
        if code[:1] == "4":
            return False
        if code[:1] == "2":
            return None
    lowered = text.lower()
    if "temporar" in lowered or "persistent" in lowered:
        return False
    if "permanent" in lowered:
        return True
    return None


def sweep(text: str) -> str:
    """Collapse whitespace and drop a trailing `--`-separated tail (MIME boundaries glued to a message)."""
    text = " ".join(text.replace("\t", " ").split())
    return rx(r" -{2,}[^ \t].+$").sub("", text)
