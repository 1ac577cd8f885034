"""Sending the spool, oldest batch first, one at a time, until it is acknowledged.

Failures that time may cure (the server down or restarting, a proxy's 502, a busy 429)
are retried with exponential backoff, 1 s doubling to a minute, with jitter so that a
chain's sensors do not all come back in the same second after an outage.
"""

from __future__ import annotations

import random
import threading

from .client import Answer, CentralServer
from .spool import Spool, SpooledBatch
from .status import Status

BATCHES_PATH = "/api/sensor/batches"
FIRST_DELAY, LONGEST_DELAY = 1.0, 60.0


def backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` failures in a row (jittered: 50-100 %)."""
    delay = min(LONGEST_DELAY, FIRST_DELAY * 2 ** max(0, failures - 1))
    return delay * random.uniform(0.5, 1.0)


class Sender(threading.Thread):
    def __init__(self, server: CentralServer, spool: Spool, status: Status) -> None:
        super().__init__(name="sender", daemon=True)
        self.server, self.spool, self.status = server, spool, status
        self.wake = threading.Event()  # set by the reader when it spools a batch
        self.idle = threading.Event()  # set while the spool is empty

    def run(self) -> None:
        failures = 0
        while not self.status.stop.is_set():
            batch = self.spool.oldest()
            if batch is None:
                self.idle.set()
                self.wake.wait(1.0)
                self.wake.clear()
                continue
            self.idle.clear()
            answer = self._send(batch)
            if answer.kind == "retry":
                failures += 1
                self._note_retry(answer, failures)
                self.status.stop.wait(backoff(failures))
                continue
            if failures:
                self.status.say(f"server reachable again; {self.spool.count} batch(es) to send")
            failures = 0
            self._settle(batch, answer)

    def _send(self, batch: SpooledBatch) -> Answer:
        try:
            body = batch.path.read_bytes()
        except FileNotFoundError:  # acknowledged by a previous attempt
            return Answer("ok", 200, {"status": "gone"}, "")
        headers = {"Content-Type": "application/octet-stream", "Content-Encoding": batch.encoding}
        return self.server.request("POST", BATCHES_PATH, body, headers)

    def _note_retry(self, answer: Answer, failures: int) -> None:
        self.status.error(answer.message)
        if failures == 1:
            self.status.complain(
                f"cannot send: {answer.message}; retrying with backoff "
                f"({self.spool.count} batch(es) waiting in the spool)"
            )

    def _settle(self, batch: SpooledBatch, answer: Answer) -> None:
        if answer.kind == "ok":
            self.spool.acknowledge(batch)
            self.status.sent_batches += 1
            self.status.sent_lines += batch.end - batch.start
        elif answer.kind == "refused":
            reason = f"HTTP {answer.status} {answer.code}: {answer.message}"
            self.spool.hold(batch, reason)
            self.status.held_batches += 1
            self.status.error(reason)
            self.status.complain(
                f"the server refused batch {batch.path.name} ({reason}); "
                f"it is set aside in {self.spool.held}"
            )
        else:  # fatal: the token
            self.status.give_up(answer.message)
