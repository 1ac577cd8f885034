"""Reading the hive-partitioned Parquet event store as Ibis tables.

Layout: ``<data_dir>/events/org=<slug>/kind=<kind>/day=<YYYY-MM-DD>/*.parquet``.
A kind with no files yet reads as an empty table of its schema, so detectors never
special-case a fresh install.
"""

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..schema import SCHEMAS


def kind_dir(data_dir: Path | str, org_slug: str, kind: str) -> Path:
    return Path(data_dir) / "events" / f"org={org_slug}" / f"kind={kind}"


def event_table(con: Any, data_dir: Path | str, org_slug: str, kind: str) -> ir.Table:
    """All stored events of one kind for one organisation, with exactly the schema columns."""
    schema = SCHEMAS[kind]
    folder = kind_dir(data_dir, org_slug, kind)
    if not any(folder.glob("day=*/*.parquet")):
        return ibis.memtable(schema.empty_table())
    if con.name == "duckdb":
        # Partition values stay strings so that ``day`` filters prune files on any backend.
        table = con.read_parquet(
            str(folder / "day=*" / "*.parquet"), hive_partitioning=True, hive_types_autocast=False
        )
    else:
        # One view name per organisation and kind, replaced on every pass: a chain's Spark
        # session lives for days and would otherwise collect a view per read.
        table = con.read_parquet(str(folder), table_name=events_view_name(org_slug, kind))
    return conform(table, schema)


def events_view_name(org_slug: str, kind: str) -> str:
    """A SQL-safe view name for one organisation's events of one kind (slugs have hyphens;
    the digest keeps 'clinic-a' and 'clinic_a' apart)."""
    digest = hashlib.sha256(org_slug.encode()).hexdigest()[:10]
    safe = re.sub(r"[^a-z0-9]+", "_", org_slug.lower())[:40]
    return f"cs_events_{kind}_{safe}_{digest}"


def conform(table: ir.Table, schema: pa.Schema) -> ir.Table:
    """Exactly the schema's columns and types (extra columns dropped, missing ones null)."""
    target = ibis.schema(schema)
    columns = {}
    for name, dtype in target.items():
        if name in table.columns:
            column = table[name]
            # Cast only what differs (nullability aside): a cast on every row is not free
            # (the time column's alone was a quarter of reading years of daily files).
            same = column.type().copy(nullable=True) == dtype.copy(nullable=True)
            columns[name] = column if same else column.cast(dtype)
        else:
            columns[name] = ibis.null(dtype)
    if "day" in table.columns:
        columns["day"] = table["day"].cast("string")
    return table.select(**columns)


def between(table: ir.Table, start: datetime, end: datetime) -> ir.Table:
    """Events with start <= ts < end; the ``day`` partition column prunes files when present."""
    condition = (table.ts >= ibis.literal(start)) & (table.ts < ibis.literal(end))
    if "day" in table.columns:
        day_range = (table.day >= start.strftime("%Y-%m-%d")) & (
            table.day <= end.strftime("%Y-%m-%d")
        )
        condition = condition & day_range
    return table.filter(condition)
