"""The events behind an alert, read back from the store by their record references."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import ibis

from ..schema import SHOWN_COLUMNS
from ._rows import fetch
from .events import between, event_table

# Which event kind an alert kind reads; anything else is a sign-in.
EVENT_KINDS = {"clickfix": "process", "sigma": "process", "exfiltration": "flow"}
COLUMNS = SHOWN_COLUMNS


def alert_events(
    con: Any,
    data_dir: Path | str,
    org_slug: str,
    *,
    alert_kind: str,
    first_seen: datetime,
    last_seen: datetime,
    record_refs: list[str],
    user: str = "",
    src_ip: str = "",
    limit: int = 50,
) -> tuple[str, list[dict[str, Any]]]:
    """(event kind, rows): the events the alert cites, and the person's (or the source's)
    events between its first and last sighting, newest first."""
    kind = EVENT_KINDS.get(alert_kind, "auth")
    table = event_table(con, data_dir, org_slug, kind)
    # Lookback detectors (spray, travel, slow exfiltration) cite events before first_seen.
    span = between(table, first_seen - timedelta(days=31), last_seen + timedelta(seconds=1))
    during = span.ts >= ibis.literal(first_seen)
    conditions = []
    if record_refs:
        cited = span.record_ref.isin(record_refs[:200])
        if user and kind == "auth":
            cited = cited & (span.user == user)  # references repeat across files
        conditions.append(cited)
    if user and kind != "flow":
        conditions.append(during & (span.user == user))
    elif src_ip:
        conditions.append(during & (span.src_ip == src_ip))
    if not conditions:
        return kind, []
    chosen = span.filter(ibis.or_(*conditions))
    rows = fetch(con, chosen.select(*COLUMNS[kind]).order_by(ibis.desc("ts")).limit(limit))
    return kind, rows
