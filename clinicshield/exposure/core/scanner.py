"""Our TCP connect scanner: host discovery and port scan on the connect engine, in asyncio.

Why connect() and not raw SYN packets: it needs no privileges, works from a site sensor
running as an ordinary user, and the kernel does the TCP handshake correctly.

The attempts themselves live in `connect_engine.py` (one epoll set, reused sockets,
windows per host, adaptive waits). Here the event loop watches the engine's epoll
descriptor as a whole and a timer ends silent attempts, so identification and SNMP can
run on the same loop while the scan goes on (see `on_open` and `on_host_up`).

Host discovery pipelines into the port scan: as soon as a host answers one discovery
probe (open or refused), its ports are queued, so absent hosts cost one discovery wait
in total, not one per host. Hosts that answer nothing but whose link-layer address the
kernel resolved (the ARP table) are up too: that is how a host that drops every probe
on the local segment is still found, like nmap's ARP ping.
"""

from __future__ import annotations

import asyncio
import ipaddress
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .connect_engine import ConnectEngine
from .portsets import likely_open_first

DISCOVERY_PORTS: tuple[int, ...] = (80, 443, 22, 445, 3389, 139, 135, 21, 23, 25, 8080, 104)
# How often silent attempts are looked for; also the longest a finished scan waits.
_SWEEP_SECONDS = 0.02


@dataclass
class ScanOptions:
    ports: Sequence[int]
    concurrency: int = 1024  # attempts in flight at most, over the whole scan
    # Attempts in flight at most towards one host: a few hundred, like nmap's -T4, so a
    # fragile device (a modality, a printer) is not flooded. In the lab 128 to 1,024
    # scanned 65,535 ports in the same time; 256 cost default-deny hosts a second more.
    host_parallelism: int = 512
    initial_window: int = 64  # attempts a host gets before it has answered any
    timeout: float = 1.0  # the longest wait for a SYN-ACK or RST before a port is silent
    retries: int = 1  # extra attempts for silent ports (a lost packet is not a firewall)
    discovery: bool = True  # False: treat every address as up (nmap -Pn)
    discovery_ports: Sequence[int] = DISCOVERY_PORTS
    discovery_timeout: float = 1.0
    min_timeout: float = 0.2  # floor of the adaptive wait, however fast the host answers
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
    lost: int = 0  # ports that answered only when asked again: packets were lost


@dataclass
class ScanResult:
    addresses: int
    ports_per_host: int
    hosts: dict[str, HostResult]
    seconds: float
    attempts: int
    peak_in_flight: int = 0
    sockets_opened: int = 0  # fewer than attempts: a refused port's socket asks the next
    # Smoothed round-trip time and its deviation over every answer (None: no answer).
    round_trip: tuple[float, float] | None = None


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


def _engine_for(options: ScanOptions) -> ConnectEngine:
    return ConnectEngine(
        ports=likely_open_first(options.ports),
        discovery_ports=options.discovery_ports,
        concurrency=options.concurrency,
        host_parallelism=min(options.host_parallelism, options.concurrency),
        initial_window=options.initial_window,
        timeout=options.timeout,
        min_timeout=min(options.min_timeout, options.timeout),
        discovery_timeout=options.discovery_timeout,
        min_discovery_timeout=min(options.min_discovery_timeout, options.discovery_timeout),
        retries=options.retries,
        is_neighbour=lambda address: address in resolved_neighbours(),
        on_host_up=options.on_host_up,
        on_open=options.on_open,
    )


async def scan_async(
    addresses: Sequence[str],
    options: ScanOptions,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    started = time.monotonic()
    options.concurrency = raise_open_file_limit(options.concurrency)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    engine = _engine_for(options)

    def step() -> None:
        if done.done():
            return
        now = loop.time()
        try:
            # Answers first: on a busy machine a reply may wait in the epoll set past its
            # deadline, and must not be mistaken for silence.
            engine.poll(now)
            engine.expire(now)
            engine.fill(now)
            if on_progress is not None:
                on_progress(engine.finished, engine.planned)
        except Exception as error:  # a stage's callback failed: the scan fails with it
            done.set_exception(error)
            return
        if engine.done:
            done.set_result(None)

    timer: asyncio.TimerHandle | None = None

    def sweep() -> None:
        nonlocal timer
        step()
        if not done.done():
            timer = loop.call_later(_SWEEP_SECONDS, sweep)

    try:
        engine.add_hosts([str(ipaddress.ip_address(a)) for a in addresses], options.discovery)
        loop.add_reader(engine.fileno(), step)
        sweep()
        await done
    finally:
        if timer is not None:
            timer.cancel()
        loop.remove_reader(engine.fileno())
        engine.close()
    hosts = {
        address: HostResult(
            address, host.up_reason, host.open_ports, host.filtered_ports, host.lost
        )
        for address, host in engine.hosts.items()
        if host.up_reason
    }
    return ScanResult(
        addresses=len(addresses),
        ports_per_host=len(options.ports),
        hosts=hosts,
        seconds=time.monotonic() - started,
        attempts=engine.attempts,
        peak_in_flight=engine.peak,
        sockets_opened=engine.sockets_opened,
        round_trip=engine.any_rtt,
    )


def scan(
    addresses: Sequence[str],
    options: ScanOptions,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    """Scan `addresses` (already checked against the scope) for open TCP ports."""
    return asyncio.run(scan_async(addresses, options, on_progress))
