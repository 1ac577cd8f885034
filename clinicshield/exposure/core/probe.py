"""Reachability probes for the segmentation policy: short, explicit timeouts.

Each check is one TCP connect. A blocked path costs `timeout` seconds once per check,
and checks run concurrently, so a whole zone is tested in seconds.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Sequence

DEFAULT_TIMEOUT = 1.5


async def _check(address: str, port: int, timeout: float, limit: asyncio.Semaphore) -> str:
    async with limit:
        try:
            async with asyncio.timeout(timeout):
                _, writer = await asyncio.open_connection(address, port)
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "filtered"
        except OSError as exc:
            if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN):
                return "unreachable"
            return "filtered"
        writer.close()
        return "open"


async def probe_async(
    endpoints: Sequence[tuple[str, int]], timeout: float = DEFAULT_TIMEOUT, concurrency: int = 128
) -> dict[tuple[str, int], str]:
    limit = asyncio.Semaphore(concurrency)
    states = await asyncio.gather(*(_check(a, p, timeout, limit) for a, p in endpoints))
    return dict(zip(endpoints, states, strict=True))


def probe(
    endpoints: Sequence[tuple[str, int]], timeout: float = DEFAULT_TIMEOUT
) -> dict[tuple[str, int], str]:
    """State of each (address, port): open, refused, filtered or unreachable."""
    return asyncio.run(probe_async(endpoints, timeout))
