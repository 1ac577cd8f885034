"""What a running sensor knows about itself: shared by its threads, reported as health."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol


class Writable(Protocol):
    def write(self, text: str) -> Any: ...

    def flush(self) -> Any: ...


@dataclass
class Status:
    out: Writable
    err: Writable
    stop: threading.Event = field(default_factory=threading.Event)
    fatal: str = ""  # why the server will not take anything from this token
    paused: bool = False
    last_error: str = ""
    last_error_at: float | None = None
    sent_batches: int = 0
    sent_lines: int = 0
    held_batches: int = 0
    probes: dict[str, Any] = field(default_factory=dict)
    scans: dict[str, Any] = field(default_factory=dict)  # by scan id: the latest scans run
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, line: str) -> None:
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()

    def complain(self, line: str) -> None:
        with self._lock:
            self.err.write(line + "\n")
            self.err.flush()

    def error(self, message: str) -> None:
        self.last_error, self.last_error_at = message, time.time()

    def give_up(self, reason: str) -> None:
        """The server refuses the token: everything stops, the spool is kept."""
        self.fatal = reason
        self.stop.set()
