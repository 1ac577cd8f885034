"""Scope safety: a scan or probe only targets the organisation's registered networks.

Targets are IP addresses, CIDR blocks or short ranges (10.0.0.5-20 or 10.0.0.5-10.0.1.9).
Host names are refused rather than resolved: a DNS answer could point anywhere, and the
check has to happen before a single packet leaves the box.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# A /16 is the widest one scan accepts: wider is almost always a typo.
MAX_HOSTS_PER_SCAN = 65536


class OutOfScope(ValueError):
    """A target is not inside any registered network, or cannot be read.

    `code` is one of not_registered, bad_target, too_many_hosts, no_networks.
    """

    def __init__(self, code: str, target: str) -> None:
        super().__init__(f"{code}: {target}")
        self.code = code
        self.target = target


@dataclass(frozen=True)
class TargetRange:
    """An inclusive range of addresses of one IP version, as integers."""

    text: str
    version: int
    first: int
    last: int
    skip_edges: bool  # a CIDR block wider than /31: skip its network and broadcast address

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def inside(self, network: IPNetwork) -> bool:
        return (
            self.version == network.version
            and int(network.network_address) <= self.first
            and self.last <= int(network.broadcast_address)
        )

    def addresses(self) -> Iterator[IPAddress]:
        first, last = self.first, self.last
        if self.skip_edges:
            first, last = first + 1, last - 1
        for value in range(first, last + 1):
            yield ipaddress.ip_address(value) if self.version == 6 else ipaddress.IPv4Address(value)


def parse_target(text: str) -> TargetRange:
    value = text.strip()
    try:
        if "-" in value and "/" not in value:
            start_text, _, end_text = value.partition("-")
            start: IPAddress = ipaddress.ip_address(start_text)
            end: IPAddress
            if ":" not in end_text and "." not in end_text and start.version == 4:
                if not 0 <= int(end_text) <= 255:
                    raise ValueError(value)
                end = ipaddress.IPv4Address((int(start) & ~0xFF) | int(end_text))
            else:
                end = ipaddress.ip_address(end_text)
            if end.version != start.version or int(end) < int(start):
                raise ValueError(value)
            return TargetRange(text, start.version, int(start), int(end), False)
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise OutOfScope("bad_target", text) from None
    skip = network.num_addresses > 2 and network.version == 4
    first, last = int(network.network_address), int(network.broadcast_address)
    return TargetRange(text, network.version, first, last, skip)


def check_scope(targets: Sequence[str], registered: Sequence[str | IPNetwork]) -> list[IPAddress]:
    """Expand targets to addresses, refusing the whole request if any part is out of scope."""
    allowed = [ipaddress.ip_network(net, strict=False) for net in registered]
    if not allowed:
        raise OutOfScope("no_networks", ", ".join(targets))
    if not targets:
        raise OutOfScope("bad_target", "")
    ranges = [parse_target(text) for text in targets]
    total = 0
    for target in ranges:
        if not any(target.inside(network) for network in allowed):
            raise OutOfScope("not_registered", target.text)
        total += target.size
        if total > MAX_HOSTS_PER_SCAN:
            raise OutOfScope("too_many_hosts", target.text)
    seen: dict[IPAddress, None] = {}
    for target in ranges:
        for address in target.addresses():
            seen.setdefault(address, None)
    return list(seen)


def network_of(address: IPAddress, registered: Sequence[str | IPNetwork]) -> IPNetwork | None:
    """The most specific registered network holding `address` (for zone lookups)."""
    best: IPNetwork | None = None
    for net in registered:
        candidate = ipaddress.ip_network(net, strict=False)
        inside = address.version == candidate.version and address in candidate
        if inside and (best is None or candidate.prefixlen > best.prefixlen):
            best = candidate
    return best
