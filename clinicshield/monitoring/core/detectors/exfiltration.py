"""exfiltration: bytes a host sends to one outside destination, against the host's own past.

Two shapes of theft, two checks:

- daily: on one day a host sends a destination far more than it usually sends in a day
  (``exfil_daily_factor`` times its usual daily total, and at least ``exfil_daily_min_bytes``);
- slow: over the last ``exfil_slow_days`` a host keeps sending one destination, day after day,
  much more than it used to (``exfil_slow_factor``), adding up to ``exfil_slow_min_bytes``;
  no single day stands out, which is how the DaVita data left in 2025 (see
  :mod:`.exfiltration_slow`).

Days are UTC days. The host is the flow's originator and must be inside the organisation
(``exfil_internal_prefixes``); destinations inside those prefixes, or enriched as
"internal", are never counted. A host is judged once its outbound flows go back
``learning_days``; its usual day is what it sent over the days it has been seen (at most
the baseline), so the first weeks of a new store or host do not all look unusual.

A pass may cover an hour or years of imported logs: every UTC day ``d`` the window touches
is judged against the days before ``d``, as if it had been watched live. The flows are
grouped once per host and day and per host, destination and day; window functions over day
numbers give each day its past, so a pass is two queries whatever its length.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch, text
from .baselines import kept_for_the_pass
from .context import DetectionContext
from .events import between
from .findings import Finding
from .localtime import epoch_seconds

SECONDS_PER_DAY = 86400


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 (UTC) of a moment."""
    return int(moment.timestamp()) // SECONDS_PER_DAY


def judged_days(ctx: DetectionContext) -> tuple[int, int]:
    """The first and last UTC day (inclusive) that the window [start, end) touches."""
    last = ctx.end - timedelta(microseconds=1)
    return day_number(ctx.start), day_number(last)


def _is_internal(address: ir.StringValue, prefixes: tuple[str, ...]) -> ir.BooleanValue:
    # One anchored, case-blind regular expression (RE2 on DuckDB, Java's on Spark) costs a
    # quarter of twenty ``lower().startswith()`` per address.
    pattern = "(?i)^(" + "|".join(re.escape(prefix) for prefix in prefixes) + ")"
    return address.re_search(pattern)


def outbound(
    con: Any, flow: ir.Table, ctx: DetectionContext, start: datetime, end: datetime
) -> ir.Table:
    """Flows from an inside host to an outside destination, with a UTC day number."""
    prefixes = ctx.settings.exfil_internal_prefixes
    needed = ["ts", "day", "src_ip", "dst_ip", "bytes_out", "dst_country", "record_ref"]
    rows = between(flow.select(*[c for c in needed if c in flow.columns]), start, end)
    rows = rows.filter(
        rows.src_ip.notnull()
        & rows.dst_ip.notnull()
        & (rows.bytes_out > 0)
        & _is_internal(rows.src_ip, prefixes)
        & ~_is_internal(rows.dst_ip, prefixes)
        & (rows.dst_country.isnull() | (rows.dst_country != "internal"))
    )
    return rows.mutate(day_number=epoch_seconds(con, rows.ts) // SECONDS_PER_DAY)


def destination_days(con: Any, flow: ir.Table, ctx: DetectionContext, reach: int) -> ir.Table:
    """One row per host, destination and day, from ``reach`` days before the window's first
    day to its end: bytes, flows, first and last flow (with the first one's reference) and
    the flows inside the window itself (``new_flows``, what an alert that grows adds)."""
    first_day, _last_day = judged_days(ctx)
    read_from = datetime.fromtimestamp((first_day - reach) * SECONDS_PER_DAY, UTC)
    rows = outbound(con, flow, ctx, read_from, ctx.end)
    return rows.group_by(host="src_ip", destination="dst_ip", day="day_number").aggregate(
        bytes=rows.bytes_out.sum(),
        first_seen=rows.ts.min(),
        last_seen=rows.ts.max(),
        count=rows.count(),
        new_flows=rows.count(where=rows.ts >= ibis.literal(ctx.start)),
        record_ref=rows.record_ref.argmin(rows.ts),
    )


def host_days(per_destination: ir.Table) -> ir.Table:
    """One row per host and day: all it sent outside that day."""
    return per_destination.group_by("host", "day").aggregate(host_bytes=per_destination.bytes.sum())


def detect_exfiltration(con: Any, flow: ir.Table, ctx: DetectionContext) -> list[Finding]:
    # The slow check builds on this module; it reads further back than the daily one.
    from .exfiltration_slow import reach, slow_transfers

    # Both checks read the same days: the store is read and grouped once (over years of
    # daily files, reading them is most of the pass).
    days = destination_days(con, flow, ctx, max(ctx.settings.exfil_baseline_days, reach(ctx)))
    with kept_for_the_pass(con, "cs_flow_days", days) as per_destination:
        return _daily_spikes(con, per_destination, ctx) + slow_transfers(con, per_destination, ctx)


def usual_day(hosts: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Each host day with what the host usually sent in a day before it: its total over the
    ``exfil_baseline_days`` before, divided by the days since its first flow among them
    (``known_days``, null when it sent nothing then)."""
    baseline = ctx.settings.exfil_baseline_days
    before = ibis.window(group_by="host", order_by="day", range=(-baseline, -1))
    hosts = hosts.mutate(
        first_known=hosts.day.min().over(before), past_bytes=hosts.host_bytes.sum().over(before)
    )
    known_days = hosts.day - hosts.first_known
    return hosts.mutate(known_days=known_days, usual_bytes=hosts.past_bytes / known_days)


def judged(rows: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Rows of hosts past their learning only, unless ``learning_days`` is 0: then a host
    without any history is judged too, against a usual day of nothing."""
    learning = ctx.settings.learning_days
    if learning > 0:
        rows = rows.filter(rows.known_days >= learning)
    return rows.mutate(usual_bytes=rows.usual_bytes.fill_null(0.0))


def in_window(rows: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Days the window judges that have flows inside the window (the rest was judged by an
    earlier pass)."""
    first_day, last_day = judged_days(ctx)
    return rows.filter(
        rows.day.between(first_day, last_day) & (rows.last_seen >= ibis.literal(ctx.start))
    )


def _daily_spikes(con: Any, per_destination: ir.Table, ctx: DetectionContext) -> list[Finding]:
    """``per_destination`` is ``destination_days`` from at least ``exfil_baseline_days``
    before the window."""
    settings = ctx.settings
    usual = usual_day(host_days(per_destination), ctx).select(
        "host", "day", "known_days", "usual_bytes"
    )
    days = in_window(per_destination, ctx)
    compared = judged(days.inner_join(usual, ["host", "day"]), ctx)
    spikes = compared.filter(
        (compared.bytes >= settings.exfil_daily_min_bytes)
        & (compared.bytes >= compared.usual_bytes * settings.exfil_daily_factor)
    )
    findings = []
    for row in fetch(con, spikes.order_by(["host", "destination", "day"])):
        day = datetime.fromtimestamp(row["day"] * SECONDS_PER_DAY, UTC).date().isoformat()
        params = {
            "host": row["host"],
            "destination": row["destination"],
            "bytes": row["bytes"],
            "day": day,
            "usual_bytes": round(row["usual_bytes"]),
        }
        findings.append(finding("daily", {**row, "count": row["new_flows"]}, params))
    return findings


def finding(shape: str, row: dict[str, Any], params: dict[str, Any]) -> Finding:
    return Finding(
        kind="exfiltration",
        severity="high",
        key=f"exfiltration:{shape}:{row['host']}:{row['destination']}",
        code=f"exfiltration.{shape}",
        params=params,
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        count=row["count"],
        src_ip=row["host"],
        host=row["host"],
        evidence={
            "record_refs": [text(row["record_ref"])],
            "destination": row["destination"],
            "bytes": row["bytes"],
        },
    )
