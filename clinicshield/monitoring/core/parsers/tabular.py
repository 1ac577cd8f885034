"""CSV exports (firewall / NetFlow, or anything with a saved field mapping) and mapped JSON.

A *mapping* says which of our columns each source column fills::

    {"kind": "auth",
     "fields": {"ts": "login_time", "user": "username", "src_ip": "client_ip",
                "outcome": "result"},
     "values": {"outcome": {"OK": "success", "DENIED": "failure"}},
     "constants": {"app": "ehr"}}

Firewall and NetFlow CSVs need none: their usual column names (nfdump's ``ts, sa, da,
sp, dp, pr, ibyt, obyt``, or ``src_ip, dst_ip, bytes_out, ...``) map themselves to ``flow``.
CSV text is split by Arrow's CSV reader (multi-threaded, in C++), then one SQL query
renames and converts the columns.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants and from mapping names
# that are quoted here; file content reaches DuckDB only as Arrow data or parameters.

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from ..schema import SCHEMAS
from .base import NOT_BLANK, Batch, Parsed, connect, empty_rejects, timestamp_sql
from .context import Context
from .flow_columns import flow_mapping_for

_NUMERIC = {
    "src_port": "INTEGER",
    "dst_port": "INTEGER",
    "duration_s": "DOUBLE",
    "bytes_out": "BIGINT",
    "bytes_in": "BIGINT",
    "src_asn": "BIGINT",
    "src_lat": "DOUBLE",
    "src_lon": "DOUBLE",
    "dst_asn": "BIGINT",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_mapping(mapping: dict[str, Any], columns: list[str] | None = None) -> None:
    """Refuse a field mapping that names a kind, a field of ours, or (with ``columns``) a
    source column that does not exist, saying which."""
    kind = mapping.get("kind", "auth")
    if kind not in SCHEMAS:
        raise ValueError(
            f"the field mapping's kind {kind!r} is not one of: {', '.join(sorted(SCHEMAS))}"
        )
    ours = set(SCHEMAS[kind].names)
    for part in ("fields", "values", "constants"):
        unknown = sorted(set(mapping.get(part, {})) - ours)
        if unknown:
            raise ValueError(
                f"the field mapping's {part} name {', '.join(map(repr, unknown))}, not fields "
                f"of {kind} events ({', '.join(SCHEMAS[kind].names)})"
            )
    if columns is not None:
        missing = [c for c in mapping.get("fields", {}).values() if c not in columns]
        if missing:
            raise ValueError(
                f"the field mapping reads column(s) {', '.join(map(repr, missing))}, which this "
                f"file does not have; its columns: {', '.join(columns)[:300]}"
            )


def mapping_sql(mapping: dict[str, Any], source_expr: Any) -> str:
    """SELECT list turning mapped source columns into ours; ``source_expr(name)`` reads one."""
    check_mapping(mapping)
    kind = mapping.get("kind", "auth")
    schema = SCHEMAS[kind]
    fields: dict[str, str] = mapping.get("fields", {})
    values: dict[str, dict[str, str]] = mapping.get("values", {})
    constants: dict[str, Any] = mapping.get("constants", {})
    parts = []
    for ours in schema.names:
        if ours in ("source", "source_file", "record_ref"):
            continue
        if ours in fields:
            expr = f"nullif(trim(CAST({source_expr(fields[ours])} AS VARCHAR)), '')"
        elif ours in constants:
            expr = "'" + str(constants[ours]).replace("'", "''") + "'"
        else:
            continue
        if ours in values:
            cases = " ".join(
                f"WHEN '{k.replace(chr(39), '')}' THEN '{v.replace(chr(39), '')}'"
                for k, v in values[ours].items()
            )
            expr = f"(CASE {expr} {cases} ELSE {expr} END)"
        if ours == "ts":
            expr = timestamp_sql(expr)
        elif ours in ("user",):
            # As every parser: lower case, without DOMAIN\ or @domain (one person, one name).
            expr = f"lower(regexp_replace(regexp_replace({expr}, '^.*\\\\', ''), '@.*$', ''))"
        elif ours in _NUMERIC:
            expr = f"TRY_CAST({expr} AS {_NUMERIC[ours]})"
        parts.append(f"{expr} AS {_quote(ours)}")
    return ", ".join(parts)


def _read_csv(header: str, data: bytes, rejects: list[dict[str, Any]], first_row: int) -> pa.Table:
    columns = pacsv.read_csv(io.BytesIO(header.encode() + b"\n")).schema.names

    def on_invalid(row: Any) -> str:
        number = first_row + (row.number or 0)
        rejects.append({"record_ref": f"row {number}", "reason": "bad_csv_row", "raw": row.text})
        return "skip"

    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=columns),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in columns}),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
    )


def parse_csv(batch: Batch, context: Context, state: dict[str, Any]) -> Parsed:
    data = batch.data
    if "csv_header" not in state:
        first, _, data = data.partition(b"\n")
        state["csv_header"] = first.decode("utf-8", errors="replace").strip("\r\ufeff")
    header = str(state["csv_header"])
    mapping = context.options.get("mapping") or flow_mapping_for(header.split(","))
    if mapping is None:
        raise ValueError(f"no field mapping for a CSV with columns: {header[:200]}")
    row_base = int(state.get("csv_rows", 0))
    bad: list[dict[str, Any]] = []
    table = _read_csv(header, data, bad, row_base + 1)
    check_mapping(mapping, table.column_names)
    state["csv_rows"] = row_base + table.num_rows + len(bad)
    rows = table.append_column("_row", pa.array(range(row_base + 1, row_base + 1 + len(table))))
    con = connect()
    con.register("t", rows)
    select = mapping_sql(mapping, _quote)
    raw = " || ',' || ".join(f"coalesce({_quote(c)}, '')" for c in table.column_names) or "''"
    sql = f"SELECT {select}, 'row ' || _row AS record_ref, {raw} AS _raw FROM t"
    out = con.execute(sql, {"tz": context.timezone}).to_arrow_table()
    con.close()
    rejects = pa.Table.from_pylist(bad, schema=empty_rejects().schema) if bad else empty_rejects()
    return Parsed(kinds={mapping.get("kind", "auth"): out}, rejects=rejects)


def parse_json(batch: Batch, context: Context, state: dict[str, Any]) -> Parsed:
    """JSON lines with a saved mapping (``fields`` values are JSON paths like ``a.b``)."""
    mapping = context.options.get("mapping")
    if not mapping:
        raise ValueError("JSON lines of an unknown shape need a saved field mapping")

    def field(path: str) -> str:
        parts = (p.replace('"', "").replace("'", "''") for p in path.split("."))
        dotted = ".".join(f'"{p}"' for p in parts)
        return f"json_extract_string(line, '$.{dotted}')"

    con = connect()
    con.register("lines", batch.lines)
    sql = (
        f"SELECT {mapping_sql(mapping, field)}, $label || ' ' || line_no AS record_ref, "
        f"line_no AS _line_no FROM lines WHERE json_valid(line) AND {NOT_BLANK}"
    )
    out = con.execute(sql, {"tz": context.timezone, "label": batch.ref_label}).to_arrow_table()
    rejects = con.execute(
        "SELECT $label || ' ' || line_no AS record_ref, 'not_json' AS reason, line AS raw "
        f"FROM lines WHERE NOT json_valid(line) AND {NOT_BLANK}",
        {"label": batch.ref_label},
    ).to_arrow_table()
    con.close()
    return Parsed(kinds={mapping.get("kind", "auth"): out}, rejects=rejects)
