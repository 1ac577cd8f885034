"""Syslog on UDP and TCP at one address, for the server's receiver and the site sensor's.

Each message received is handed to ``deliver``. While ``accepting`` is clear (the
sensor's spool is full), TCP connections are not read (the senders' buffers fill and they
slow down: TCP's flow control is the backpressure) and UDP datagrams are dropped and
counted by ``drop``, since UDP cannot be told to wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any

from clinicshield.monitoring.core.syslog_framing import StreamFramer, decode

PAUSE_SECONDS = 0.2  # how often a paused connection looks whether it may read again


def _always() -> threading.Event:
    accepting = threading.Event()
    accepting.set()
    return accepting


class SyslogListener:
    """``open`` inside a running event loop; ``close`` before the loop ends."""

    def __init__(
        self,
        deliver: Callable[[list[str]], None],
        accepting: threading.Event | None = None,
        drop: Callable[[], None] = lambda: None,
    ) -> None:
        self.deliver, self.drop = deliver, drop
        self.accepting = accepting or _always()
        self._closing = asyncio.Event()
        self._open: dict[Any, asyncio.Task[Any] | None] = {}  # each connection's writer
        self._endpoints: list[Any] = []

    async def open(self, bind: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        udp, _protocol = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self), local_addr=(bind, port)
        )
        self._endpoints.append(udp)
        self._endpoints.append(await asyncio.start_server(self._connection, bind, port))

    async def close(self) -> None:
        """Stops listening; connections still open end here, keeping their unfinished
        last line (closing a connection is, to its reader, the end of the stream)."""
        self._closing.set()
        for endpoint in self._endpoints:
            endpoint.close()
        for writer in list(self._open):
            writer.close()
        await asyncio.gather(*[t for t in self._open.values() if t], return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: Any) -> None:
        self._open[writer] = asyncio.current_task()
        framer = StreamFramer()
        with contextlib.suppress(ConnectionError):
            while True:
                while not self.accepting.is_set() and not self._closing.is_set():
                    await asyncio.sleep(PAUSE_SECONDS)  # the spool is full: read nothing
                data = await reader.read(65536)
                if not data:
                    break
                self.deliver(framer.feed(data))
        self.deliver(framer.close())
        writer.close()
        del self._open[writer]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.listener.accepting.is_set():
            self.listener.drop()
            return
        message = decode(data)
        if message.strip():
            self.listener.deliver([message])
