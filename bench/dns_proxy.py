"""A delay-injecting DNS proxy for benchmarks: every question, over UDP or TCP, is held for a fixed
delay and then forwarded to an upstream nameserver; the answer goes back unchanged.

It stands in for the network: with a 30 ms delay each answer costs one "round trip", so an audit's
wall time divided by 30 ms says how many round trips deep it really went. Questions are handled
concurrently (each waits on its own), as a real network would. Runs its own event loop in a daemon
thread, so it works beside any client, in-process or a subprocess:

    with DnsDelayProxy(upstream=("127.0.0.1", 5300), delay=0.030) as proxy:
        ...  # ask proxy.host:proxy.port
        proxy.questions  # how many questions passed
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from types import TracebackType


class DnsDelayProxy:
    def __init__(self, upstream: tuple[str, int], *, delay: float = 0.030, host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.delay = delay
        self.host = host
        self.port = 0
        self.questions = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closers: list[asyncio.BaseTransport | asyncio.AbstractServer] = []

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> DnsDelayProxy:
        self._thread = threading.Thread(target=self._serve, name="dns-delay-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("DNS proxy did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> DnsDelayProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._open())
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            for closer in self._closers:
                closer.close()
            loop.close()

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        # UDP and TCP on one port: bind UDP first (port 0 picks one), then TCP on the same number.
        for _ in range(20):
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _UdpSide(self), local_addr=(self.host, self.port)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                tcp = await asyncio.start_server(self._tcp_client, self.host, port)
            except OSError:
                udp.close()
                continue
            self.port = port
            self._closers += [udp, tcp]
            return
        raise RuntimeError("no free port for UDP and TCP")

    # -- forwarding ------------------------------------------------------------------------------

    async def forward_udp(self, wire: bytes) -> bytes | None:
        self.questions += 1
        await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            await loop.sock_connect(sock, self.upstream)
            await loop.sock_sendall(sock, wire)
            try:
                return await asyncio.wait_for(loop.sock_recv(sock, 65535), 5)
            except TimeoutError:
                return None  # upstream dropped it: so does the proxy

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                wire = await reader.readexactly(size)
                self.questions += 1
                await asyncio.sleep(self.delay)
                answer = await self._upstream_tcp(wire)
                if answer is None:
                    break
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _upstream_tcp(self, wire: bytes) -> bytes | None:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*self.upstream), 5)
            writer.write(struct.pack("!H", len(wire)) + wire)
            await writer.drain()
            size = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), 5))[0]
            answer = await reader.readexactly(size)
            writer.close()
            return answer
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return None


class _UdpSide(asyncio.DatagramProtocol):
    def __init__(self, proxy: DnsDelayProxy) -> None:
        self.proxy = proxy
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._answer(data, addr))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _answer(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = await self.proxy.forward_udp(data)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)
