"""A small event store of two days with many batch files each, written by the real
ingestion, and a reader that returns every stored event the way the detectors read them."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from clinicshield.monitoring.core import ingest, synthetic
from clinicshield.monitoring.core.parsers import Context

ORG = "clinic-a"
FIRST_DAY = datetime(2025, 3, 1, tzinfo=UTC)
SECOND_DAY = datetime(2025, 3, 5, tzinfo=UTC)


def fill(data_dir: Path, org: str = ORG) -> None:
    """Two logs of 6,000 lines, one on 2025-03-01 and one on 2025-03-05, read in 24 KiB
    batches: a few dozen files per day."""
    for name, start in (("first.log", FIRST_DAY), ("second.log", SECOND_DAY)):
        log = data_dir.parent / f"{data_dir.name}-{name}"
        synthetic.write_sshd_auth_log(log, 6_000, seed=len(name), start=start)
        ingest.ingest_file(
            log,
            data_dir=data_dir,
            org=org,
            fmt="syslog",
            source=name,
            context=Context(year=2025, batch_bytes=24 * 1024),
        )


def day_dir(data_dir: Path, day: str, org: str = ORG) -> Path:
    return data_dir / "events" / f"org={org}" / "kind=auth" / f"day={day}"


def events(data_dir: Path, org: str = ORG) -> list[tuple[Any, ...]]:
    """Every stored sign-in as a tuple, in one order (duplicates kept)."""
    glob = data_dir / "events" / f"org={org}" / "kind=auth" / "day=*" / "*.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    sql = (
        "SELECT * EXCLUDE (day) FROM read_parquet($glob, hive_partitioning = true, "
        "union_by_name = true) ORDER BY ALL"
    )
    table = con.execute(sql, {"glob": str(glob)}).to_arrow_table()
    return [tuple(row.values()) for row in table.to_pylist()]
