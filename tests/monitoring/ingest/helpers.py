"""Small helpers for ingestion tests: run the real ingestion into a temporary store and
read back what it stored, with DuckDB, the way the detectors read it."""

from pathlib import Path
from typing import Any

import duckdb

from clinicshield.monitoring.core import ingest
from clinicshield.monitoring.core.parsers import Context

ORG = "clinic-a"
FIXTURES = Path(__file__).parent / "fixtures"


def run(data_dir: Path, path: Path, fmt: str = "auto", **context: Any) -> ingest.IngestResult:
    source = context.pop("source", None)
    return ingest.ingest_file(
        path, data_dir=data_dir, org=ORG, fmt=fmt, source=source, context=Context(**context)
    )


def stored(data_dir: Path, kind: str, order: str = "ts") -> list[dict[str, Any]]:
    folder = data_dir / "events" / f"org={ORG}" / f"kind={kind}"
    if not any(folder.glob("day=*/*.parquet")):
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    assert order.isidentifier()
    sql = f"SELECT * EXCLUDE (day) FROM read_parquet($glob, hive_partitioning = true) ORDER BY {order}"  # noqa: S608, E501 - a column name checked above
    table = con.execute(sql, {"glob": f"{folder}/day=*/*.parquet"}).to_arrow_table()
    return table.to_pylist()


def quarantined(data_dir: Path) -> list[dict[str, Any]]:
    folder = data_dir / "quarantine" / f"org={ORG}"
    if not any(folder.glob("*.parquet")):
        return []
    con = duckdb.connect()
    sql = "SELECT * FROM read_parquet($glob) ORDER BY source_file, record_ref"
    return con.execute(sql, {"glob": f"{folder}/*.parquet"}).to_arrow_table().to_pylist()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path
