"""Records we could not parse: kept with where they came from and why, never dropped.

Parsers return a table of rejected records (``record_ref``, ``reason``, ``raw``); the
ingestion run stamps it with the source and file and the store writes it under
``quarantine/org=<slug>/``. Reasons are codes; the web layer turns them into sentences.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from .store import QUARANTINE_SCHEMA, quarantine_root

RAW_LIMIT = 2000

# Reason codes a parser may give, with the sentence the web layer translates.
REASONS = {
    "not_syslog": "The line does not start with a syslog header (RFC 3164 or RFC 5424).",
    "not_json": "The record is not valid JSON.",
    "bad_timestamp": "The timestamp is missing or cannot be read.",
    "impossible_timestamp": "The timestamp is before 1990 or in the future.",
    "missing_field": "A field the format requires is missing.",
    "bad_csv_row": "The CSV row does not have the columns of the header.",
    "bad_evtx_record": "The .evtx record could not be decoded.",
}

EMPTY_REJECTS = pa.table(
    {
        "record_ref": pa.array([], pa.string()),
        "reason": pa.array([], pa.string()),
        "raw": pa.array([], pa.string()),
    }
)


def stamp(rejects: pa.Table, *, source: str, source_file: str) -> pa.Table:
    """Turn a parser's rejects into rows of the quarantine schema."""
    n = rejects.num_rows
    received = pa.array([datetime.now(UTC)] * n, pa.timestamp("us", tz="UTC"))
    raw = pa.array(
        [None if r is None else r.rstrip("\r\n")[:RAW_LIMIT] for r in rejects["raw"].to_pylist()],
        pa.string(),
    )
    return pa.table(
        {
            "received": received,
            "source": pa.array([source] * n, pa.string()),
            "source_file": pa.array([source_file] * n, pa.string()),
            "record_ref": rejects["record_ref"].cast(pa.string()),
            "reason": rejects["reason"].cast(pa.string()),
            "raw": raw,
        },
        schema=QUARANTINE_SCHEMA,
    )


def read(data_dir: Path, org: str, *, source: str | None = None, limit: int = 200) -> pa.Table:
    """The most recent quarantined records of an organisation (optionally of one source)."""
    root = quarantine_root(data_dir, org)
    if not root.exists() or not any(root.glob("*.parquet")):
        return QUARANTINE_SCHEMA.empty_table()
    con = duckdb.connect()
    where = "WHERE source = $source" if source else ""
    params = {"source": source} if source else {}
    sql = (
        f"SELECT * FROM read_parquet($glob) {where} "  # noqa: S608 - only our own fragments
        # The file read most recently first; inside a file, its records by position
        # ("line 2" before "line 10": the label, then its number).
        "ORDER BY max(received) OVER (PARTITION BY source_file) DESC, source_file, "
        "regexp_replace(record_ref, '\\d+$', ''), "
        "TRY_CAST(regexp_extract(record_ref, '\\d+$') AS BIGINT) LIMIT $limit"
    )
    return con.execute(
        sql, {"glob": str(root / "*.parquet"), "limit": limit, **params}
    ).to_arrow_table()


def count(data_dir: Path, org: str, *, source: str | None = None) -> int:
    root = quarantine_root(data_dir, org)
    if not root.exists() or not any(root.glob("*.parquet")):
        return 0
    con = duckdb.connect()
    if source:
        sql = "SELECT count(*) FROM read_parquet($glob) WHERE source = $source"
        row = con.execute(sql, {"glob": str(root / "*.parquet"), "source": source}).fetchone()
    else:
        sql = "SELECT count(*) FROM read_parquet($glob)"
        row = con.execute(sql, {"glob": str(root / "*.parquet")}).fetchone()
    return int(row[0]) if row else 0
