"""Fixtures for detector tests: a tiny Parquet event store written with pyarrow.

The store has the layout ingestion writes (``events/org=<slug>/kind=<kind>/day=<day>/``),
so these tests exercise the real reading path without waiting for the ingest code.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clinicshield.monitoring.core.detectors.events import event_table
from clinicshield.monitoring.core.schema import SCHEMAS

ORG = "clinic-a"
_file_numbers = itertools.count()


def write_events(data_dir: Path, kind: str, rows: Iterable[dict[str, Any]], org: str = ORG) -> int:
    """Write rows (missing columns stay null) as one Parquet file per day; returns the count."""
    schema = SCHEMAS[kind]
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["ts"].astimezone(UTC).strftime("%Y-%m-%d")].append(row)
    for day, day_rows in by_day.items():
        folder = data_dir / "events" / f"org={org}" / f"kind={kind}" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        columns = {f.name: [r.get(f.name) for r in day_rows] for f in schema}
        table = pa.Table.from_pydict(columns, schema=schema)
        pq.write_table(table, folder / f"part-{next(_file_numbers)}.parquet")
    return sum(len(v) for v in by_day.values())


def at(text: str) -> datetime:
    """'2025-03-03 08:15' as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def daily(
    start: datetime, days: int, hour: int, minute: int = 0, weekdays_only: bool = True
) -> list[datetime]:
    """One moment per day at the given UTC hour, skipping weekends unless told otherwise."""
    moments = []
    for offset in range(days):
        moment = (start + timedelta(days=offset)).replace(hour=hour, minute=minute)
        if weekdays_only and moment.weekday() >= 5:
            continue
        moments.append(moment)
    return moments


def signin(ts: datetime, user: str, **fields: Any) -> dict[str, Any]:
    row = {
        "ts": ts,
        "user": user,
        "outcome": "success",
        "logon_type": "interactive",
        "app": "windows",
    }
    row.update(fields)
    return row


@pytest.fixture
def con() -> Any:
    return ibis.duckdb.connect()


@pytest.fixture
def store(tmp_path: Path, con: Any) -> Callable[..., Any]:
    """``store(kind, rows)`` writes events; ``store.table(kind)`` reads them back through Ibis."""

    class Store:
        data_dir = tmp_path

        def __call__(self, kind: str, rows: Iterable[dict[str, Any]]) -> int:
            return write_events(tmp_path, kind, rows)

        def table(self, kind: str) -> Any:
            return event_table(con, tmp_path, ORG, kind)

    return Store()
