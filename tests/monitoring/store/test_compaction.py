"""Compaction of closed days: one sorted file per day, the same events, nothing touched
that is still being written, and nothing that crash recovery or ``detect`` mistakes."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq

from clinicshield.monitoring.core import checkpoint, store_layout
from clinicshield.monitoring.core.schema import AUTH
from clinicshield.monitoring.core.store_compact import compact_store
from tests.monitoring.store.helpers import ORG, day_dir, events, fill


def test_it_merges_each_closed_day_into_one_sorted_file_with_the_same_events(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    fill(data)
    before = events(data)
    files_before = len(list(day_dir(data, "2025-03-01").glob("*.parquet")))
    assert files_before > 10

    result = compact_store(data, ORG, date(2025, 3, 4))

    assert (result.days, result.files_before, result.files_after) == (1, files_before, 1)
    (merged,) = day_dir(data, "2025-03-01").glob("*.parquet")
    assert merged.name.startswith("compacted-")
    assert events(data) == before
    assert len(list(day_dir(data, "2025-03-05").glob("*.parquet"))) > 10  # not closed yet
    table = pq.read_table(merged)
    assert table.schema.names == AUTH.names
    assert [f.type for f in table.schema] == [f.type for f in AUTH]
    keys = list(zip(table["source"].to_pylist(), table["ts"].to_pylist(), strict=True))
    assert keys == sorted(keys)
    assert result.rows == table.num_rows


def test_running_it_again_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data)
    compact_store(data, ORG, date(2025, 3, 10))
    (merged,) = day_dir(data, "2025-03-01").glob("*.parquet")

    again = compact_store(data, ORG, date(2025, 3, 10))

    assert again.days == 0
    assert list(day_dir(data, "2025-03-01").glob("*.parquet")) == [merged]


def test_it_leaves_a_day_with_uncommitted_batches_alone(tmp_path: Path) -> None:
    """A crashed ingest's files past its checkpoint are removed by that source's next run:
    merged, they could no longer be."""
    data = tmp_path / "data"
    fill(data)
    cp = next(c for c in checkpoint.load_all(data, ORG) if c.source == "first.log")
    a_batch = next(day_dir(data, "2025-03-01").glob(f"{cp.key}-*.parquet"))
    leftover = store_layout.BatchName(cp.key, cp.position, cp.position + 100).stem()
    shutil.copy(a_batch, a_batch.with_name(f"{leftover}.parquet"))
    files = sorted(day_dir(data, "2025-03-01").glob("*.parquet"))

    result = compact_store(data, ORG, date(2025, 3, 4))

    assert result.days == 0
    assert result.skipped == ["auth/2025-03-01: holds batches not yet committed"]
    assert sorted(day_dir(data, "2025-03-01").glob("*.parquet")) == files


def test_crash_recovery_of_ingest_never_removes_a_compacted_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data)
    compact_store(data, ORG, date(2025, 3, 4))
    before = events(data)

    for cp in checkpoint.load_all(data, ORG):
        store_layout.discard_uncommitted(data, ORG, cp.key, 0)  # as if nothing committed

    assert len(list(day_dir(data, "2025-03-01").glob("compacted-*.parquet"))) == 1
    compacted_rows = [row for row in before if row[0].date() == date(2025, 3, 1)]
    assert events(data) == compacted_rows


def test_detect_does_not_take_a_compacted_day_for_late_events(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data)
    folder = day_dir(data, "2025-03-01")
    looked = datetime.fromtimestamp(folder.stat().st_mtime + 1, UTC)
    mtime = folder.stat().st_mtime_ns

    compact_store(data, ORG, date(2025, 3, 4))

    assert folder.stat().st_mtime_ns == mtime
    assert store_layout.earliest_day_changed_since(data, ORG, looked) is None
