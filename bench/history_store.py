"""A clinic's years of history as the event store holds it, for the long-window benchmark.

Forty-odd people sign in on weekdays within their shift for years (a few failures, a few
sign-ins from abroad, now and then a night), and their workstations and a backup server
send flows out; all of it spread over ``years`` years ending on a fixed day, written as the
store's hive-partitioned Parquet (one file per kind and day). Seeded: the same arguments
give the same store.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from clinicshield.monitoring.core.schema import AUTH, FLOW

END = datetime(2026, 12, 1, tzinfo=UTC)
DAY_US = 86_400 * 1_000_000
ABROAD = [
    ("PT", 38.7, -9.1, "2.80.0.9"),
    ("FR", 48.9, 2.3, "90.84.1.7"),
    ("NG", 6.5, 3.4, "105.112.7.9"),
]


def first_day(years: int) -> datetime:
    return END - timedelta(days=round(365.25 * years))


def write_history(folder: Path, org: str, events: int, years: int, seed: int = 11) -> dict:
    """Writes about ``events`` events (nine sign-ins for every flow); returns the counts."""
    rng = np.random.default_rng(seed)
    start = first_day(years)
    days = (END - start).days
    weekdays = [d for d in range(days) if (start + timedelta(days=d)).weekday() < 5]
    per_day = max(1, events // len(weekdays))
    users = np.array([f"staff{n:02d}@clinic.example" for n in range(42)])
    shift = rng.choice([7, 8, 8, 9, 14], len(users))
    counts = {"auth": 0, "flow": 0}
    for day in weekdays:
        moment = start + timedelta(days=day)
        base = int(moment.timestamp() * 1_000_000)
        signins = per_day * 9 // 10
        auth = _signins(rng, users, shift, base, signins)
        flows = _flows(rng, base, per_day - signins)
        for kind, table in (("auth", auth), ("flow", flows)):
            target = folder / "events" / f"org={org}" / f"kind={kind}" / f"day={moment:%Y-%m-%d}"
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target / "part-0.parquet", compression="zstd")
            counts[kind] += table.num_rows
    return counts


def _signins(
    rng: np.random.Generator, users: np.ndarray, shift: np.ndarray, base: int, size: int
) -> pa.Table:
    who = rng.integers(0, len(users), size)
    night = rng.random(size) < 0.002
    hours = np.where(night, rng.integers(0, 5, size), shift[who] + rng.integers(0, 7, size))
    ts = np.sort(base + (hours * 3600 + rng.integers(0, 3600, size)) * 1_000_000)
    abroad = rng.random(size) < 0.0005
    place = rng.integers(0, len(ABROAD), size)
    columns = {
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "user": pa.array(users[who]),
        "outcome": pa.array(np.where(rng.random(size) < 0.03, "failure", "success")),
        "logon_type": pa.array(np.full(size, "interactive")),
        "src_ip": pa.array(np.where(abroad, np.array([a[3] for a in ABROAD])[place], "83.44.0.1")),
        "src_country": pa.array(np.where(abroad, np.array([a[0] for a in ABROAD])[place], "ES")),
        "src_lat": pa.array(np.where(abroad, np.array([a[1] for a in ABROAD])[place], 40.4)),
        "src_lon": pa.array(np.where(abroad, np.array([a[2] for a in ABROAD])[place], -3.7)),
        "host": pa.array(np.full(size, "ehr")),
        "device": pa.array(np.char.add("WS-", (who % 20).astype(str))),
        "app": pa.array(np.full(size, "ehr")),
        "record_ref": pa.array(np.char.add(f"{base}:", np.arange(size).astype(str))),
    }
    return _table(AUTH, columns, size)


def _flows(rng: np.random.Generator, base: int, size: int) -> pa.Table:
    """Workstations browse; the backup server sends its nightly copy to one address."""
    backup = rng.random(size) < 0.05
    host = np.where(
        backup, "10.0.0.2", np.char.add("10.0.1.", rng.integers(2, 40, size).astype(str))
    )
    sent = np.where(
        backup, rng.integers(200, 400, size) * 1024**2, rng.integers(1, 500, size) * 1024
    )
    columns = {
        "ts": pa.array(np.sort(base + rng.integers(0, DAY_US, size)), pa.timestamp("us", tz="UTC")),
        "src_ip": pa.array(host),
        "dst_ip": pa.array(np.where(backup, "198.51.100.20", "203.0.113.80")),
        "dst_port": pa.array(np.full(size, 443)),
        "bytes_out": pa.array(sent),
        "bytes_in": pa.array(rng.integers(1, 2000, size) * 1024),
        "record_ref": pa.array(np.char.add(f"f{base}:", np.arange(size).astype(str))),
    }
    return _table(FLOW, columns, size)


def _table(schema: pa.Schema, columns: dict, size: int) -> pa.Table:
    return pa.table(
        {
            f.name: columns[f.name].cast(f.type) if f.name in columns else pa.nulls(size, f.type)
            for f in schema
        },
        schema=schema,
    )
