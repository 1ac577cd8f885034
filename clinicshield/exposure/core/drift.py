"""Drift: what changed between two observations of the same network.

Changes are plain data (a kind code plus the facts); the Django layer words them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .observations import OpenPort

NEW_PORT, CLOSED_PORT, NEW_HOST, GONE_HOST, CHANGED_SERVICE = (
    "new_port",
    "closed_port",
    "new_host",
    "gone_host",
    "changed_service",
)


@dataclass(frozen=True)
class Change:
    kind: str
    address: str
    port: int | None = None
    proto: str = "tcp"
    before: str = ""
    after: str = ""


def _label(port: OpenPort) -> str:
    return " ".join(part for part in (port.service, port.product) if part and part != "unknown")


def compare(
    previous_hosts: list[str],
    previous_ports: list[OpenPort],
    current_hosts: list[str],
    current_ports: list[OpenPort],
) -> list[Change]:
    """Changes from `previous` to `current`, hosts first, then ports by address and number.

    A host that is gone is one change: a host that was down during a scan (or off its
    network) does not have all its ports closed.
    """
    changes: list[Change] = []
    before_hosts, after_hosts = set(previous_hosts), set(current_hosts)
    changes += [Change(NEW_HOST, a) for a in sorted(after_hosts - before_hosts, key=_addr_key)]
    changes += [Change(GONE_HOST, a) for a in sorted(before_hosts - after_hosts, key=_addr_key)]
    before = {p.key: p for p in previous_ports}
    after = {p.key: p for p in current_ports}
    for key in sorted(after.keys() | before.keys(), key=lambda k: (_addr_key(k[0]), k[1], k[2])):
        address, number, proto = key
        if key not in before:
            changes.append(Change(NEW_PORT, address, number, proto, after=_label(after[key])))
        elif key not in after:
            if address not in after_hosts:  # the host did not answer: its ports were not seen
                continue
            changes.append(Change(CLOSED_PORT, address, number, proto, before=_label(before[key])))
        else:
            old, new = _label(before[key]), _label(after[key])
            if old and new and old != new:  # unknown -> known is identification, not change
                changes.append(Change(CHANGED_SERVICE, address, number, proto, old, new))
    return changes


def _addr_key(address: str) -> tuple[int, int]:
    parsed = ipaddress.ip_address(address)
    return (parsed.version, int(parsed))


def change_of(port: OpenPort, previous_keys: set[tuple[str, int, str]] | None) -> str:
    """'new' or 'unchanged' for one open port; every port is new on a first scan."""
    if previous_keys is None or port.key not in previous_keys:
        return "new"
    return "unchanged"
