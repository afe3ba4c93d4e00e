"""Read what the user pasted into `Mail` objects: the bounce readers' view of each message.

`mail` splits an mbox and parses and walks the MIME. The readers then work on one flattened text
per message: decoded text parts (HTML as text), delivery-status and feedback-report fields, and
the headers of the returned message, each message/* part introduced by its own `Content-Type:`
line so a reader can find where it starts.
"""

from __future__ import annotations

import re
from email.message import Message

from alimail_mcp.diagnosis.delivery import Mail
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.mail.delivery_status import spelled
from alimail_mcp.mail.encoded_words import decode_words
from alimail_mcp.mail.header_block import looks_like_message, unfold
from alimail_mcp.mail.mbox import split_mbox
from alimail_mcp.mail.mime import decode_text, parse_message, payload_text, walk

_TAG = re.compile(r"<[^>]*>")
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
_WHOLE_TYPES = frozenset((*_STATUS_TYPES, *_ORIGINAL_TYPES, *_HEADER_TYPES))
"""Parts read as one piece, not walked into."""


def read_messages(data: bytes) -> list[Mail]:
    """Every message in `data` (one, or several when it is an mbox); bare text becomes one Mail."""
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").lstrip(b"\n")
    if not looks_like_message(data):
        return [bare_text(data)]
    return [read_message(chunk) for chunk in split_mbox(data)]


def bare_text(data: bytes) -> Mail:
    """A pasted SMTP line, client error or bounce body without headers."""
    return Mail(headers={}, body=decode_text(data, None), has_headers=False)


def read_message(data: bytes) -> Mail:
    return mail_of(parse_message(data))


def mail_of(message: Message) -> Mail:
    """A parsed message as the readers see it."""
    raw = list(message.raw_items())
    headers = {name.lower(): unfold(value) for name, value in reversed(raw)}
    subject = decode_words(headers.get("subject", ""))
    headers["subject"] = subject
    headers["from"] = decode_words(headers.get("from", ""))
    received = [unfold(v) for name, v in raw if name.lower() == "received"]
    attached: list[Message] = []
    parts = _flatten(message, attached)
    body = "\n".join(_clean_lines(part) for part in parts if part)
    if subject.lower().lstrip().startswith(("fw:", "fwd:")):
        body = re.sub(r"^>+ ?", "", body, flags=re.MULTILINE)
    return Mail(headers=headers, received=received, subject=subject, body=body, attached=attached)


def _flatten(message: Message, attached: list[Message]) -> list[str]:
    """The texts of the message's parts in order; attached bounces are added to `attached`."""
    out: list[str] = []
    for ctype, part in walk(message, whole=_WHOLE_TYPES, plain_over_html=True):
        if ctype in _STATUS_TYPES:
            out.append(f"Content-Type: {ctype}\n" + _fields_text(part))
        elif ctype in _HEADER_TYPES:
            out.append("Content-Type: text/rfc822-headers\n" + payload_text(part))
        elif ctype in _ORIGINAL_TYPES and part.is_multipart():
            out.append(f"Content-Type: {ctype}\n")
            children = part.get_payload()
            original = children[0] if isinstance(children, list) and children else None
            if isinstance(original, Message):
                out.append(_headers_text(original))
                if _is_notification(original):
                    attached.append(original)
        elif ctype.startswith(("text/", "multipart/")) or part is message:
            text = payload_text(part)
            out.append(html_to_text(text) if ctype == "text/html" else text)
    return out


def _is_notification(message: Message) -> bool:
    """An attached message that is a bounce itself: a delivery report, or from a mailer daemon."""
    if message.get_content_type() == "multipart/report":
        return True
    sender = str(message.get("from", "")).lower()
    return "mailer-daemon" in sender or "postmaster" in sender


def _fields_text(part: Message) -> str:
    """The fields of a delivery-status (or feedback-report) part, one block per recipient."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and all(isinstance(p, Message) for p in payload):
        blocks = []
        for block in payload:
            if not isinstance(block, Message):
                continue
            lines = [f"{spelled(name)}: {unfold(value)}" for name, value in block.raw_items()]
            # A block the parser could not split into fields keeps its text as the payload.
            rest = block.get_payload()
            if isinstance(rest, str) and rest.strip():
                lines.append(rest.strip())
            blocks.append("\n".join(lines))
        text = "\n\n".join(blocks)
        cte = part.get("content-transfer-encoding", "").lower()
        if cte not in ("base64", "quoted-printable"):
            return text
    return payload_text(part)


def _headers_text(message: Message) -> str:
    return "\n".join(f"{name}: {unfold(value)}" for name, value in message.raw_items()) + "\n"


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
