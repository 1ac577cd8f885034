"""Our TCP connect scanner: asyncio, bounded concurrency, timeouts, retries, discovery.

Why connect() and not raw SYN packets: it needs no privileges, works from a site sensor
running as an ordinary user, and the kernel does the TCP handshake correctly.

Why callbacks instead of one coroutine per port: a scan of 65,535 ports is 65,535
connects, and the per-task overhead of asyncio would dominate. Each attempt here is a
non-blocking socket registered with the event loop's writer callback; a timer sweeps
expired attempts off a heap. Memory is bounded by `concurrency`, not by the port count.

Host discovery pipelines into the port scan: as soon as a host answers one discovery
probe (open or refused), its ports are queued, so absent hosts cost one discovery
timeout in total, not one per host. Hosts that answer nothing but whose link-layer
address the kernel resolved (the ARP table) are up too: that is how a host that drops
every probe on the local segment is still found, like nmap's ARP ping.
"""

from __future__ import annotations

import _socket
import asyncio
import errno
import heapq
import ipaddress
import resource
import select
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

DISCOVERY_PORTS: tuple[int, ...] = (80, 443, 22, 445, 3389, 139, 135, 21, 23, 25, 8080, 104)

OPEN, CLOSED, FILTERED, UNREACHABLE, RETRY_LATER = (
    "open",
    "closed",
    "filtered",
    "unreachable",
    "retry",
)
_LINGER_RESET = struct.pack("ii", 1, 0)  # close with RST: no TIME_WAIT left behind
_SWEEP_SECONDS = 0.02
# One system call instead of two per attempt where the platform allows it.
_NONBLOCKING_STREAM = socket.SOCK_STREAM | getattr(socket, "SOCK_NONBLOCK", 0)

_ERRNO_STATES = {
    0: OPEN,
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


@dataclass
class ScanOptions:
    ports: Sequence[int]
    concurrency: int = 1024
    timeout: float = 1.0  # seconds to wait for a SYN-ACK or RST before calling a port filtered
    retries: int = 1  # extra attempts for filtered ports (a lost packet is not a firewall)
    discovery: bool = True  # False: treat every address as up (nmap -Pn)
    discovery_ports: Sequence[int] = DISCOVERY_PORTS
    discovery_timeout: float = 1.0
    min_timeout: float = 0.2  # floor of the adaptive timeout, however fast the host answers
    min_discovery_timeout: float = 0.25  # floor of the adaptive discovery wait
    # Called from the event loop as results arrive, so later stages can start at once.
    on_open: Callable[[str, int], None] | None = None
    on_host_up: Callable[[str], None] | None = None


@dataclass
class HostResult:
    address: str
    up_reason: str  # "tcp" (answered a probe), "arp" (link-layer only), "assumed" (-Pn)
    open_ports: set[int] = field(default_factory=set)
    filtered_ports: set[int] = field(default_factory=set)


@dataclass
class ScanResult:
    addresses: int
    ports_per_host: int
    hosts: dict[str, HostResult]
    seconds: float
    attempts: int
    peak_in_flight: int = 0


@dataclass
class _Attempt:
    address: str
    port: int
    kind: str  # "discover" or "scan"
    tries: int = 0


class _Engine:
    def __init__(
        self, options: ScanOptions, on_progress: Callable[[int, int], None] | None
    ) -> None:
        self.options = options
        self.on_progress = on_progress
        self.queue: deque[_Attempt] = deque()
        self.inflight: dict[int, tuple[_socket.socket, _Attempt, int, float]] = {}
        self.rtt: dict[str, tuple[float, float]] = {}  # address -> (smoothed RTT, variance)
        self.any_rtt: tuple[float, float] | None = None  # the same over every host
        self.samples: dict[str, int] = {}  # answers seen per host
        self.timeouts: dict[str, float] = {}  # current adaptive timeout per host
        self.discovering: deque[tuple[float, int, int]] = deque()  # (start, sequence, fd)
        self.deadlines: list[tuple[float, int, int]] = []
        self.sequence = 0
        self.hosts: dict[str, HostResult] = {}
        self.pending_discovery: dict[str, int] = {}
        self.attempts = 0
        self.peak = 0  # most attempts in flight at once
        self.planned = 0
        self.finished = 0
        self.loop = asyncio.get_running_loop()
        self.done: asyncio.Future[None] = self.loop.create_future()
        # On Linux the sockets wait in our own epoll set, registered one-shot: closing a
        # socket removes it, so each attempt costs one registration and no Handle objects.
        # The event loop watches only the epoll descriptor itself.
        self.epoll = select.epoll() if hasattr(select, "epoll") else None
        if self.epoll is not None:
            self.loop.add_reader(self.epoll.fileno(), self._drain)

    def close(self) -> None:
        if self.epoll is not None:
            self.loop.remove_reader(self.epoll.fileno())
            self.epoll.close()

    # -- planning -------------------------------------------------------------
    def plan(self, addresses: Sequence[str]) -> None:
        for address in addresses:
            if self.options.discovery:
                self.pending_discovery[address] = len(self.options.discovery_ports)
                self.queue.extend(
                    _Attempt(address, p, "discover") for p in self.options.discovery_ports
                )
                self.planned += len(self.options.discovery_ports)
            else:
                self._host_up(address, "assumed")

    def _host_up(self, address: str, reason: str) -> None:
        if address in self.hosts:
            return
        self.hosts[address] = HostResult(address, reason)
        if self.options.on_host_up is not None:
            self.options.on_host_up(address)
        self.queue.extend(_Attempt(address, port, "scan") for port in self.options.ports)
        self.planned += len(self.options.ports)

    # -- the event-loop machinery ---------------------------------------------
    def start_more(self) -> None:
        limit = self.options.concurrency
        while self.queue and len(self.inflight) < limit:
            attempt = self.queue.popleft()
            if attempt.kind == "discover" and attempt.address in self.hosts:
                self.finished += 1  # already known to be up: no need to ask again
                continue
            try:
                self._start(attempt)
            except OSError as exc:
                if exc.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    raise
                # Out of descriptors or buffers: wait for attempts in flight to finish;
                # the sweep timer tries again.
                self.queue.appendleft(attempt)
                break
        if not self.queue and not self.inflight and not self.done.done():
            self.done.set_result(None)

    def _start(self, attempt: _Attempt) -> None:
        family = socket.AF_INET6 if ":" in attempt.address else socket.AF_INET
        # The C-level socket: the Python wrapper's constructor costs more than the syscall.
        sock = _socket.socket(family, _NONBLOCKING_STREAM)
        if _NONBLOCKING_STREAM == socket.SOCK_STREAM:
            sock.setblocking(False)
        self.attempts += 1
        code = sock.connect_ex((attempt.address, attempt.port))
        if code not in (errno.EINPROGRESS, errno.EWOULDBLOCK):
            self._finish(sock, attempt, _ERRNO_STATES.get(code, FILTERED))
            return
        fd = sock.fileno()
        self.sequence += 1
        if attempt.kind == "discover":
            timeout = self.options.discovery_timeout
        else:
            timeout = self.timeouts.get(attempt.address, self.options.timeout)
        timeout *= 1 + attempt.tries  # a retry waits longer
        now = self.loop.time()
        self.inflight[fd] = (sock, attempt, self.sequence, now)
        if len(self.inflight) > self.peak:
            self.peak = len(self.inflight)
        heapq.heappush(self.deadlines, (now + timeout, self.sequence, fd))
        if attempt.kind == "discover":
            self.discovering.append((now, self.sequence, fd))
        if self.epoll is not None:
            self.epoll.register(fd, select.EPOLLOUT | select.EPOLLONESHOT)
        else:
            self.loop.add_writer(fd, self._on_writable, fd)

    def _learn_rtt(self, address: str, sample: float) -> None:
        """Like TCP's retransmission timer (RFC 6298): smoothed RTT plus four deviations.

        A host that answers in a millisecond does not need a second of patience per
        silent port; a slow or loaded one keeps the configured timeout as a ceiling.
        After the first answers only every 16th is sampled: the estimate is stable by
        then, and a 65,535-port scan should not spend its time on arithmetic.
        """
        seen = self.samples.get(address, 0) + 1
        self.samples[address] = seen
        if seen > 32 and seen % 16:
            return
        smoothed, variance = self.rtt[address] = _smooth(self.rtt.get(address), sample)
        self.any_rtt = _smooth(self.any_rtt, sample)
        timeout = max(self.options.min_timeout, smoothed + 4 * variance)
        self.timeouts[address] = min(self.options.timeout, timeout)

    def _discovery_patience(self) -> float:
        """How long a discovery probe may stay silent, given how fast other hosts answer.

        Absent addresses are usually most of a block; once live neighbours have shown the
        network's round-trip time, waiting the full discovery timeout for them is waste.
        """
        if self.any_rtt is None:
            return self.options.discovery_timeout
        smoothed, variance = self.any_rtt
        patience = max(self.options.min_discovery_timeout, smoothed + 4 * variance)
        return min(self.options.discovery_timeout, patience)

    def _drain(self) -> None:
        assert self.epoll is not None
        for fd, _events in self.epoll.poll(0):
            if fd in self.inflight:
                self._answered(fd)
        self.start_more()

    def _on_writable(self, fd: int) -> None:
        self.loop.remove_writer(fd)
        self._answered(fd)
        self.start_more()

    def _answered(self, fd: int) -> None:
        sock, attempt, _, started = self.inflight.pop(fd)
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code in (0, errno.ECONNREFUSED):
            self._learn_rtt(attempt.address, self.loop.time() - started)
        self._finish(sock, attempt, _ERRNO_STATES.get(code, FILTERED))

    def _expire(self, fd: int, sequence: int) -> None:
        entry = self.inflight.get(fd)
        if entry is None or entry[2] != sequence:
            return  # already answered; the fd number may have been reused
        del self.inflight[fd]
        if self.epoll is None:
            self.loop.remove_writer(fd)
        self._finish(entry[0], entry[1], FILTERED)

    def sweep(self) -> None:
        now = self.loop.time()
        cutoff = now - self._discovery_patience()
        while self.discovering and self.discovering[0][0] <= cutoff:
            _, sequence, fd = self.discovering.popleft()
            self._expire(fd, sequence)
        while self.deadlines and self.deadlines[0][0] <= now:
            _, sequence, fd = heapq.heappop(self.deadlines)
            self._expire(fd, sequence)
        self.start_more()
        if not self.done.done():
            self.loop.call_later(_SWEEP_SECONDS, self.sweep)

    # -- outcomes ---------------------------------------------------------------
    def _finish(self, sock: _socket.socket, attempt: _Attempt, state: str) -> None:
        if state == OPEN:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        sock.close()
        if state == RETRY_LATER:  # out of local ports or buffers: try again at the back
            self.queue.append(attempt)
            return
        if state == FILTERED and attempt.kind == "scan" and attempt.tries < self.options.retries:
            attempt.tries += 1
            self.queue.append(attempt)
            return
        self.finished += 1
        if attempt.kind == "discover":
            self._discovery_outcome(attempt.address, state)
        else:
            self._scan_outcome(attempt, state)
        if self.on_progress is not None:
            self.on_progress(self.finished, self.planned)

    def _discovery_outcome(self, address: str, state: str) -> None:
        if state in (OPEN, CLOSED):
            self._host_up(address, "tcp")
        self.pending_discovery[address] -= 1
        silent = self.pending_discovery[address] == 0 and address not in self.hosts
        if silent and address in resolved_neighbours():
            self._host_up(address, "arp")

    def _scan_outcome(self, attempt: _Attempt, state: str) -> None:
        host = self.hosts[attempt.address]
        if state == OPEN:
            host.open_ports.add(attempt.port)
            if self.options.on_open is not None:
                self.options.on_open(attempt.address, attempt.port)
        elif state in (FILTERED, UNREACHABLE):
            host.filtered_ports.add(attempt.port)


def _smooth(estimate: tuple[float, float] | None, sample: float) -> tuple[float, float]:
    """RFC 6298's smoothed round-trip time and its mean deviation."""
    if estimate is None:
        return (sample, sample / 2)
    smoothed, variance = estimate
    variance = 0.75 * variance + 0.25 * abs(smoothed - sample)
    return (0.875 * smoothed + 0.125 * sample, variance)


def resolved_neighbours() -> set[str]:
    """IPv4 addresses whose link-layer address the kernel has resolved (Linux ARP table)."""
    try:
        with open("/proc/net/arp", encoding="ascii") as table:
            lines = table.read().splitlines()[1:]
    except OSError:
        return set()
    resolved = set()
    for line in lines:
        fields = line.split()
        if len(fields) >= 3 and int(fields[2], 16) & 0x2:  # ATF_COM: entry complete
            resolved.add(fields[0])
    return resolved


# Descriptors kept free for everything else: identification, SNMP, the database, logs.
_SPARE_DESCRIPTORS = 256


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft descriptor limit towards `wanted`; return the concurrency it allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = wanted + _SPARE_DESCRIPTORS
    target = room if hard == resource.RLIM_INFINITY else min(hard, room)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(1, min(wanted, soft - _SPARE_DESCRIPTORS))


async def scan_async(
    addresses: Sequence[str],
    options: ScanOptions,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    started = time.monotonic()
    options.concurrency = raise_open_file_limit(options.concurrency)
    engine = _Engine(options, on_progress)
    engine.plan([str(ipaddress.ip_address(a)) for a in addresses])
    try:
        engine.start_more()
        engine.sweep()
        await engine.done
    finally:
        engine.close()
    return ScanResult(
        addresses=len(addresses),
        ports_per_host=len(options.ports),
        hosts=engine.hosts,
        seconds=time.monotonic() - started,
        attempts=engine.attempts,
        peak_in_flight=engine.peak,
    )


def scan(
    addresses: Sequence[str],
    options: ScanOptions,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    """Scan `addresses` (already checked against the scope) for open TCP ports."""
    return asyncio.run(scan_async(addresses, options, on_progress))
