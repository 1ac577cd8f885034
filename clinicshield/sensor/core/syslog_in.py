"""The sensor's syslog receiver: the server's listener, on an event loop of its own.

Messages wait in memory until the sensor spools them (every second or so). While the
spool is full, the inbox stops ``accepting`` and the listener holds TCP senders back and
drops (and counts) UDP datagrams.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from clinicshield.monitoring.core.syslog_listener import SyslogListener


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


class SyslogReceiver:
    """Runs an event loop in a thread of its own; ``start`` returns once it listens."""

    def __init__(self, inbox: SyslogInbox, bind: str, port: int) -> None:
        self.inbox, self.bind, self.port = inbox, bind, port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="syslog", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

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
        listener = SyslogListener(self.inbox.add, self.inbox.accepting, self.inbox.drop)
        await listener.open(self.bind, self.port)
        self._ready.set()
        await self._stop.wait()
        await listener.close()
