"""What a parser is told beyond the bytes. Plain data: ``ingest`` builds it before it
knows whether a file has anything new, so it loads nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Large enough that per-batch costs (queries, one Parquet file per day) fade, small enough
# that two batches keep two cores busy: 16 MiB measured 6-10 % faster than 8 on Entra.
BATCH_BYTES = 16 * 1024 * 1024
# Batches parsed at the same time: one per core of the small box this is sized for.
PARALLEL_BATCHES = 2


@dataclass
class Context:
    """What a parser needs to know beyond the bytes: how to read local, year-less times."""

    year: int | None = None  # --year: the year of the first line of a year-less log
    timezone: str = "UTC"  # --timezone: the zone of timestamps that carry none
    file_mtime: datetime | None = None  # decides the year when --year is not given
    options: dict[str, Any] = field(default_factory=dict)  # format-specific (CSV mapping, ...)
    batch_bytes: int = BATCH_BYTES  # how much of a line file one batch holds
