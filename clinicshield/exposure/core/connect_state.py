"""What the connect engine knows about each address and each socket it has in flight.

Plain data with one piece of arithmetic: the round-trip estimate of RFC 6298 (smoothed
round-trip time and its mean deviation), from which a host's wait for silent ports follows.
"""

from __future__ import annotations

import _socket
import errno
import socket
from collections import deque
from collections.abc import Iterator

OPEN, CLOSED, FILTERED, UNREACHABLE = "open", "closed", "filtered", "unreachable"
RETRY_LATER = "retry"
# What connect() said, as a port's state. A connection that was reset or broken after the
# handshake had still been accepted: open.
STATE_OF_ERRNO = {
    0: OPEN,
    errno.ECONNRESET: OPEN,
    errno.EPIPE: OPEN,
    errno.ECONNREFUSED: CLOSED,
    errno.EHOSTUNREACH: UNREACHABLE,
    errno.ENETUNREACH: UNREACHABLE,
    errno.EHOSTDOWN: UNREACHABLE,
    errno.ETIMEDOUT: FILTERED,
    errno.EACCES: FILTERED,
    errno.EPERM: FILTERED,
    errno.EADDRNOTAVAIL: RETRY_LATER,
    errno.EAGAIN: RETRY_LATER,
}

DISCOVERING, UP, ABSENT = "discovering", "up", "absent"


def smooth(estimate: tuple[float, float] | None, sample: float) -> tuple[float, float]:
    """RFC 6298: (smoothed round-trip time, mean deviation) after one more sample."""
    if estimate is None:
        return (sample, sample / 2)
    smoothed, deviation = estimate
    deviation = 0.75 * deviation + 0.25 * abs(smoothed - sample)
    return (0.875 * smoothed + 0.125 * sample, deviation)


class Host:
    """One address: its state, its work, its window and its round-trip estimate."""

    __slots__ = (
        "address",
        "family",
        "state",
        "up_reason",
        "work",
        "retries",
        "discovery_left",
        "in_flight",
        "window",
        "cut_at",
        "lost",
        "round_trip",
        "samples",
        "timeout",
        "open_ports",
        "filtered_ports",
        "queued",
    )

    def __init__(self, address: str, timeout: float, window: float) -> None:
        self.address = address
        self.family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.state = DISCOVERING
        self.up_reason = ""
        self.work: Iterator[int] = iter(())
        self.retries: deque[tuple[int, int]] = deque()  # (port, tries) of silent ports
        self.discovery_left = 0
        self.in_flight = 0
        self.window = window
        self.cut_at = -1.0  # when the window was last halved
        self.lost = 0  # ports that answered only when asked again
        self.round_trip: tuple[float, float] | None = None  # (smoothed, deviation)
        self.samples = 0
        self.timeout = timeout  # the wait before an attempt counts as silent
        self.open_ports: set[int] = set()
        self.filtered_ports: set[int] = set()
        self.queued = False  # in the engine's list of hosts with work and room

    def learn_rtt(self, sample: float, shortest: float, longest: float) -> None:
        """Take in one round trip; the wait becomes RTT plus four deviations, bounded."""
        self.round_trip = smoothed, deviation = smooth(self.round_trip, sample)
        self.timeout = min(longest, max(shortest, smoothed + 4 * deviation))


class Slot:
    """A socket and the attempt it carries (`host` is None between attempts)."""

    __slots__ = ("sock", "fd", "family", "host", "port", "discover", "tries", "started", "serial")

    def __init__(self, sock: _socket.socket, family: int) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.family = family
        self.host: Host | None = None
        self.port = 0
        self.discover = False
        self.tries = 0
        self.started = 0.0
        self.serial = 0  # of the attempt in flight; 0 when none (serials start at 1)
