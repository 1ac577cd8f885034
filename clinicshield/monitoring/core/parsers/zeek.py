"""Zeek ``conn.log`` -> ``flow``: JSON lines (``id.orig_h`` or ``id_orig_h``) or TSV.

The TSV form starts with ``#separator``/``#fields`` lines; the column list is remembered
in the checkpoint state, so a file read again from the middle still knows its columns.
``-`` is Zeek's unset value. ``orig_bytes`` (sent by the originator) is ``bytes_out``.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants; file content only
# ever reaches DuckDB as bound parameters or Arrow data, never as SQL text.

from __future__ import annotations

from typing import Any

from .base import NOT_BLANK, Batch, Parsed, connect, timestamp_sql
from .context import Context

# Our column <- Zeek field (dots; JSON writers may replace them with underscores).
FIELDS = {
    "ts": "ts",
    "src_ip": "id.orig_h",
    "src_port": "id.orig_p",
    "dst_ip": "id.resp_h",
    "dst_port": "id.resp_p",
    "proto": "proto",
    "service": "service",
    "duration": "duration",
    "orig_bytes": "orig_bytes",
    "resp_bytes": "resp_bytes",
    "system": "_system_name",
    "system2": "@system",
}

_SELECT = f"""
SELECT {timestamp_sql("ts")} AS ts,
  src_ip, TRY_CAST(src_port AS INTEGER) AS src_port,
  dst_ip, TRY_CAST(dst_port AS INTEGER) AS dst_port,
  proto, service, TRY_CAST(duration AS DOUBLE) AS duration_s,
  TRY_CAST(orig_bytes AS BIGINT) AS bytes_out, TRY_CAST(resp_bytes AS BIGINT) AS bytes_in,
  coalesce(system, system2) AS host,
  $label || ' ' || line_no AS record_ref, line_no AS _line_no
FROM z
"""


def _json_view() -> str:
    paths = []
    for name, field in FIELDS.items():
        dotted = f"'$.\"{field}\"'"
        underscored = f"'$.\"{field.replace('.', '_')}\"'"
        paths.append(
            f"nullif(coalesce(json_extract_string(line, {dotted}), "
            f"json_extract_string(line, {underscored})), '-') AS {name}"
        )
    return (
        "CREATE OR REPLACE TEMP VIEW z AS SELECT line_no, line, "
        + ", ".join(paths)
        + " FROM lines WHERE starts_with(ltrim(line), '{') AND json_valid(line)"
    )


def _tsv_view(fields: list[str]) -> str:
    columns = []
    for name, field in FIELDS.items():
        if field in fields:
            index = fields.index(field) + 1
            columns.append(f"nullif(nullif(p[{index}], '-'), '(empty)') AS {name}")
        else:
            columns.append(f"NULL AS {name}")
    return (
        "CREATE OR REPLACE TEMP VIEW z AS SELECT line_no, line, "
        + ", ".join(columns)
        + " FROM (SELECT line_no, line, string_split(line, chr(9)) AS p FROM lines "
        "WHERE NOT starts_with(line, '#') AND NOT starts_with(ltrim(line), '{') "
        "AND trim(line, chr(32) || chr(9) || chr(13) || chr(10)) <> '')"
    )


def _remember_fields(con: Any, state: dict[str, Any]) -> None:
    row = con.execute(
        "SELECT line FROM lines WHERE starts_with(line, '#fields') ORDER BY line_no LIMIT 1"
    ).fetchone()
    if row:
        state["zeek_fields"] = row[0].split("\t")[1:]


def parse(batch: Batch, context: Context, state: dict[str, Any]) -> Parsed:
    con = connect()
    con.register("lines", batch.lines)
    _remember_fields(con, state)
    params = {"label": batch.ref_label, "tz": context.timezone}
    fields = state.get("zeek_fields")
    if fields:
        con.execute(_tsv_view(list(fields)))
        rejects_sql = (
            "SELECT $label || ' ' || line_no AS record_ref, 'bad_timestamp' AS reason, "
            "line AS raw FROM lines WHERE false"
        )
    else:
        con.execute(_json_view())
        rejects_sql = (
            "SELECT $label || ' ' || line_no AS record_ref, 'not_json' AS reason, line AS raw "
            f"FROM lines WHERE {NOT_BLANK} AND NOT starts_with(line, '#') "
            "AND NOT json_valid(line)"
        )
    flow = con.execute(_SELECT, params).to_arrow_table()
    rejects = con.execute(rejects_sql, {"label": batch.ref_label}).to_arrow_table()
    con.close()
    return Parsed(kinds={"flow": flow}, rejects=rejects)
