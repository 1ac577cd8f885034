"""One scan as the product runs it: connect scan, identification and SNMP, in one event loop.

Shared by the central worker (``actions.scans``) and the site sensor
(``sensor.core.site_scans``), so a network scanned from its site is seen exactly as a
central scan would see it. Addresses and ports must already be checked against scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .identify import ServiceInfo, identify_port
from .observations import Observation, OpenPort
from .scanner import ScanOptions, scan_async
from .snmp import SnmpSession, answer_wait

ProgressCallback = Callable[[int, int], None]


async def observe(
    addresses: list[str], options: ScanOptions, progress: ProgressCallback | None = None
) -> Observation:
    """Scan, identify and check SNMP, each stage starting as soon as it has work.

    A port is identified the moment it is found open and a host is asked for SNMP the
    moment it is found up, so those waits overlap the rest of the scan.
    """
    loop = asyncio.get_running_loop()
    # Identification and SNMP get a little more patience than a SYN: they need a reply.
    identify_timeout = max(1.0, 2 * options.timeout)
    limit = asyncio.Semaphore(64)
    snmp = SnmpSession(timeout=options.timeout)
    pending: list[asyncio.Task[Any]] = []

    async def identify(address: str, port: int) -> tuple[tuple[str, int], ServiceInfo]:
        async with limit:
            return (address, port), await identify_port(address, port, identify_timeout)

    options.on_open = lambda a, p: pending.append(loop.create_task(identify(a, p)))
    options.on_host_up = lambda a: pending.append(loop.create_task(snmp.ask(a)))
    result = await scan_async(addresses, options, progress)
    finished = await asyncio.gather(*pending)
    services = dict(item for item in finished if item is not None)
    observation = Observation(source="scanner", hosts_up=sorted(result.hosts))
    observation.filtered = {a: sorted(h.filtered_ports) for a, h in result.hosts.items()}
    for (address, port), info in sorted(services.items()):
        observation.open_ports.append(
            OpenPort(address, port, "tcp", info.service, info.product, info.details)
        )
    for finding in await snmp.results(answer_wait(result.round_trip, options.timeout)):
        details = {"snmp_community": finding.community, "snmp_description": finding.description}
        observation.open_ports.append(
            OpenPort(finding.address, 161, "udp", "snmp", finding.description[:200], details)
        )
    return observation
