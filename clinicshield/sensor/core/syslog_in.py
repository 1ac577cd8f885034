"""The sensor's syslog receiver: UDP and TCP, with the server receiver's framing.

Messages wait in memory until the sensor spools them (every second or so). While the
spool is full, TCP connections are not read (the senders' own buffers fill and they slow
down: TCP's flow control is the backpressure) and UDP datagrams are dropped and counted,
since UDP cannot be told to wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from clinicshield.monitoring.core.syslog_framing import StreamFramer, decode


class SyslogInbox:
    """Received messages, taken out by the sensor's reader; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[str] = []
        self._bytes = 0
        self.dropped = 0
        self.accepting = threading.Event()
        self.accepting.set()

    def add(self, messages: list[str]) -> None:
        if not messages:
            return
        with self._lock:
            self._messages.extend(messages)
            self._bytes += sum(len(m) + 1 for m in messages)

    def drop(self, count: int = 1) -> None:
        with self._lock:
            self.dropped += count

    def pending_bytes(self) -> int:
        return self._bytes

    def take(self) -> list[str]:
        with self._lock:
            taken, self._messages, self._bytes = self._messages, [], 0
        return taken


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, inbox: SyslogInbox) -> None:
        self.inbox = inbox

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.inbox.accepting.is_set():
            self.inbox.drop()
            return
        message = decode(data)
        if message.strip():
            self.inbox.add([message])


class SyslogReceiver:
    """Runs an event loop in a thread of its own; ``start`` returns once it listens."""

    def __init__(self, inbox: SyslogInbox, bind: str, port: int) -> None:
        self.inbox, self.bind, self.port = inbox, bind, port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="syslog", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self._open: dict[Any, Any] = {}  # each open TCP connection's writer: its handler task

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        if self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # it closed in the meantime
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread.is_alive():
            self._thread.join(10)

    def loop_closed(self) -> bool:
        return self._loop.is_closed()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as error:  # noqa: BLE001 - reported to start()
            self._error = error
        finally:
            # Closed here, not by the garbage collector at exit, which may have closed the
            # loop's own self-pipe first and then printed a traceback under our message.
            self._loop.close()
            self._ready.set()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        udp, _protocol = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self.inbox), local_addr=(self.bind, self.port)
        )
        tcp = await asyncio.start_server(self._connection, self.bind, self.port)
        self._ready.set()
        await self._stop.wait()
        udp.close()
        tcp.close()
        # Connections still open are closed, which their readers see as the end of the
        # stream: each handler keeps its unfinished last line and ends before the loop.
        for writer in list(self._open):
            writer.close()
        await asyncio.gather(*self._open.values(), return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: Any) -> None:
        self._open[writer] = asyncio.current_task()
        assert self._stop is not None  # set before the server starts
        stopping = self._stop
        framer = StreamFramer()
        with contextlib.suppress(ConnectionError):
            while True:
                while not self.inbox.accepting.is_set():  # the spool is full: read nothing
                    if stopping.is_set():
                        break
                    await asyncio.sleep(0.2)
                data = await reader.read(65536)
                if not data:
                    break
                self.inbox.add(framer.feed(data))
        self.inbox.add(framer.close())
        writer.close()
        del self._open[writer]
