"""The syslog receiver leaves nothing open behind it, whether it started or not."""

from __future__ import annotations

import gc
import socket
import time

import pytest

from clinicshield.sensor.core.syslog_in import SyslogInbox, SyslogReceiver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_receiver_that_cannot_listen_closes_its_event_loop() -> None:
    # An unclosed loop is closed by the garbage collector at exit, possibly after its own
    # self-pipe: the sensor then printed a traceback under its clear refusal (CI, stop 19).
    receiver = SyslogReceiver(SyslogInbox(), "192.0.2.1", _free_port())
    with pytest.raises(OSError):
        receiver.start()
    assert receiver.loop_closed()
    receiver.stop()  # stopping a receiver that never ran is harmless


def test_a_stopped_receiver_has_received_and_closes_its_event_loop() -> None:
    inbox = SyslogInbox()
    port = _free_port()
    receiver = SyslogReceiver(inbox, "127.0.0.1", port)
    receiver.start()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"<13>Dec  7 05:00:00 host app: hello", ("127.0.0.1", port))
    with socket.create_connection(("127.0.0.1", port)) as stream:
        stream.sendall(b"<13>Dec  7 05:00:01 host app: over tcp\n")
    deadline = time.monotonic() + 10
    received: list[str] = []
    while len(received) < 2 and time.monotonic() < deadline:
        received += inbox.take()
        time.sleep(0.01)
    receiver.stop()
    assert receiver.loop_closed()
    assert sorted(m.rsplit(": ", 1)[1] for m in received) == ["hello", "over tcp"]


def test_a_connection_still_open_at_stop_keeps_what_it_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox = SyslogInbox()
    port = _free_port()
    receiver = SyslogReceiver(inbox, "127.0.0.1", port)
    receiver.start()
    with socket.create_connection(("127.0.0.1", port)) as stream:
        stream.sendall(b"<13>Dec  7 05:00:02 host app: no newline yet")
        time.sleep(0.3)  # read into the framer, which holds an unfinished line
        receiver.stop()
    del receiver
    gc.collect()  # a task left pending would be reported now, as at the sensor's exit
    assert [m.rsplit(": ", 1)[1] for m in inbox.take()] == ["no newline yet"]
    assert not [r for r in caplog.records if r.name == "asyncio"]


def test_a_connection_held_back_by_a_full_spool_does_not_hold_up_the_stop() -> None:
    inbox = SyslogInbox()
    inbox.accepting.clear()  # the spool is full: connections are not read
    port = _free_port()
    receiver = SyslogReceiver(inbox, "127.0.0.1", port)
    receiver.start()
    with socket.create_connection(("127.0.0.1", port)) as stream:
        stream.sendall(b"<13>Dec  7 05:00:03 host app: waiting\n")
        time.sleep(0.3)
        started = time.monotonic()
        receiver.stop()
    assert receiver.loop_closed() and time.monotonic() - started < 5
