"""Reading the store for people: events per day, and a search over stored events.

Plain DuckDB over the Parquet files (the partition column ``day`` prunes what is read).
Every value a person types is a bound parameter; column names come from the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .parsers.base import connect
from .schema import SCHEMAS, SHOWN_COLUMNS
from .store import kind_glob

# What the search shows for each kind, in order.
COLUMNS = SHOWN_COLUMNS
# Free text matches any of these.
TEXT_COLUMNS = {
    "auth": ["user", "host", "device", "app", "event_code", "failure_reason"],
    "process": ["image", "command_line", "parent_image", "target_object", "details", "user"],
    "flow": ["service", "host", "proto"],
}


@dataclass
class Query:
    kind: str = "auth"
    user: str = ""
    ip: str = ""
    host: str = ""
    text: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    source: str = ""
    limit: int = 200


def _has_files(data_dir: Path, org: str, kind: str) -> bool:
    folder = Path(kind_glob(data_dir, org, kind)).parents[1]
    return folder.exists() and any(folder.glob("day=*/*.parquet"))


def events_per_day(
    data_dir: Path, org: str, *, today: date, days: int = 30
) -> list[dict[str, Any]]:
    """Rows ``{day, source, kind, events}`` over the last ``days`` days, oldest first."""
    first = (today - timedelta(days=days - 1)).isoformat()
    rows: list[dict[str, Any]] = []
    con = connect()
    for kind in SCHEMAS:
        if not _has_files(data_dir, org, kind):
            continue
        found = con.execute(
            "SELECT day, source, count(*) FROM read_parquet($glob, hive_partitioning = true, "
            "hive_types_autocast = false) WHERE day >= $first GROUP BY ALL ORDER BY day, source",
            {"glob": kind_glob(data_dir, org, kind), "first": first},
        ).fetchall()
        rows += [{"day": d, "source": s, "kind": kind, "events": n} for d, s, n in found]
    con.close()
    return sorted(rows, key=lambda r: (r["day"], r["source"] or "", r["kind"]))


def search(data_dir: Path, org: str, query: Query) -> list[dict[str, Any]]:
    """The newest events matching ``query`` (at most ``query.limit``)."""
    if query.kind not in SCHEMAS or not _has_files(data_dir, org, query.kind):
        return []
    where, params = ["true"], {"glob": kind_glob(data_dir, org, query.kind)}
    if query.since:
        where.append("day >= $since")
        params["since"] = query.since.isoformat()
    if query.until:
        where.append("day <= $until")
        params["until"] = query.until.isoformat()
    if query.user and "user" in SCHEMAS[query.kind].names:
        where.append('lower("user") = lower($user)')
        params["user"] = query.user
    if query.ip:
        ips = ["src_ip", "dst_ip"] if query.kind == "flow" else ["src_ip"]
        where.append("(" + " OR ".join(f"{c} = $ip" for c in ips) + ")")
        params["ip"] = query.ip
    if query.host:
        where.append("host ILIKE $host")
        params["host"] = f"%{query.host}%"
    if query.source:
        where.append("source = $source")
        params["source"] = query.source
    if query.text:
        texts = TEXT_COLUMNS[query.kind]
        where.append("(" + " OR ".join(f'"{c}" ILIKE $text' for c in texts) + ")")
        params["text"] = f"%{query.text}%"
    columns = ", ".join(f'"{c}"' for c in COLUMNS[query.kind])
    sql = (
        f"SELECT {columns} FROM read_parquet($glob, hive_partitioning = true, "  # noqa: S608
        f"hive_types_autocast = false) WHERE {' AND '.join(where)} "
        f"ORDER BY ts DESC LIMIT {int(query.limit)}"
    )
    con = connect()
    table = con.execute(sql, params).to_arrow_table()
    con.close()
    return table.to_pylist()


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
