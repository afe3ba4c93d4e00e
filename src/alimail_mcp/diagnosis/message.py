"""Read what the user pasted into `Mail` objects: the bounce readers' view of each message.

`mail` splits an mbox and parses and walks the MIME. The readers then work on one flattened text
per message: decoded text parts (HTML as text), delivery-status and feedback-report fields, and
the headers of the returned message, each message/* part introduced by its own `Content-Type:`
line so a reader can find where it starts.

Reading is bounded (`Budget`): the readers go through each message line by line, so an input of
millions of short lines, or of thousands of tiny messages, is read up to a limit; what lies beyond
it is left unread and the reading says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from alimail_mcp.deadline import check
from alimail_mcp.diagnosis.delivery import Mail
from alimail_mcp.mail.delivery_status import spelled
from alimail_mcp.mail.encoded_words import decode_words
from alimail_mcp.mail.header_block import looks_like_message, unfold
from alimail_mcp.mail.mbox import mbox_pieces
from alimail_mcp.mail.mime import decode_text, parse_message, payload_text, walk

MAX_MESSAGES = 1000
"""Messages of an mbox that are read."""
MAX_SOURCE_LINES = 100_000
"""Source lines of one input given to the MIME parser (about 15 µs a line for a message of
thousands of tiny parts or header fields; a typical bounce has 150)."""
MAX_LINES = 100_000
"""Lines of decoded text the readers go through, all messages together (a base64 part can decode
to many more lines than it takes)."""
LINE_CHARS = 10_000
"""A line of decoded text is read up to this length (RFC 5322 allows 998 characters)."""
MAX_PARTS = 2000
"""MIME parts read, all messages together (real bounces have fewer than ten each)."""
HEADER_CHARS = 2000
"""Characters of the Subject and From fields decoded and read."""
MAX_TEXT_CHARS = 2_000_000
"""Characters of decoded text the readers go through, all messages together: their line patterns
cost about half a microsecond a character on hostile text (a typical bounce has 5,000)."""
MAX_ATTACHED = 20
"""Attached notifications kept per message (a forwarded bounce is read from its attachment)."""
_OPENING = re.compile(r"<(script|style)", re.IGNORECASE)
_CLOSING = {name: re.compile(f"</{name}>", re.IGNORECASE) for name in ("script", "style")}
_LINE_BREAK_TAG = re.compile(r"(?i)<br\s*/?>|</(?:p|div|tr|li|h\d)>")
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


@dataclass(slots=True)
class Budget:
    """What is left to read of one input: source lines (what the MIME parser goes through), lines
    and characters of decoded text (what the readers go through), and messages."""

    source_lines: int = MAX_SOURCE_LINES
    lines: int = MAX_LINES
    parts: int = MAX_PARTS
    chars: int = MAX_TEXT_CHARS
    messages: int = MAX_MESSAGES
    cut: bool = False
    """Reading stopped at a limit before the end of the input."""

    @property
    def spent(self) -> bool:
        return not (self.source_lines and self.lines and self.chars and self.messages)

    def take(self, text: str) -> str:
        """Decoded `text` up to the lines and characters left (all of it when it fits), each line
        up to LINE_CHARS."""
        if len(text) > self.chars:
            text, self.cut = text[: self.chars], True
        self.chars -= len(text)
        text, self.lines = self._lines(text, self.lines)
        if len(text) > LINE_CHARS and any(len(line) > LINE_CHARS for line in text.split("\n")):
            text = "\n".join(line[:LINE_CHARS] for line in text.split("\n"))
        return text

    def take_source(self, data: bytes) -> bytes:
        """A message's source up to the lines left."""
        count = data.count(b"\n") + 1
        if count <= self.source_lines:
            self.source_lines -= count
            return data
        kept = b"\n".join(data.split(b"\n", self.source_lines)[: self.source_lines])
        self.source_lines, self.cut = 0, True
        return kept

    def _lines(self, text: str, left: int) -> tuple[str, int]:
        count = text.count("\n") + 1
        if count <= left:
            return text, left - count
        self.cut = True
        return "\n".join(text.split("\n", left)[:left]), 0


def read_messages(data: bytes, budget: Budget | None = None) -> list[Mail]:
    """Every message in `data` (one, or several when it is an mbox); bare text becomes one Mail.
    Reading stops at the `budget` (`budget.cut` then says so)."""
    budget = budget if budget is not None else Budget()
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").lstrip(b"\n")
    if not looks_like_message(data):
        return [bare_text(budget.take_source(data), budget)]
    mails: list[Mail] = []
    for chunk in mbox_pieces(data):
        if budget.spent:
            budget.cut = True
            break
        if not chunk.strip():
            budget.take_source(b"")  # a separator line with nothing after it
            continue
        budget.messages -= 1
        check()
        mails.append(read_message(budget.take_source(chunk), budget))
    return mails or [read_message(budget.take_source(data), budget)]


def bare_text(data: bytes, budget: Budget | None = None) -> Mail:
    """A pasted SMTP line, client error or bounce body without headers."""
    text = decode_text(data, None)
    return Mail(headers={}, body=budget.take(text) if budget else text, has_headers=False)


def read_message(data: bytes, budget: Budget | None = None) -> Mail:
    return mail_of(parse_message(data), budget)


def mail_of(message: Message, budget: Budget | None = None) -> Mail:
    """A parsed message as the readers see it (its text cut at what is left of `budget`)."""
    raw = list(message.raw_items())
    headers = {name.lower(): unfold(value) for name, value in reversed(raw)}
    subject = decode_words(headers.get("subject", "")[:HEADER_CHARS])
    headers["subject"] = subject
    headers["from"] = decode_words(headers.get("from", "")[:HEADER_CHARS])
    received = [unfold(v) for name, v in raw if name.lower() == "received"]
    attached: list[Message] = []
    parts = _flatten(message, attached, budget or Budget())
    body = "\n".join(_clean_lines(part) for part in parts if part)
    body = (budget or Budget()).take(body)
    if subject.lower().lstrip().startswith(("fw:", "fwd:")):
        body = re.sub(r"^>+ ?", "", body, flags=re.MULTILINE)
    return Mail(headers=headers, received=received, subject=subject, body=body, attached=attached)


def _flatten(message: Message, attached: list[Message], budget: Budget) -> list[str]:
    """The texts of the message's parts in order (up to the parts left in `budget`); attached
    bounces are added to `attached`."""
    out: list[str] = []
    for ctype, part in walk(message, whole=_WHOLE_TYPES, plain_over_html=True):
        check()
        if budget.parts == 0:
            budget.cut = True
            break
        budget.parts -= 1
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
                if _is_notification(original) and len(attached) < MAX_ATTACHED:
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
    """LF line ends and no spaces or tabs at the end of a line. Stripped line by line: a pattern
    such as `[ \t]+$` tries again from every space of a run that does not end the line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if " \n" not in text and "\t\n" not in text and not text.endswith((" ", "\t")):
        return text
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


def html_to_text(html: str) -> str:
    html = _LINE_BREAK_TAG.sub("\n", _without_scripts(html))
    text = _without_tags(html)
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


def _without_scripts(html: str) -> str:
    """`html` without its script and style elements, as `(?is)<(script|style)[^>]*>.*?</\\1>`
    would remove them, in one pass: that pattern tries every `<script` again up to the end of the
    text when the closing tag is missing."""
    out: list[str] = []
    kept = searched = 0
    unclosed: set[str] = set()
    while (opening := _OPENING.search(html, searched)) is not None:
        name = opening.group(1).lower()
        searched = opening.start() + 1
        if name in unclosed:
            continue  # no closing tag after an earlier one, so none after this one either
        end_of_tag = html.find(">", opening.end())
        if end_of_tag < 0:
            break  # no opening tag ends any more
        closing = _CLOSING[name].search(html, end_of_tag + 1)
        if closing is None:
            unclosed.add(name)
            if len(unclosed) == len(_CLOSING):
                break
            continue
        out.append(html[kept : opening.start()])
        kept = searched = closing.end()
    out.append(html[kept:])
    return "".join(out)


def _without_tags(html: str) -> str:
    """`html` without its tags, as `<[^>]*>` would remove them, in one pass (that pattern tries every
    `<` again up to the end of the text when no `>` follows)."""
    out: list[str] = []
    kept = 0
    while (start := html.find("<", kept)) >= 0 and (end := html.find(">", start)) >= 0:
        out.append(html[kept:start])
        kept = end + 1
    out.append(html[kept:])
    return "".join(out)
