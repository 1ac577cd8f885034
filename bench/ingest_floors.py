"""DuckDB alone on the files of ``monitoring_ingest``: the peer each ingestion row is
compared with.

For each format, DuckDB reads the same file with its own reader (``read_csv`` for lines,
``read_json`` with the sign-in's columns, ``read_json_objects``), computes the same event
fields our parser stores (the same SQL expressions, taken from the parser modules, so the
two cannot drift apart) and writes them to Parquet, in a Python process that imports
nothing but DuckDB and lets it use every core. It does none of the rest of our command:
no Django, no checkpoints, no quarantine, no address enrichment, no partitioning by day.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants and bench paths.

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from clinicshield.monitoring.core.parsers import entra, syslog, windows

# The whole process is timed from outside, as our command is: Python, DuckDB, the query.
_RUN = (
    "import duckdb, json, sys\n"
    "con = duckdb.connect()\n"
    "con.execute(\"SET TimeZone = 'UTC'\")\n"
    'con.execute("SET enable_progress_bar = false")\n'
    "for sql, params in json.loads(sys.argv[1]):\n"
    "    con.execute(sql, params)\n"
)

# Each line of a text file as one VARCHAR column (a delimiter that never occurs).
_LINES = (
    "read_csv({path}, columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', quote = '', "
    "escape = '', header = false, auto_detect = false)"
)


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _syslog(path: Path, out: Path, year: int) -> list[tuple[str, dict]]:
    """RFC 3164 sign-ins: our parser's candidate filter, regular expression and fields.
    (No line numbers: our record_ref is a line number, DuckDB's reader has none.)"""
    lines = f"(SELECT 0::BIGINT AS line_no, line FROM {_LINES.format(path=_quoted(path))})"
    first_month = _first_month(path)
    year_expr = f"({year} + CASE WHEN month < {first_month} THEN 1 ELSE 0 END)"
    sql = syslog._AUTH_SQL.replace("{year_expr}", year_expr).replace("{fields}", syslog._FIELDS_SQL)
    sql = sql.replace("FROM lines WHERE", f"FROM {lines} AS lines WHERE", 1)
    params = {
        "tz": "UTC",
        "label": "line",
        "months": syslog._MONTHS,
        "r3164": syslog._HEADER_3164 + syslog._MESSAGE,
        "g3164": syslog._3164_GROUPS,
        "r5424": syslog._HEADER_5424 + syslog._MESSAGE,
        "g5424": syslog._5424_GROUPS,
    }
    return [(f"COPY ({sql}) TO {_quoted(out)} (FORMAT parquet)", params)]


def _first_month(path: Path) -> int:
    with open(path) as handle:
        first = handle.readline()
    return (syslog._MONTHS.index(first[:3]) // 3) + 1


def _duck_type(value: object) -> str:
    """A parser's JSON structure as a DuckDB type name (nested dicts are structs)."""
    if isinstance(value, dict):
        return "STRUCT(" + ", ".join(f'"{k}" {_duck_type(v)}' for k, v in value.items()) + ")"
    return str(value)


def _entra(path: Path, out: Path) -> list[tuple[str, dict]]:
    """Graph sign-ins, read by DuckDB's JSON reader with the columns our parser reads,
    then our parser's fields."""
    columns = {k: _duck_type(v) for k, v in entra.SIGN_IN.items()}
    flat = f"""
    SELECT 0::BIGINT AS line_no, false AS _bad,
      nullif(createdDateTime, '') AS created, nullif(userPrincipalName, '') AS upn,
      nullif(ipAddress, '') AS ip, nullif(status.errorCode, '') AS error,
      nullif(status.failureReason, '') AS reason, nullif(clientAppUsed, '') AS client,
      nullif(appDisplayName, '') AS app_name, nullif(isInteractive, '') AS interactive,
      nullif(deviceDetail.displayName, '') AS dev_name,
      nullif(deviceDetail.deviceId, '') AS dev_id,
      nullif(deviceDetail.browser, '') AS browser,
      nullif(deviceDetail.operatingSystem, '') AS os,
      nullif(location.city, '') AS city, nullif(location.countryOrRegion, '') AS country,
      location.geoCoordinates.latitude AS lat, location.geoCoordinates.longitude AS lon,
      NULL::VARCHAR AS caller_ip, NULL::VARCHAR AS result, NULL::VARCHAR AS "time",
      NULL::VARCHAR AS category
    FROM read_json({_quoted(path)}, format = 'newline_delimited', columns = {columns})
    """
    sql = entra._AUTH_SQL.replace("{flat}", flat)
    kept = f"SELECT * EXCLUDE (_bad, _keep) FROM ({sql}) WHERE _keep"
    return [(f"COPY ({kept}) TO {_quoted(out)} (FORMAT parquet)", {"label": "line"})]


def _winjson(path: Path, out: Path) -> list[tuple[str, dict]]:
    """Windows events as JSON lines: DuckDB's reader of JSON objects, then our parser's
    queries (the flat records once into a table, then auth, process and flow rows)."""
    lines = (
        "(SELECT 0::BIGINT AS line_no, json::VARCHAR AS line FROM "
        f"read_json_objects({_quoted(path)}, format = 'newline_delimited'))"
    )
    records = windows._RECORDS_SQL.replace("FROM lines)", f"FROM {lines})")
    flat = windows._FLAT_SQL.replace("{fields}", records)
    statements: list[tuple[str, dict]] = [(f"CREATE TEMP TABLE rec AS {flat}", {"tz": "UTC"})]
    for kind, sql in (
        ("auth", windows._AUTH_SQL),
        ("process", windows._process_sql(evtx=False)),
        ("flow", windows._FLOW_SQL),
    ):
        target = out.with_name(f"floor-winjson-{kind}.parquet")
        statements.append(
            (f"COPY ({sql}) TO {_quoted(target)} (FORMAT parquet)", {"label": "line"})
        )
    return statements


def run_floor(name: str, path: Path, work: Path, *, year: int = 2025) -> dict:
    """Time DuckDB alone (whole process) on ``path``; count the rows it wrote."""
    out = work / f"floor-{name}-auth.parquet"
    for old in work.glob(f"floor-{name}-*.parquet"):
        old.unlink()
    if name == "syslog":
        statements = _syslog(path, out, year)
    elif name == "entra":
        statements = _entra(path, out)
    elif name == "winjson":
        statements = _winjson(path, out)
    else:
        raise ValueError(f"no DuckDB-alone query for {name}")
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(statements)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - began
    written = duckdb.execute(
        "SELECT count(*) FROM read_parquet($glob)", {"glob": str(work / f"floor-{name}-*.parquet")}
    ).fetchone()
    return {"seconds": elapsed, "rows_written": int(written[0]) if written else 0}


def same_rows(name: str, work: Path, ours: Path, not_compared: set[str]) -> bool:
    """DuckDB alone's rows equal ours (the store under ``ours``), field by field, for each
    kind it wrote; fields in ``not_compared`` are left out."""
    con = duckdb.connect()
    for floor in sorted(work.glob(f"floor-{name}-*.parquet")):
        kind = floor.stem.rsplit("-", 1)[1]
        stored = str(ours / f"kind={kind}" / "*" / "*.parquet")
        if not list(ours.glob(f"kind={kind}/*/*.parquet")):  # we stored none of this kind
            if duckdb.execute(f"SELECT count(*) FROM '{floor}'").fetchone() != (0,):
                return False
            continue
        theirs = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM '{floor}'").fetchall()]
        mine = {c[0] for c in con.execute(f"DESCRIBE SELECT * FROM '{stored}'").fetchall()}
        fields = ", ".join(f'"{c}"' for c in theirs if c in mine - not_compared)
        for left, right in ((floor, stored), (stored, floor)):
            extra = con.execute(
                f"SELECT count(*) FROM (SELECT {fields} FROM '{left}' "
                f"EXCEPT ALL SELECT {fields} FROM '{right}')"
            ).fetchone()
            if not extra or extra[0]:
                return False
    return True
