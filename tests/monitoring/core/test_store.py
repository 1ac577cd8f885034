"""The Parquet store: one file per kind and day, named after its batch; files of batches
beyond the checkpoint are removed so that they are written exactly once."""

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clinicshield.monitoring.core import store
from clinicshield.monitoring.core.schema import AUTH


def _auth(*days: int) -> pa.Table:
    rows = [{"ts": datetime(2026, 3, d, 12, tzinfo=UTC), "user": "ana"} for d in days]
    return pa.Table.from_pylist(rows, schema=AUTH)


def test_it_writes_one_file_per_day_under_the_hive_layout(tmp_path: Path) -> None:
    batch = store.BatchName("0123456789abcdef", 0, 100)
    assert store.append_events(tmp_path, "clinic-a", "auth", _auth(1, 1, 2), batch) == 3
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert files == [
        "events/org=clinic-a/kind=auth/day=2026-03-01/0123456789abcdef-000000000000000-000000000000100.parquet",
        "events/org=clinic-a/kind=auth/day=2026-03-02/0123456789abcdef-000000000000000-000000000000100.parquet",
    ]
    assert not list(tmp_path.rglob("*.tmp"))


def test_rows_out_of_time_order_reach_their_days_in_their_own_order(tmp_path: Path) -> None:
    days = [2, 1, 2, 1, 3, 2]
    rows = [
        {"ts": datetime(2026, 3, d, 12, tzinfo=UTC), "user": f"u{n}"} for n, d in enumerate(days)
    ]
    batch = store.BatchName("0123456789abcdef", 0, 6)
    table = pa.Table.from_pylist(rows, schema=AUTH)
    assert store.append_events(tmp_path, "clinic-a", "auth", table, batch) == 6
    root = tmp_path / "events/org=clinic-a/kind=auth"
    users = {
        folder.name: pq.read_table(next(folder.glob("*.parquet")))["user"].to_pylist()
        for folder in sorted(root.glob("day=*"))
    }
    assert users == {
        "day=2026-03-01": ["u1", "u3"],
        "day=2026-03-02": ["u0", "u2", "u5"],
        "day=2026-03-03": ["u4"],
    }


def _append_as_a_writer(tmp_path: Path, table: pa.Table, batch: store.BatchName) -> None:
    parts = store.event_parts(tmp_path, "clinic-a", "auth", table, batch)
    store.note_pending(tmp_path, "clinic-a", batch.source_key, [path for path, _t in parts])
    store.write_parts(parts)


def test_it_discards_only_batches_past_the_checkpoint_of_that_source(tmp_path: Path) -> None:
    key, other = "0123456789abcdef", "fedcba9876543210"
    _append_as_a_writer(tmp_path, _auth(1), store.BatchName(key, 0, 100))
    _append_as_a_writer(tmp_path, _auth(1), store.BatchName(key, 100, 200))
    _append_as_a_writer(tmp_path, _auth(1), store.BatchName(other, 100, 200))
    assert store.discard_uncommitted(tmp_path, "clinic-a", key, committed=100) == 1
    names = sorted(p.name[:20] for p in tmp_path.rglob("*.parquet"))
    assert names == ["0123456789abcdef-000", "fedcba9876543210-000"]


def test_once_a_source_has_a_list_a_file_on_no_list_is_never_removed(tmp_path: Path) -> None:
    key = "0123456789abcdef"
    assert store.discard_uncommitted(tmp_path, "clinic-a", key, committed=0) == 0  # its list
    store.append_events(tmp_path, "clinic-a", "auth", _auth(1), store.BatchName(key, 100, 200))
    assert store.discard_uncommitted(tmp_path, "clinic-a", key, committed=100) == 0
    assert len(list(tmp_path.rglob("*.parquet"))) == 1


def test_a_crash_left_over_from_before_pending_lists_is_removed_once(tmp_path: Path) -> None:
    """A store written before batches kept lists: its first run walks the store for the
    source's files past the checkpoint (and their temporary copies), then keeps a list."""
    key, other = "0123456789abcdef", "fedcba9876543210"
    store.append_events(tmp_path, "clinic-a", "auth", _auth(1), store.BatchName(key, 0, 100))
    store.append_events(tmp_path, "clinic-a", "auth", _auth(2), store.BatchName(key, 100, 200))
    store.append_events(tmp_path, "clinic-a", "auth", _auth(2), store.BatchName(other, 100, 200))
    day = tmp_path / "events/org=clinic-a/kind=auth/day=2026-03-03"
    day.mkdir(parents=True)
    half_written = day / f".{key}-000000000000200-000000000000300.parquet.tmp"
    half_written.write_bytes(b"PAR1")

    assert store.discard_uncommitted(tmp_path, "clinic-a", key, committed=100) == 1

    names = sorted(p.name[:20] for p in tmp_path.rglob("*.parquet"))
    assert names == ["0123456789abcdef-000", "fedcba9876543210-000"]
    assert not half_written.exists()
    assert store.discard_uncommitted(tmp_path, "clinic-a", key, committed=100) == 0


def test_it_refuses_a_slug_that_could_escape_the_store(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="slug"):
        store.events_root(tmp_path, "../other")


def test_quarantined_records_are_read_in_line_order_before_the_limit(tmp_path: Path) -> None:
    from clinicshield.monitoring.core import quarantine

    refs = [f"line {n}" for n in range(1, 13)]
    rejects = pa.table({"record_ref": refs, "reason": ["not_syslog"] * 12, "raw": ["x"] * 12})
    stamped = quarantine.stamp(rejects, source="syslog", source_file="/var/log/auth.log")
    store.append_quarantine(tmp_path, "clinic-a", stamped, store.BatchName("0" * 16, 0, 12))
    first = quarantine.read(tmp_path, "clinic-a", limit=3)
    assert first["record_ref"].to_pylist() == ["line 1", "line 2", "line 3"]  # not 1, 10, 11
