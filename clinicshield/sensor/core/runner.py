"""A site sensor: follows log files and receives syslog into its spool, sends the spool to
the central server, reports its health and runs the probes and scans the server schedules.

Reading stops while the spool is full (backpressure: files simply wait on disk, TCP
syslog senders are not read, UDP datagrams are counted as dropped) and resumes when the
spool is below its limit again. A token the server refuses stops the sensor with one
line on standard error; the spool keeps what it holds for the next token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from clinicshield.monitoring.core.sensor_batch import BatchHeader, encode_batch

from .client import CentralServer
from .duties import Duties
from .sender import Sender
from .spool import Spool
from .status import Status
from .syslog_in import SyslogInbox, SyslogReceiver
from .tail import FileTail

SYSLOG_SOURCE = "syslog"


class CannotListen(Exception):
    """The syslog port cannot be opened (taken, privileged, or an address not ours)."""


@dataclass
class SensorConfig:
    name: str
    version: str
    follows: list[tuple[Path, str]]  # path and format
    syslog: tuple[str, int] | None = None  # bind address and port
    interval: float = 1.0  # seconds between looks at the files (and syslog flushes)
    batch_bytes: int = 4 * 1024 * 1024
    encoding: str = "zstd"
    heartbeat: float = 60.0
    zones: list[str] = field(default_factory=list)
    probe_timeout: float = 1.5
    once: bool = False  # read what is there, send it all, stop


class Sensor:
    def __init__(
        self, config: SensorConfig, server: CentralServer, spool: Spool, status: Status
    ) -> None:
        self.config, self.server, self.spool, self.status = config, server, spool, status
        self.tails = [FileTail(p, f, config.name, spool.state) for p, f in config.follows]
        self.inbox = SyslogInbox()
        self._told: set[str] = set()  # problems already said once
        self.syslog_stream = spool.identity["syslog_stream"]
        self.sender = Sender(server, spool, status)
        self.duties = Duties(
            server,
            status,
            self.health,
            sensor=config.name,
            version=config.version,
            heartbeat=config.heartbeat,
            zones=config.zones,
            probe_timeout=config.probe_timeout,
        )

    def run(self) -> int:
        """Until stopped (or, with ``once``, until everything read is acknowledged)."""
        receiver = None
        if self.config.syslog:
            receiver = SyslogReceiver(self.inbox, *self.config.syslog)
            try:
                receiver.start()
            except OSError as error:
                bind, port = self.config.syslog
                why = error.strerror or error
                raise CannotListen(f"cannot receive syslog on {bind}:{port}: {why}") from None
        self.sender.start()
        if not self.config.once:
            self.duties.start()
        try:
            self._read_until_stopped()
        finally:
            if receiver is not None:
                receiver.stop()
            self._spool_syslog()  # what was received is kept, not lost with the process
            self.status.stop.set()
            self.sender.wake.set()  # an idle sender waits for work: it sees the stop at once
            self.sender.join(self.server.timeout + 5)
        return self._finish()

    def _read_until_stopped(self) -> None:
        while not self.status.stop.is_set():
            if self._backpressure():
                self.status.stop.wait(self.config.interval)
                continue
            spooled = self._read_files()
            self._spool_syslog()
            if self.config.once and not spooled:  # everything read: send it all, stop
                self._wait_until_sent()
                return
            if not spooled:
                self.status.stop.wait(self.config.interval)

    def _wait_until_sent(self) -> None:
        self.sender.wake.set()
        while not self.status.stop.is_set() and self.spool.count:
            self.status.stop.wait(0.1)

    def _backpressure(self) -> bool:
        full = self.spool.is_full()
        if full and not self.status.paused:
            self.inbox.accepting.clear()
            self.status.say(
                f"spool full ({self.spool.size_bytes / 1024**2:.1f} MiB of "
                f"{self.spool.limit_bytes / 1024**2:.1f}): reading paused until batches are sent"
            )
        elif not full and self.status.paused:
            self.inbox.accepting.set()
            dropped = f"; {self.inbox.dropped} UDP syslog message(s) dropped so far"
            self.status.say("spool below its limit: reading resumed" + dropped)
        self.status.paused = full
        return full

    def _read_files(self) -> int:
        """Spool what is new in the files; return how many batches that made."""
        spooled = 0
        for tail in self.tails:
            for chunk in tail.chunks(self.config.batch_bytes):
                self._put(chunk.header, chunk.data, partial(tail.commit, chunk))
                spooled += 1
                if self.status.stop.is_set() or self._backpressure():
                    return spooled
            if tail.problem and tail.problem not in self._told:
                self._told.add(tail.problem)
                self.status.error(tail.problem)
                self.status.complain(tail.problem)
        return spooled

    def _spool_syslog(self) -> None:
        messages = self.inbox.take()
        if not messages:
            return
        data = "".join(m + "\n" for m in messages).encode()
        start = self._syslog_next()
        header = BatchHeader(
            sensor=self.config.name,
            source=SYSLOG_SOURCE,
            format="syslog",
            stream=self.syslog_stream,
            start=start,
            end=start + len(messages),
            mtime=time.time(),
            path=f"syslog:{self.config.syslog[1] if self.config.syslog else ''}",
        )
        self._put(header, data, lambda: self._save_syslog_next(header.end))

    def _syslog_next(self) -> int:
        """Where syslog numbering goes on: the saved count, or past the last batch queued
        (a crash between queueing a batch and saving the count)."""
        saved_path = self.spool.state / "syslog_next"
        saved = int(saved_path.read_text()) if saved_path.exists() else 0
        return max(saved, self.spool.last_end(self.syslog_stream) or 0)

    def _save_syslog_next(self, value: int) -> None:
        path = self.spool.state / "syslog_next"
        tmp = path.with_name(".syslog_next.tmp")
        tmp.write_text(str(value))
        tmp.replace(path)

    def _put(self, header: BatchHeader, data: bytes, commit: Callable[[], None]) -> None:
        body = encode_batch(header, data, self.config.encoding)
        encoding = self.config.encoding
        self.spool.put(header.stream, header.start, header.end, encoding, body, commit)
        self.sender.wake.set()

    def health(self) -> dict[str, Any]:
        return {
            "spool_batches": self.spool.count,
            "spool_bytes": self.spool.size_bytes,
            "oldest_batch_seconds": self.spool.oldest_age_seconds(),
            "paused": self.status.paused,
            "dropped_syslog": self.inbox.dropped,
            "sent_batches": self.status.sent_batches,
            "sent_lines": self.status.sent_lines,
            "held_batches": self.status.held_batches,
            "last_error": self.status.last_error,
            "last_error_at": self.status.last_error_at,
            "sources": [
                {"path": str(t.path), "format": t.format, "position": t.position}
                for t in self.tails
            ],
            "probes": dict(self.status.probes),
            "scans": dict(list(self.status.scans.items())[-10:]),
        }

    def _finish(self) -> int:
        if self.status.fatal:
            self.status.complain(
                f"the server refuses this sensor's token: {self.status.fatal} "
                f"({self.spool.count} batch(es) kept in {self.spool.batches} for the next token)"
            )
            return 2
        self.status.say(
            f"stopped; {self.status.sent_lines} line(s) sent, {self.spool.count} batch(es) "
            "waiting in the spool"
        )
        return 0
