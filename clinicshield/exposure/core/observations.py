"""What a scan saw, in one shape whatever produced it (our scanner, nmap XML, nmap run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class OpenPort:
    address: str
    port: int
    proto: str = "tcp"
    service: str = "unknown"
    product: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.address, self.port, self.proto)


@dataclass
class Observation:
    """Hosts found up and their open ports; `source` is scanner, nmap-xml or nmap."""

    source: str
    hosts_up: list[str] = field(default_factory=list)
    open_ports: list[OpenPort] = field(default_factory=list)
    filtered: dict[str, list[int]] = field(default_factory=dict)
    started: str = ""  # ISO time when known (nmap XML carries it)
    arguments: str = ""
