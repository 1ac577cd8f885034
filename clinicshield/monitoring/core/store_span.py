"""What span of time an organisation's event store holds: the days, and events outside a window.

Detection asks two questions of the store before and after a pass: from which day are there
events at all (a first pass judges everything stored, however old), and how many stored
events a window leaves out (``detect`` says so rather than report nothing in silence).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from .store_layout import events_root, folder_day


@dataclass(frozen=True)
class Outside:
    """Stored events before and after a span of time, with the oldest and newest of them."""

    before: int = 0
    oldest: datetime | None = None
    after: int = 0
    newest: datetime | None = None

    @property
    def total(self) -> int:
        return self.before + self.after


def store_clock(data_dir: Path, org: str) -> datetime:
    """Now, as the file system holding the store tells it: a marker file touched and read
    back. Folder times are compared with this, never with the machine's clock, which may
    differ from the clock of a store kept on another machine's disk."""
    root = events_root(data_dir, org)
    root.mkdir(parents=True, exist_ok=True)
    marker = root / ".looked"
    marker.touch()
    return datetime.fromtimestamp(marker.stat().st_mtime, UTC)


def stored_days(data_dir: Path, org: str) -> list[date]:
    """Every UTC day, of any kind of event, that has a folder holding event files."""
    root = events_root(data_dir, org)
    days = set()
    for day_dir in root.glob("kind=*/day=*") if root.exists() else ():
        day = folder_day(day_dir)
        if day is not None and any(day_dir.glob("*.parquet")):
            days.add(day)
    return sorted(days)


def earliest_day(data_dir: Path, org: str) -> date | None:
    days = stored_days(data_dir, org)
    return days[0] if days else None


def events_outside(data_dir: Path, org: str, start: datetime, end: datetime) -> Outside:
    """Stored events (every kind) with a time before ``start`` or from ``end`` on.

    Only the day folders at or beyond the edges are read: a day strictly inside the span
    cannot hold an event outside it (over years of daily files, reading them all again
    cost as much as a detection pass)."""
    first_day, last_day = start.date(), end.date()
    files = [
        str(path)
        for day in stored_days(data_dir, org)
        if day <= first_day or day >= last_day
        for path in events_root(data_dir, org).glob(f"kind=*/day={day.isoformat()}/*.parquet")
    ]
    if not files:
        return Outside()
    query = """
        SELECT count(*) FILTER (WHERE ts < $start), epoch_us(min(ts)),
               count(*) FILTER (WHERE ts >= $end), epoch_us(max(ts) FILTER (WHERE ts >= $end))
        FROM read_parquet($files, union_by_name = true)
        WHERE ts < $start OR ts >= $end
    """
    with duckdb.connect() as con:
        before, oldest, after, newest = con.execute(
            query, {"files": files, "start": start, "end": end}
        ).fetchone() or (0, None, 0, None)
    return Outside(
        before=before,
        oldest=_moment(oldest) if before else None,
        after=after,
        newest=_moment(newest),
    )


def _moment(epoch_us: int | None) -> datetime | None:
    # Microseconds, not DuckDB's TIMESTAMPTZ: turning that into Python needs pytz.
    return None if epoch_us is None else datetime.fromtimestamp(epoch_us / 1_000_000, UTC)
