"""The connect engine under our scanner: non-blocking TCP connects on one epoll set.

A connect scan costs what each attempt costs, so an attempt here is as few system calls as
Linux allows (measured against nmap's connect loop, see docs/benchmarks.md):

- A socket is reused from one port to the next. When a SYN is refused (RST), the socket
  is left in the CLOSE state; calling connect() on it once more returns that refusal and
  resets the socket, and the next connect() starts the next attempt. A closed port is two
  connect() calls: no socket(), no close(), no getsockopt(), no epoll_ctl().
- Sockets are registered once with epoll, level-triggered: a socket whose SYN is in
  flight reports nothing, so starting a new attempt needs no re-arming. A socket left
  idle (CLOSE state) would report at every poll, so idle sockets are closed at once.
- An open port is closed with a reset (SO_LINGER 0), leaving no TIME_WAIT behind; a silent
  port is closed when its wait ends and its slot gets a fresh socket.

Parallelism is bounded twice: `concurrency` attempts in flight at most over the whole
scan, and a window per host, like nmap's congestion window. The window opens by one per
finished attempt (so it doubles every round trip) up to `host_parallelism`, and halves,
at most once a round, when a port that was silent answers its retry: that is a lost
packet, the sign of a host or link that is overwhelmed. Silence alone does not shrink it
(a firewall that drops is not congestion).

The wait before a port counts as silent adapts per host like TCP's retransmission timer
(RFC 6298): smoothed round-trip time plus four deviations, between `min_timeout` and
`timeout`. A silent port is asked again (`retries`), waiting twice as long.

This module knows no event loop: `poll()` handles what the epoll set reports, `expire()`
ends attempts whose wait is over; `scanner.py` drives it from asyncio.
"""

from __future__ import annotations

import _socket
import errno
import heapq
import itertools
import select
import socket
import struct
from collections import deque
from collections.abc import Callable, Sequence

from .connect_state import (
    ABSENT,
    CLOSED,
    DISCOVERING,
    FILTERED,
    OPEN,
    RETRY_LATER,
    STATE_OF_ERRNO,
    UNREACHABLE,
    UP,
    Host,
    Slot,
    smooth,
)

# (EAGAIN is not among them: for TCP, connect() says so when the kernel is out of routes.)
_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EALREADY})
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_LINGER_RESET = struct.pack("ii", 1, 0)
_NONBLOCKING_STREAM = socket.SOCK_STREAM | getattr(socket, "SOCK_NONBLOCK", 0)
_WATCH = select.EPOLLOUT  # with EPOLLERR and EPOLLHUP, which epoll always reports


class ConnectEngine:
    def __init__(
        self,
        *,
        ports: Sequence[int],
        discovery_ports: Sequence[int],
        concurrency: int,
        host_parallelism: int,
        initial_window: int,
        timeout: float,
        min_timeout: float,
        discovery_timeout: float,
        min_discovery_timeout: float,
        retries: int,
        is_neighbour: Callable[[str], bool],
        on_host_up: Callable[[str], None] | None = None,
        on_open: Callable[[str, int], None] | None = None,
    ) -> None:
        self.ports = ports
        self.discovery_ports = discovery_ports
        self.concurrency = concurrency
        self.host_parallelism = max(1, host_parallelism)
        self.initial_window = float(min(max(1, initial_window), self.host_parallelism))
        self.timeout, self.min_timeout = timeout, min_timeout
        self.discovery_timeout, self.min_discovery_timeout = (
            discovery_timeout,
            min_discovery_timeout,
        )
        self.retries = retries
        self.is_neighbour = is_neighbour
        self.on_host_up, self.on_open = on_host_up, on_open
        self.hosts: dict[str, Host] = {}
        self.ready: deque[Host] = deque()  # hosts with work and room in their window
        self.in_flight: dict[int, Slot] = {}  # fd -> slot
        # Sockets reset by a refusal, ready for another port, by address family.
        self.spare: dict[int, list[Slot]] = {socket.AF_INET: [], socket.AF_INET6: []}
        # Scan attempts by deadline: (deadline, order, [(serial, slot), ...]).
        self.deadlines: list[tuple[float, int, list[tuple[int, Slot]]]] = []
        self._order = itertools.count()
        self.discovering: deque[tuple[float, int, Slot]] = deque()  # discovery attempts
        self.any_rtt: tuple[float, float] | None = None  # over every host, for discovery
        self.serial = 0
        self.attempts = 0
        self.sockets_opened = 0
        self.planned = 0
        self.finished = 0
        self.peak = 0
        self.epoll = select.epoll()
        self._stalled = False  # out of descriptors or local ports: wait for attempts to end

    # -- planning ---------------------------------------------------------------
    def add_hosts(self, addresses: Sequence[str], discovery: bool) -> None:
        for address in addresses:
            host = Host(address, self.timeout, self.initial_window)
            self.hosts[address] = host
            if discovery:
                host.work = iter(self.discovery_ports)
                host.discovery_left = len(self.discovery_ports)
                self.planned += len(self.discovery_ports)
                self._wake(host)
            else:
                self._host_up(host, "assumed")

    def _host_up(self, host: Host, reason: str) -> None:
        unasked = sum(1 for _ in host.work)  # discovery probes no longer needed
        self.planned -= unasked
        host.discovery_left -= unasked
        host.state, host.up_reason = UP, reason
        host.work = iter(self.ports)
        self.planned += len(self.ports)
        if self.on_host_up is not None:
            self.on_host_up(host.address)
        self._wake(host)

    def _wake(self, host: Host) -> None:
        if not host.queued:
            host.queued = True
            self.ready.append(host)

    @property
    def done(self) -> bool:
        return not self.in_flight and not self.ready

    def fileno(self) -> int:
        return self.epoll.fileno()

    # -- starting attempts ------------------------------------------------------
    def fill(self, now: float) -> None:
        """Start attempts while there is room, on sockets left by refusals when there are.

        The attempts a host gets in one call share one deadline (they start at the same
        `now` with the same wait), so the deadline heap holds a list per host and call,
        not an entry per port.
        """
        ready, in_flight, limit = self.ready, self.in_flight, self.concurrency
        cohorts: dict[Host, list[tuple[int, Slot]]] = {}
        self._stalled = False
        while ready and len(in_flight) < limit and not self._stalled:
            host = ready[0]
            if host.in_flight >= host.window:
                port = -1
            elif host.retries:
                port, tries = host.retries.popleft()
            else:
                port, tries = next(host.work, -1), 0
            if port < 0:  # no work or no room: the host waits for its attempts to end
                ready.popleft()
                host.queued = False
                continue
            slot = self._start(host, port, tries, now)
            if slot is None:
                continue
            if slot.discover:
                self.discovering.append((now, slot.serial, slot))
            elif tries:  # a retry waits longer than a first attempt
                entry = [(slot.serial, slot)]
                wait = host.timeout * (1 + tries)
                heapq.heappush(self.deadlines, (now + wait, next(self._order), entry))
            else:
                cohorts.setdefault(host, []).append((slot.serial, slot))
        for host, entry in cohorts.items():
            heapq.heappush(self.deadlines, (now + host.timeout, next(self._order), entry))
        if len(in_flight) > self.peak:
            self.peak = len(in_flight)
        for spare in self.spare.values():  # an idle reset socket would report at every poll
            for slot in spare:
                slot.sock.close()
            spare.clear()

    def _start(self, host: Host, port: int, tries: int, now: float) -> Slot | None:
        """Send the SYN; the slot when it is in flight, None when it ended at once."""
        spare = self.spare[host.family]
        slot = spare.pop() if spare else self._new_slot(host)
        if slot is None:
            self._put_back(host, port, tries)
            return None
        self.attempts += 1
        code = slot.sock.connect_ex((host.address, port))
        slot.host, slot.port, slot.tries, slot.started = host, port, tries, now
        slot.discover = host.state == DISCOVERING
        host.in_flight += 1
        self.in_flight[slot.fd] = slot
        if code in _IN_PROGRESS:
            self.serial += 1
            slot.serial = self.serial
            return slot
        # Answered at once (no route, or connected to itself) or not started (out of
        # local ports).
        if code == 0 and self._connected_to_itself(slot):
            self._finish(slot, CLOSED, now, answered=False, reset=False)
        else:
            self._finish(slot, STATE_OF_ERRNO.get(code, FILTERED), now, answered=False)
        return None

    def _new_slot(self, host: Host) -> Slot | None:
        try:
            sock = _socket.socket(host.family, _NONBLOCKING_STREAM)
        except OSError as error:
            if error.errno not in _OUT_OF_RESOURCES:
                raise
            self._stalled = True
            return None
        if _NONBLOCKING_STREAM == socket.SOCK_STREAM:
            sock.setblocking(False)
        self.sockets_opened += 1
        slot = Slot(sock, host.family)
        self.epoll.register(slot.fd, _WATCH)
        return slot

    def _put_back(self, host: Host, port: int, tries: int) -> None:
        host.retries.appendleft((port, tries))
        self._wake(host)
        self._stalled = True

    # -- outcomes ---------------------------------------------------------------
    def poll(self, now: float) -> int:
        """Handle every answer the epoll set reports; returns how many."""
        events = self.epoll.poll(0, max(16, len(self.in_flight)))
        in_flight, finish = self.in_flight, self._finish
        for fd, mask in events:
            slot = in_flight.get(fd)
            if slot is None or slot.host is None:
                continue
            # Asking again returns the attempt's outcome (and resets a refused socket).
            code = slot.sock.connect_ex((slot.host.address, slot.port))
            if code == 0 and self._connected_to_itself(slot):
                finish(slot, CLOSED, now, answered=True, reset=False)
            elif code != errno.EALREADY:
                finish(slot, STATE_OF_ERRNO.get(code, FILTERED), now, answered=True)
            elif mask & select.EPOLLERR:
                # Still waiting for a SYN-ACK, yet with an error: an ICMP refusal (a
                # firewall's "prohibited", no route further on). Linux keeps the attempt
                # alive for it (RFC 1122's soft errors); for us it is the port's answer.
                code = slot.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    state = STATE_OF_ERRNO.get(code, FILTERED)
                    finish(slot, state, now, answered=True, reset=False)
        return len(events)

    @staticmethod
    def _connected_to_itself(slot: Slot) -> bool:
        """True when the kernel chose, as the socket's own port, the very port it was to
        reach on this machine's own address: TCP's simultaneous open then connects the
        socket to itself, though nothing listens there (nmap does not call these open
        either). A scan of the box's own network meets it on the box's address, at random
        ports of the ephemeral range. Asked of connected sockets only: open ports are few."""
        assert slot.host is not None
        return bool(slot.sock.getsockname()[:2] == (slot.host.address, slot.port))

    def expire(self, now: float) -> None:
        """End the attempts whose wait is over: their ports are silent for now."""
        cutoff = now - self._discovery_patience()
        discovering = self.discovering
        while discovering and discovering[0][0] <= cutoff:
            _, serial, slot = discovering.popleft()
            if slot.serial == serial:
                self._finish(slot, FILTERED, now, answered=False)
        deadlines = self.deadlines
        while deadlines and deadlines[0][0] <= now:
            for serial, slot in heapq.heappop(deadlines)[2]:
                if slot.serial == serial:  # not answered meanwhile (serials never repeat)
                    self._finish(slot, FILTERED, now, answered=False)

    def _finish(
        self, slot: Slot, state: str, now: float, answered: bool, reset: bool = True
    ) -> None:
        """Record an attempt's outcome. `reset`: the kernel left the socket reusable."""
        host, port, tries = slot.host, slot.port, slot.tries
        assert host is not None
        del self.in_flight[slot.fd]
        slot.host, slot.serial = None, 0
        host.in_flight -= 1
        if reset and state in (CLOSED, UNREACHABLE):
            self.spare[slot.family].append(slot)  # reset by the refusal: reusable
        else:
            # A connected socket (an open port's, or one connected to itself) is reset,
            # leaving no TIME_WAIT behind.
            if state == OPEN or (state == CLOSED and not reset):
                slot.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            slot.sock.close()
        if state == RETRY_LATER:  # out of local ports: ask again after others end
            self._put_back(host, port, tries)
            return
        if tries and answered and state != FILTERED:
            # Silent once, answered on the retry: a packet was lost, the host or the link
            # is overwhelmed. Halve the window, once per round like TCP: attempts sent
            # before the last cut say nothing about the window since.
            host.lost += 1
            if slot.started >= host.cut_at:
                host.window, host.cut_at = max(1.0, host.window / 2), now
        elif host.window < self.host_parallelism:
            host.window += 1
        if answered and state != FILTERED:
            host.samples += 1
            # After the first answers only every 16th is sampled: the estimate is stable
            # by then, and 65,535 ports should not spend their time on arithmetic.
            if host.samples <= 32 or not host.samples % 16:
                sample = now - slot.started
                host.learn_rtt(sample, self.min_timeout, self.timeout)
                self.any_rtt = smooth(self.any_rtt, sample)
        if slot.discover:
            self.finished += 1
            self._discovery_outcome(host, state)
        elif state == FILTERED and tries < self.retries:
            host.retries.append((port, tries + 1))  # asked again, waiting longer
        else:
            self.finished += 1
            if state != CLOSED:
                self._scan_outcome(host, port, state)
        if not host.queued and host.state != ABSENT:
            host.queued = True
            self.ready.append(host)

    def _discovery_patience(self) -> float:
        """How long a discovery probe may stay silent, given how fast other hosts answer.

        Absent addresses are usually most of a block; once live neighbours have shown the
        network's round-trip time, waiting the full discovery timeout for them is waste.
        """
        if self.any_rtt is None:
            return self.discovery_timeout
        smoothed, variance = self.any_rtt
        patience = max(self.min_discovery_timeout, smoothed + 4 * variance)
        return min(self.discovery_timeout, patience)

    def _discovery_outcome(self, host: Host, state: str) -> None:
        host.discovery_left -= 1
        if host.state != DISCOVERING:
            return
        if state in (OPEN, CLOSED):
            self._host_up(host, "tcp")
        elif host.discovery_left == 0:
            if self.is_neighbour(host.address):
                self._host_up(host, "arp")
            else:
                host.state = ABSENT

    def _scan_outcome(self, host: Host, port: int, state: str) -> None:
        if state == OPEN:
            host.open_ports.add(port)
            if self.on_open is not None:
                self.on_open(host.address, port)
        else:
            host.filtered_ports.add(port)

    def close(self) -> None:
        """Close every socket still open and the epoll set (also after an error)."""
        for slot in self.in_flight.values():
            slot.sock.close()
        for spare in self.spare.values():
            for slot in spare:
                slot.sock.close()
            spare.clear()
        self.in_flight.clear()
        self.epoll.close()
