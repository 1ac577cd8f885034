"""Retention: an organisation's events (and quarantined records) older than a day, removed.

Whole day folders go, never rows inside a file: a day is removed in one rename (to a hidden
name readers do not glob) and then deleted, so a reader sees a day whole or not at all, and
a run stopped half-way is finished by the next. A quarantine file goes when its newest
record (the ``received`` statistics of its row groups) is older than the cut.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from .schema import SCHEMAS
from .store_compact import closed_days
from .store_layout import events_root, quarantine_root, store_lock


@dataclass
class RetentionResult:
    days: list[str] = field(default_factory=list)  # "kind/YYYY-MM-DD" removed
    quarantine_files: int = 0
    # "path: why" of each quarantine file that could not be read: kept, never removed
    quarantine_skipped: list[str] = field(default_factory=list)


class UnreadableFile(Exception):
    """A quarantine file whose statistics cannot be read (corrupt, truncated, not Parquet)."""


def _newest_received(path: Path) -> datetime | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as error:  # ArrowInvalid for a broken footer
        raise UnreadableFile(str(error)) from error
    if "received" not in metadata.schema.names:
        raise UnreadableFile("it has no 'received' column")
    index = metadata.schema.names.index("received")
    newest: datetime | None = None
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max:
            return None  # cannot tell: kept
        value = stats.max
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        newest = value if newest is None else max(newest, value)
    return newest


def remove_before(data_dir: Path, org: str, cut: date) -> RetentionResult:
    """Remove ``org``'s event days before ``cut`` and quarantine files wholly before it."""
    result = RetentionResult()
    root = events_root(data_dir, org)
    with store_lock(data_dir, org):
        for kind in SCHEMAS:
            kind_dir = root / f"kind={kind}"
            for leftover in kind_dir.glob(".day=*.expired"):  # a run stopped half-way
                shutil.rmtree(leftover, ignore_errors=True)
            for day, day_dir in list(closed_days(kind_dir, cut)) if kind_dir.exists() else []:
                hidden = kind_dir / f".{day_dir.name}.expired"
                os.replace(day_dir, hidden)
                shutil.rmtree(hidden)
                result.days.append(f"{kind}/{day.isoformat()}")
        cut_moment = datetime.combine(cut, datetime.min.time(), tzinfo=UTC)
        quarantine = quarantine_root(data_dir, org)
        for path in sorted(quarantine.glob("*.parquet")) if quarantine.exists() else []:
            try:
                newest = _newest_received(path)
            except UnreadableFile as unreadable:
                result.quarantine_skipped.append(f"{path}: {unreadable}")
                continue
            if newest is not None and newest < cut_moment:
                path.unlink()
                result.quarantine_files += 1
    return result
