"""What a site sensor sends back after a scan, and how the server reads it.

The sensor runs the product's scan (``core.observe``) inside the site and sends the
observation as plain JSON; the server reads it back into the same ``Observation`` a central
scan makes, refusing anything the scan was not asked to look at. Both sides live here so
they cannot drift apart.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Collection
from typing import Any

from .observations import Observation, OpenPort

PROTOCOLS = frozenset({"tcp", "udp"})
# What one open port may carry: identification details are a few short fields.
MAX_DETAILS_CHARS = 4096


class BadReport(ValueError):
    """The report cannot be stored; the message says what and where."""


def observation_to_report(observation: Observation) -> dict[str, Any]:
    return {
        "hosts_up": list(observation.hosts_up),
        "open_ports": [
            {
                "address": p.address,
                "port": p.port,
                "proto": p.proto,
                "service": p.service,
                "product": p.product,
                "details": p.details,
            }
            for p in observation.open_ports
        ],
    }


def observation_from_report(
    hosts_up: list[Any], open_ports: list[Any], allowed: Collection[str]
) -> Observation:
    """The observation of a report whose every address is one of ``allowed`` (the scan's
    targets): a sensor reports only what it was asked to scan."""
    observation = Observation(source="scanner")
    for position, address in enumerate(hosts_up):
        observation.hosts_up.append(_address(address, allowed, f"hosts_up[{position}]"))
    for position, entry in enumerate(open_ports):
        observation.open_ports.append(_open_port(entry, allowed, f"open_ports[{position}]"))
    observation.hosts_up = sorted(set(observation.hosts_up), key=ipaddress.ip_address)
    return observation


def _address(value: Any, allowed: Collection[str], where: str) -> str:
    try:
        address = str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise BadReport(f"{where}: {value!r} is not an IP address") from None
    if address not in allowed:
        raise BadReport(f"{where}: {address} is not one of this scan's targets")
    return address


def _open_port(entry: Any, allowed: Collection[str], where: str) -> OpenPort:
    if not isinstance(entry, dict):
        raise BadReport(f"{where}: expected an object with address, port and proto")
    address = _address(entry.get("address"), allowed, f"{where}.address")
    port = entry.get("port")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise BadReport(f"{where}.port: {port!r} is not a port number (1-65535)")
    proto = entry.get("proto", "tcp")
    if proto not in PROTOCOLS:
        raise BadReport(f"{where}.proto: {proto!r} is not tcp or udp")
    details = entry.get("details") or {}
    if not isinstance(details, dict) or len(json.dumps(details)) > MAX_DETAILS_CHARS:
        raise BadReport(f"{where}.details: expected an object of at most {MAX_DETAILS_CHARS} chars")
    return OpenPort(
        address,
        port,
        proto,
        str(entry.get("service") or "unknown"),
        str(entry.get("product") or ""),
        details,
    )
