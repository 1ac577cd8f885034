"""What a scan looked at: the addresses it targeted and the ports it asked them.

Drift compares two scans only over what both looked at, and the current picture takes, for
each address and port, the newest scan that looked at it; both read a scan's coverage here.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from .portsets import PortSpecError, resolve_ports
from .scope import OutOfScope, parse_target

SNMP_PORT = 161  # the one UDP port our scanner asks, of every host it finds up

Span = tuple[int, int, int]  # IP version, first and last address as integers


@dataclass(frozen=True)
class Coverage:
    spans: tuple[Span, ...]  # sorted, merged
    tcp_ports: frozenset[int] | None  # None: not known (an nmap XML import)
    asks_snmp: bool

    def targets(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        value = int(ip)
        # The last span that starts at or before the address.
        at = bisect.bisect_right(self.spans, (ip.version, value + 1, -1)) - 1
        return at >= 0 and self.spans[at][0] == ip.version and self.spans[at][2] >= value

    def asks(self, port: int, proto: str) -> bool:
        """Whether the scan asked this port of every targeted host it found up."""
        if proto == "udp":
            return self.asks_snmp and port == SNMP_PORT
        return self.tcp_ports is not None and port in self.tcp_ports

    def looks_at(self, address: str, port: int, proto: str, hosts_up: Collection[str]) -> bool:
        """Whether the scan says if this port is open: it targeted the address and asked the
        port, or found the host down (a host that does not answer has nothing open)."""
        if not self.targets(address):
            return False
        return address not in hosts_up or self.asks(port, proto)


@lru_cache(maxsize=16384)  # a chain's picture reads one scan per network, thousands of them
def coverage_of(targets: str, ports: str, source: str) -> Coverage:
    """A scan's coverage from its stored fields (Scan.targets, Scan.ports, Scan.source)."""
    spans = []
    for text in targets.split():
        try:
            target = parse_target(text)
        except OutOfScope:  # unreadable: it covers nothing
            continue
        spans.append((target.version, target.first, target.last))
    return Coverage(_merged(spans), _asked_ports(ports), asks_snmp=source == "scanner")


@lru_cache(maxsize=64)
def _asked_ports(spec: str) -> frozenset[int] | None:
    try:
        return frozenset(resolve_ports(spec))
    except PortSpecError:  # "imported": nmap's own choice, not recorded
        return None


def _merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for version, first, last in sorted(spans):
        if merged and merged[-1][0] == version and first <= merged[-1][2] + 1:
            merged[-1] = (version, merged[-1][1], max(last, merged[-1][2]))
        else:
            merged.append((version, first, last))
    return tuple(merged)


def targets_whole(coverages: Iterable[Coverage], cidr: str) -> bool:
    """Whether these scans together targeted every address of the network that a scan of
    it asks (an IPv4 block's network and broadcast addresses are never scanned)."""
    version, first, last = _scanned_span(cidr)
    union = _merged(span for coverage in coverages for span in coverage.spans)
    return any(v == version and f <= first and last <= t for v, f, t in union)


@lru_cache(maxsize=16384)
def _scanned_span(cidr: str) -> Span:
    network = parse_target(cidr)
    first, last = network.first, network.last
    if network.skip_edges:
        first, last = first + 1, last - 1
    return network.version, first, last
