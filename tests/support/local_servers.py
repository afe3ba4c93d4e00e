"""Loopback servers for the probe and webmail tests: a test certificate authority (made here with
`cryptography`), tiny SMTP/IMAP/POP3 servers (implicit TLS, STARTTLS, plain, or silent), a tiny
HTTP(S) server answering one fixed response, and a server that drips its answer a byte at a time
(also a plain counting listener). Everything listens on 127.0.0.1, free ports, unless told otherwise."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"


@dataclass
class CertAuthority:
    """A certificate authority for one test: issues server certificates for chosen names."""

    folder: Path
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    cert: x509.Certificate | None = None

    def __post_init__(self) -> None:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "alimail-mcp test CA")])
        self.cert = (
            _builder(name, name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> str:
        assert self.cert is not None
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def pem_file(self) -> Path:
        """The authority's certificate as a PEM file (what SSL_CERT_FILE names)."""
        path = self.folder / "authority.pem"
        path.write_text(self.pem)
        return path

    def trust(self) -> ssl.SSLContext:
        """A client context that trusts this authority (and nothing else)."""
        return ssl.create_default_context(cadata=self.pem)

    def server_context(self, *names: str) -> ssl.SSLContext:
        """A server context with a certificate for `names`, signed by this authority."""
        assert self.cert is not None
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        cert = (
            _builder(subject, self.cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        stem = self.folder / names[0].replace("*", "star")
        stem.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(stem.with_suffix(".crt"), stem.with_suffix(".key"))
        return context


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
    )


MailProtocol = Literal["smtp", "imap", "pop3"]


class LoopbackServer:
    """A TCP listener serving `_serve` on `host` (loopback) at `wanted_port` (0: a free one), with TLS from
    the first byte when `tls` is set; `async with` starts and stops it, `port` is where it listens."""

    host: str = LOOPBACK
    wanted_port: int = 0
    tls: ssl.SSLContext | None = None
    _server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, self.wanted_port, ssl=self.tls)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class MailServer(LoopbackServer):
    """Answers greeting, EHLO/CAPABILITY/CAPA, STARTTLS/STLS and QUIT/LOGOUT; records every line.

    `tls`: implicit TLS from the first byte; `starttls`: offered and honoured with that context;
    `silent`: accepts connections and never says anything."""

    def __init__(
        self,
        protocol: MailProtocol,
        *,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        silent: bool = False,
        speaks: MailProtocol | None = None,
    ) -> None:
        self.protocol, self.tls, self.starttls, self.silent = protocol, tls, starttls, silent
        self.speaks = speaks or protocol
        self.lines: list[str] = []
        self.connections = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            if self.silent:
                await reader.read()
                return
            await self._talk(reader, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _talk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        speaks = self.speaks
        greeting = {
            "smtp": "220 test ESMTP ready",
            "imap": "* OK test IMAP4rev1 ready",
            "pop3": "+OK test POP3",
        }
        await _say(writer, greeting[speaks])
        upgraded = False
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            self.lines.append(line)
            word = line.split(" ")[-1 if speaks == "imap" and " " in line else 0].upper()
            offer = self.starttls is not None and not upgraded
            if speaks == "smtp" and word.startswith("EHLO"):
                caps = [
                    "250-test",
                    "250-SIZE 52428800",
                    *(["250-STARTTLS"] if offer else []),
                    "250 AUTH LOGIN PLAIN",
                ]
                await _say(writer, *caps)
            elif speaks == "imap" and word == "CAPABILITY":
                tag = line.split(" ")[0]
                caps = "IMAP4rev1 IDLE" + (" STARTTLS" if offer else "") + " AUTH=PLAIN"
                await _say(writer, f"* CAPABILITY {caps}", f"{tag} OK done")
            elif speaks == "pop3" and word == "CAPA":
                await _say(writer, "+OK", "TOP", "UIDL", *(["STLS"] if offer else []), "USER", ".")
            elif word in ("STARTTLS", "STLS") and offer:
                tag = line.split(" ")[0]
                reply = {"smtp": "220 go ahead", "imap": f"{tag} OK begin TLS", "pop3": "+OK begin TLS"}[
                    speaks
                ]
                await _say(writer, reply)
                assert self.starttls is not None
                await writer.start_tls(self.starttls)
                upgraded = True
            elif word in ("QUIT", "LOGOUT"):
                await _say(writer, "221 bye" if speaks == "smtp" else "+OK bye")
                return
            else:
                await _say(writer, "500 unknown" if speaks == "smtp" else "-ERR unknown")


async def _say(writer: asyncio.StreamWriter, *lines: str) -> None:
    writer.write("".join(f"{line}\r\n" for line in lines).encode())
    await writer.drain()


class HttpServer(LoopbackServer):
    """Answers every request with `status`, optional `location`, `body` and `content_type`; records Host
    headers, SNI names and paths."""

    def __init__(
        self,
        status: int,
        *,
        location: str | None = None,
        tls: ssl.SSLContext | None = None,
        body: bytes = b"<html>webmail</html>",
        content_type: str | None = None,
    ) -> None:
        self.status, self.location, self.tls = status, location, tls
        self.body, self.content_type = body, content_type
        self.hosts: list[str] = []
        self.sni: list[str | None] = []
        self.paths: list[str] = []
        self.connections = 0
        if tls is not None:
            tls.sni_callback = self._record_sni

    def _record_sni(self, _obj: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.sni.append(name)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            request = (await reader.readline()).decode()
            self.paths.append(request.split(" ")[1] if " " in request else "")
            while (line := (await reader.readline()).decode().rstrip("\r\n")) != "":
                if line.lower().startswith("host:"):
                    self.hosts.append(line.split(":", 1)[1].strip())
            body = self.body
            head = [f"HTTP/1.1 {self.status} X", f"Content-Length: {len(body)}", "Connection: close"]
            if self.location:
                head.append(f"Location: {self.location}")
            if self.content_type:
                head.append(f"Content-Type: {self.content_type}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


class DripServer(LoopbackServer):
    """Sends `text` one byte every `interval` seconds to whoever connects, and counts connections: a
    server that holds a client as long as it lets itself be held. With no text, a counting listener.
    `host` and `port` may name another loopback address or a well-known port (binding may then fail
    with OSError: `bind()` returns None instead)."""

    def __init__(
        self, text: bytes = b"", *, interval: float = 3.0, host: str = LOOPBACK, port: int = 0
    ) -> None:
        self.text, self.interval, self.host, self.wanted_port = text, interval, host, port
        self.connections = 0

    async def bind(self) -> DripServer | None:
        try:
            return await self.__aenter__()
        except OSError:
            return None

    async def _serve(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            for byte in self.text:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(self.interval)
        except ConnectionError:
            pass
        finally:
            writer.close()
