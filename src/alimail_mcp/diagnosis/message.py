"""Read what the user pasted into `Mail` objects: split mbox files, parse MIME, flatten the parts.

A bounce is parsed with the standard `email` package (policy compat32: it never raises on broken
MIME, it records defects). The readers then work on one flattened text per message: decoded text
parts, delivery-status and feedback-report fields, and the headers of the returned message, each
message/* part introduced by its own `Content-Type:` line so a reader can find where it starts.
"""

from __future__ import annotations

import email
import re
from email.message import Message
from email.policy import compat32

from alimail_mcp.diagnosis.delivery import Mail
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.mail.delivery_status import spelled
from alimail_mcp.mail.encoded_words import decode_words

_HEADER_START = re.compile(rb"^(?:From |[A-Za-z0-9][A-Za-z0-9-]*:)")
_MESSAGE_FIELD = re.compile(
    rb"^(?:From |(?:from|to|cc|subject|date|received|return-path|message-id|mime-version|content-type"
    rb"|delivered-to|reply-to|sender|in-reply-to|references|dkim-signature|authentication-results"
    rb"|x-failed-recipients|auto-submitted|envelope-to|x-original-to):)",
    re.IGNORECASE,
)
"""A field only a message header block has: `AccountFrozen: ...` or `Error: 550 ...` pasted on
their own look like header lines but are error texts."""
_MBOX_SPLIT = re.compile(rb"\n(?=From [^\n]*\n)")
_TAG = re.compile(r"<[^>]*>")
_FOLD = re.compile(r"\r?\n[ \t]+")
_BOUNDARY = re.compile(rb"""boundary\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_STATUS_TYPES = (
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
    "message/disposition-notification",
    "message/global-disposition-notification",
    "message/x-delivery-status",
)
_ORIGINAL_TYPES = ("message/rfc822", "message/global", "message/partial")
_HEADER_TYPES = ("text/rfc822-headers", "text/global-headers")


def read_messages(data: bytes) -> list[Mail]:
    """Every message in `data` (one, or several when it is an mbox); bare text becomes one Mail."""
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").lstrip(b"\n")
    if not looks_like_message(data):
        return [bare_text(data)]
    return [read_message(chunk) for chunk in split_mbox(data)]


def looks_like_message(data: bytes) -> bool:
    """True when the text starts with a header block (or an mbox `From ` line)."""
    head, _, _ = data.partition(b"\n\n")
    lines = head.split(b"\n")
    if not _HEADER_START.match(lines[0]):
        return False
    headerish = sum(1 for line in lines[:40] if _HEADER_START.match(line) or line[:1] in (b" ", b"\t"))
    if headerish < min(len(lines[:40]), 2):
        return False
    return any(_MESSAGE_FIELD.match(line) for line in lines[:40])


def split_mbox(data: bytes) -> list[bytes]:
    """Split at `From ` separator lines, the way mbox readers do (a leading one is dropped)."""
    chunks = _MBOX_SPLIT.split(data)
    out = []
    for chunk in chunks:
        if chunk.startswith(b"From ") and b":" not in chunk.split(b"\n", 1)[0][:5]:
            chunk = chunk.split(b"\n", 1)[1] if b"\n" in chunk else b""
        if chunk.strip():
            out.append(chunk)
    return out or [data]


def bare_text(data: bytes) -> Mail:
    """A pasted SMTP line, client error or bounce body without headers."""
    return Mail(headers={}, body=_text(data, None), has_headers=False)


def read_message(data: bytes) -> Mail:
    return mail_of(email.message_from_bytes(_canonical_boundaries(data), policy=compat32))


def mail_of(message: Message) -> Mail:
    """A parsed message as the readers see it."""
    raw = list(message.raw_items())
    headers = {name.lower(): _unfold(value) for name, value in reversed(raw)}
    subject = decode_words(headers.get("subject", ""))
    headers["subject"] = subject
    headers["from"] = decode_words(headers.get("from", ""))
    received = [_unfold(v) for name, v in raw if name.lower() == "received"]
    parts: list[str] = []
    attached: list[Message] = []
    _flatten(message, parts, attached, top=True)
    body = "\n".join(_clean_lines(part) for part in parts if part)
    if subject.lower().lstrip().startswith(("fw:", "fwd:")):
        body = re.sub(r"^>+ ?", "", body, flags=re.MULTILINE)
    return Mail(headers=headers, received=received, subject=subject, body=body, attached=attached)


def _canonical_boundaries(data: bytes) -> bytes:
    """Rename MIME boundaries to a few fixed names.

    The parser compiles one regular expression per boundary; with the same few names in every
    message those come from the `re` cache instead of being compiled again (a third of the time
    of reading a bounce). Short boundaries are left alone: renaming them could touch other text.
    Longer ones are renamed first (one may contain another), equal lengths in byte order.
    """
    found = {m.group(1) for m in _BOUNDARY.finditer(data) if len(m.group(1)) >= 12}
    for index, boundary in enumerate(sorted(found, key=lambda b: (-len(b), b))):
        data = data.replace(boundary, b"alimail-mime-boundary-%d" % index)
    return data


def _flatten(part: Message, out: list[str], attached: list[Message], *, top: bool = False) -> None:
    ctype = part.get_content_type()
    if ctype in _STATUS_TYPES:
        out.append(f"Content-Type: {ctype}\n" + _fields_text(part))
        return
    if ctype in _HEADER_TYPES:
        out.append(
            "Content-Type: text/rfc822-headers\n" + _text(_raw_payload(part), part.get_content_charset())
        )
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if ctype in _ORIGINAL_TYPES:
            out.append(f"Content-Type: {ctype}\n")
            for child in children[:1]:
                if isinstance(child, Message):
                    out.append(_headers_text(child))
                    if _is_notification(child):
                        attached.append(child)
            return
        has_plain = ctype == "multipart/alternative" and any(
            isinstance(c, Message) and c.get_content_type() == "text/plain" for c in children
        )
        for child in children:
            if isinstance(child, Message):
                if has_plain and child.get_content_type() == "text/html":
                    continue
                _flatten(child, out, attached)
        if not children:
            out.append(_text(_raw_payload(part), part.get_content_charset()))
        return
    maintype = part.get_content_maintype()
    if maintype == "multipart":
        repaired = _repair_multipart(part, ctype)
        if repaired is not None:
            _flatten(repaired, out, attached)
            return
    if maintype in ("text", "multipart") or top:
        text = _text(_raw_payload(part), part.get_content_charset())
        if ctype == "text/html":
            text = html_to_text(text)
        out.append(text)


def _is_notification(message: Message) -> bool:
    """An attached message that is a bounce itself: a delivery report, or from a mailer daemon."""
    if message.get_content_type() == "multipart/report":
        return True
    sender = str(message.get("from", "")).lower()
    return "mailer-daemon" in sender or "postmaster" in sender


def _repair_multipart(part: Message, ctype: str) -> Message | None:
    """A multipart part whose boundary parameter was lost (a broken header fold): find the
    boundary in the body and parse it again."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return None
    match = re.search(r"^--([^\s]{1,200})[ \t]*$", raw, re.MULTILINE)
    if not match or (match.group(1).endswith("--") and raw.count(match.group(0)) < 2):
        return None
    head = f'Content-Type: {ctype}; boundary="{match.group(1)}"\n\n'
    body = raw[match.start() :]
    repaired = email.message_from_string(head + body, policy=compat32)
    return repaired if repaired.is_multipart() else None


def _raw_payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _fields_text(part: Message) -> str:
    """The fields of a delivery-status (or feedback-report) part, one block per recipient."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and all(isinstance(p, Message) for p in payload):
        blocks = []
        for block in payload:
            if not isinstance(block, Message):
                continue
            lines = [f"{spelled(name)}: {_unfold(value)}" for name, value in block.raw_items()]
            # A block the parser could not split into fields keeps its text as the payload.
            rest = block.get_payload()
            if isinstance(rest, str) and rest.strip():
                lines.append(rest.strip())
            blocks.append("\n".join(lines))
        text = "\n\n".join(blocks)
        cte = part.get("content-transfer-encoding", "").lower()
        if cte not in ("base64", "quoted-printable"):
            return text
    return _text(_raw_payload(part), part.get_content_charset())


def _headers_text(message: Message) -> str:
    if not isinstance(message, Message):
        return ""
    return "\n".join(f"{name}: {_unfold(value)}" for name, value in message.raw_items()) + "\n"


def _text(data: bytes, charset: str | None) -> str:
    for codec in (charset, "utf-8"):
        if not codec:
            continue
        try:
            return data.decode(_codec_alias(codec))
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _codec_alias(charset: str) -> str:
    name = charset.strip().strip('"').lower()
    return {"gb2312": "gb18030", "gbk": "gb18030", "x-sjis": "shift_jis", "ks_c_5601-1987": "euc-kr"}.get(
        name, name
    )


def _unfold(value: object) -> str:
    text = str(value) if not isinstance(value, str) else value
    if "\n" in text:
        text = _FOLD.sub(" ", text)
    return text.strip()


def _clean_lines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)


def html_to_text(html: str) -> str:
    html = rx(r"(?is)<(script|style)[^>]*>.*?</\1>").sub("", html)
    html = rx(r"(?i)<br\s*/?>|</(?:p|div|tr|li|h\d)>").sub("\n", html)
    text = _TAG.sub("", html)
    for entity, char in (
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ):
        text = text.replace(entity, char)
    return text
