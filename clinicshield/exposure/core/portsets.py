"""Port sets a scan can use: top100, top1000 (nmap's lists), all, clinic, or a list.

`clinic` is nmap's top 1000 plus the healthcare and commonly abused ports that the
Internet-wide list misses because they are rare on the Internet but common in clinics.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

CONTENT = Path(__file__).resolve().parent.parent / "content"
TOP_PORTS_FILE = CONTENT / "nmap-top-tcp-ports.txt"

# Ports a clinic network must be checked for even though nmap's top 1000 lacks them.
CLINIC_EXTRA_PORTS: tuple[int, ...] = (
    104,  # DICOM
    502,  # Modbus (building management, medical fridges)
    1883,  # MQTT (IoT sensors)
    2575,  # HL7 over MLLP
    2762,  # DICOM over TLS
    4242,  # Orthanc DICOM
    5938,  # TeamViewer
    5985,  # WinRM over HTTP
    5986,  # WinRM over HTTPS
    6379,  # Redis
    7070,  # AnyDesk (direct connections)
    8042,  # Orthanc web viewer and REST API
    9200,  # Elasticsearch
    11112,  # DICOM (alternative registered port)
    27017,  # MongoDB
    623,  # IPMI over TCP (RMCP+ is UDP; some BMCs also listen on TCP)
    3389,  # RDP (already in top 1000; listed so the intent is explicit)
)

NAMED_SETS = ("clinic", "top1000", "top100", "all")
MAX_PORT = 65535


class PortSpecError(ValueError):
    """A --ports value that is not a named set or a valid list; says which part is wrong."""


@cache
def nmap_top_ports() -> tuple[int, ...]:
    ports = []
    for line in TOP_PORTS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            ports.append(int(line))
    return tuple(ports)


def _parse_item(item: str) -> range:
    low_text, sep, high_text = item.partition("-")
    try:
        low = int(low_text)
        high = int(high_text) if sep else low
    except ValueError:
        raise PortSpecError(f"'{item}' is not a port or a range such as 8000-8100") from None
    if not (1 <= low <= high <= MAX_PORT):
        raise PortSpecError(f"'{item}' is outside 1-{MAX_PORT} or its range is reversed")
    return range(low, high + 1)


def resolve_ports(spec: str) -> list[int]:
    """Turn a --ports value into a sorted list of distinct TCP ports.

    Accepts a named set, or a comma-separated list of ports, ranges and named sets
    ("clinic,8443", "1-1024,3389").
    """
    chosen: set[int] = set()
    items = [item.strip() for item in spec.split(",")]
    if not spec.strip() or any(not item for item in items):
        raise PortSpecError(
            f"'{spec}' has an empty item; use e.g. clinic, top100 or 22,80,8000-8100"
        )
    for item in items:
        lowered = item.lower()
        if lowered == "top1000":
            chosen.update(nmap_top_ports()[:1000])
        elif lowered == "top100":
            chosen.update(nmap_top_ports()[:100])
        elif lowered == "all":
            chosen.update(range(1, MAX_PORT + 1))
        elif lowered == "clinic":
            chosen.update(nmap_top_ports()[:1000])
            chosen.update(CLINIC_EXTRA_PORTS)
        else:
            chosen.update(_parse_item(item))
    return sorted(chosen)


def likely_open_first(ports: Sequence[int]) -> list[int]:
    """The same ports, most often open first: nmap's ranking, then the clinic's, then the rest.

    A scan finds most open ports early this way, so their identification (a greeting to
    wait for, a request to answer) runs while the scan goes on instead of after it.
    """
    rank = {port: index for index, port in enumerate(nmap_top_ports())}
    for port in CLINIC_EXTRA_PORTS:
        rank.setdefault(port, len(rank))
    last = len(rank)
    return sorted(ports, key=lambda port: (rank.get(port, last), port))
