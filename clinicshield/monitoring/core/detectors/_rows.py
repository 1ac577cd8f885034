"""Small helpers shared by detectors: running an expression, shaping values for params."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:  # Ibis loads with the detectors, not with every importer of Finding
    import ibis.expr.types as ir


def fetch(con: Any, expr: ir.Table) -> list[dict[str, Any]]:
    """Execute on the given backend and return plain rows (findings are few)."""
    return utc_aware(con.to_pyarrow(expr)).to_pylist()


def utc_aware(table: pa.Table) -> pa.Table:
    """Timestamps marked UTC. Spark returns them without a zone (its session time zone,
    which ``engines`` sets to UTC, is implied); DuckDB already marks them."""
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type) and column.type.tz is None:
            utc = pa.timestamp(column.type.unit, tz="UTC")
            table = table.set_column(index, column.name, table.column(index).cast(utc))
    return table


def text(value: object) -> str:
    return "" if value is None else str(value)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def left_join(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """Left join on equal key names, keeping the left keys only (Ibis would keep both)."""
    renamed = right.rename({f"_right_{key}": key for key in keys})
    predicates = [left[key] == renamed[f"_right_{key}"] for key in keys]
    joined = left.left_join(renamed, predicates)
    return joined.drop(*[f"_right_{key}" for key in keys])


def only(table: ir.Table, column: str, values: list[Any]) -> ir.Table:
    """Rows whose ``column`` is one of ``values``; long lists join a small table instead of
    becoming a huge IN (...) that is slow to compile and to run."""
    if len(values) <= 50:
        return table.filter(table[column].isin(values))
    import ibis

    wanted = ibis.memtable({"_wanted": values}).distinct()
    return table.semi_join(wanted, table[column] == wanted._wanted)
