"""The few commands a probe sends: read the greeting, ask for capabilities, upgrade with STARTTLS,
say goodbye. Never AUTH, LOGIN, USER or PASS: no credential is ever asked for or sent."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from typing import Literal

LINE_CHARS = 200
MAX_LINES = 60

ServerProtocol = Literal["smtp", "imap", "pop3"]

_GREETING_OK = {"smtp": ("220",), "imap": ("* OK", "* PREAUTH"), "pop3": ("+OK",)}
_STARTTLS_WORD = {"smtp": "STARTTLS", "imap": "STARTTLS", "pop3": "STLS"}


class UnexpectedReply(Exception):
    """The server answered, but not like the protocol it should speak."""


@dataclass
class Transcript:
    greeting: str | None = None
    capabilities: list[str] = field(default_factory=list)
    starttls_offered: bool | None = None
    upgraded: bool = False


class Dialogue:
    def __init__(
        self, protocol: ServerProtocol, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.protocol, self.reader, self.writer = protocol, reader, writer
        self.transcript = Transcript()

    async def greet(self) -> None:
        lines = await self._reply_lines(smtp_code=self.protocol == "smtp")
        self.transcript.greeting = lines[0][:LINE_CHARS] if lines else None
        if not lines or not lines[0].upper().startswith(_GREETING_OK[self.protocol]):
            raise UnexpectedReply(lines[0][:LINE_CHARS] if lines else "no greeting")

    async def capabilities(self) -> list[str]:
        caps = await {"smtp": self._ehlo, "imap": self._imap_capability, "pop3": self._capa}[self.protocol]()
        self.transcript.capabilities = [c[:80] for c in caps[:MAX_LINES]]
        word = _STARTTLS_WORD[self.protocol]
        self.transcript.starttls_offered = any(c.upper().split(" ")[0] == word for c in caps)
        return caps

    async def starttls(self, context: ssl.SSLContext, server_name: str) -> None:
        command = {"smtp": "STARTTLS", "imap": "S1 STARTTLS", "pop3": "STLS"}[self.protocol]
        await self._send(command)
        line = (await self._reply_lines(smtp_code=self.protocol == "smtp", tag="S1"))[-1]
        if not line.upper().startswith(("220", "S1 OK", "+OK")):
            raise UnexpectedReply(line[:LINE_CHARS])
        await self.writer.start_tls(context, server_hostname=server_name)
        self.transcript.upgraded = True

    async def goodbye(self) -> None:
        with contextlib.suppress(OSError):
            await self._send({"smtp": "QUIT", "imap": "Z9 LOGOUT", "pop3": "QUIT"}[self.protocol])

    async def _ehlo(self) -> list[str]:
        here = self.writer.get_extra_info("sockname")
        literal = f"[IPv6:{here[0]}]" if here and ":" in here[0] else f"[{here[0] if here else '127.0.0.1'}]"
        await self._send(f"EHLO {literal}")
        lines = await self._reply_lines(smtp_code=True)
        if not lines or not lines[-1].startswith("250"):
            raise UnexpectedReply(lines[-1][:LINE_CHARS] if lines else "no EHLO reply")
        return [line[4:] for line in lines[1:]]

    async def _imap_capability(self) -> list[str]:
        await self._send("C1 CAPABILITY")
        lines = await self._reply_lines(tag="C1")
        words = [w for line in lines if line.upper().startswith("* CAPABILITY") for w in line.split()[2:]]
        return words

    async def _capa(self) -> list[str]:
        await self._send("CAPA")
        first = await self._line()
        if not first.startswith("+OK"):
            return []
        lines: list[str] = []
        while (line := await self._line()) != "." and len(lines) < MAX_LINES:
            lines.append(line)
        return lines

    async def _reply_lines(self, *, smtp_code: bool = False, tag: str | None = None) -> list[str]:
        """One reply: an SMTP multi-line reply, IMAP lines up to the tagged one, else a single line."""
        lines = [await self._line()]
        while len(lines) < MAX_LINES:
            last = lines[-1]
            more_smtp = smtp_code and len(last) > 3 and last[3] == "-"
            more_imap = tag and self.protocol == "imap" and not last.upper().startswith(tag.upper() + " ")
            if more_smtp or more_imap:
                lines.append(await self._line())
            else:
                break
        return lines

    async def _line(self) -> str:
        raw = await self.reader.readline()
        if not raw:
            raise ConnectionResetError("the server closed the connection")
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    async def _send(self, command: str) -> None:
        self.writer.write(command.encode("ascii") + b"\r\n")
        await self.writer.drain()
