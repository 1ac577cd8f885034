"""What enrichment is configured with: the operator's ``.mmdb`` files and an
organisation's own ranges, checked without loading any lookup table (``ingest`` refuses a
bad setting before it reads a file, and loads the tables only for a file with something
new). The lookup itself is :class:`.geo.GeoLookup`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnreadableMmdb(ValueError):
    """A configured ``.mmdb`` file that cannot be opened. ``why`` is ``missing``,
    ``folder``, ``not_mmdb`` or ``unreadable`` (then ``detail`` has the system's words),
    so that the caller can say it in the user's language."""

    def __init__(self, path: str | Path, why: str, detail: str = "") -> None:
        super().__init__(f"{path}: {detail or why}")
        self.path = str(path)
        self.why = why
        self.detail = detail


def open_mmdb(path: str | Path) -> Any:
    """A maxminddb reader for ``path``, or :class:`UnreadableMmdb` saying why not."""
    import maxminddb

    if Path(path).is_dir():  # maxminddb calls a folder an invalid database
        raise UnreadableMmdb(path, "folder")
    try:
        return maxminddb.open_database(str(path))
    except FileNotFoundError:
        raise UnreadableMmdb(path, "missing") from None
    except OSError as error:
        raise UnreadableMmdb(path, "unreadable", error.strerror or str(error)) from None
    except maxminddb.InvalidDatabaseError:
        raise UnreadableMmdb(path, "not_mmdb") from None


def parse_networks(texts: Iterable[str]) -> list[Network]:
    """The organisation's registered ranges; raises ValueError naming a bad one."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"not an IP network: {text!r}") from error
    return networks
