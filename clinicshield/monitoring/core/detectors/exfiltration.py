"""exfiltration: bytes a host sends to one outside destination, against the host's own past.

Two shapes of theft, two checks:

- daily: on one day a host sends a destination far more than it usually sends in a day
  (``exfil_daily_factor`` times its usual daily total, and at least ``exfil_daily_min_bytes``);
- slow: over the last ``exfil_slow_days`` a host keeps sending one destination, day after day,
  much more than it used to (``exfil_slow_factor``), adding up to ``exfil_slow_min_bytes``;
  no single day stands out, which is how the DaVita data left in 2025.

Days are UTC days. The host is the flow's originator and must be inside the organisation
(``exfil_internal_prefixes``); destinations inside those prefixes, or enriched as
"internal", are never counted. A host is judged once its outbound flows go back
``learning_days``; its usual day is what it sent over the days it has been seen (at most
the baseline), so the first weeks of a new store or host do not all look unusual.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch, left_join, text
from .context import DetectionContext
from .events import between
from .findings import Finding
from .localtime import epoch_seconds

SECONDS_PER_DAY = 86400


def _is_internal(address: ir.StringValue, prefixes: tuple[str, ...]) -> ir.BooleanValue:
    lowered = address.lower()
    return ibis.or_(*[lowered.startswith(prefix) for prefix in prefixes])


def outbound(
    con: Any, flow: ir.Table, ctx: DetectionContext, start: datetime, end: datetime
) -> ir.Table:
    """Flows from an inside host to an outside destination, with a UTC day number."""
    prefixes = ctx.settings.exfil_internal_prefixes
    rows = between(flow, start, end)
    rows = rows.filter(
        rows.src_ip.notnull()
        & rows.dst_ip.notnull()
        & (rows.bytes_out > 0)
        & _is_internal(rows.src_ip, prefixes)
        & ~_is_internal(rows.dst_ip, prefixes)
        & (rows.dst_country.isnull() | (rows.dst_country != "internal"))
    )
    return rows.mutate(day_number=epoch_seconds(con, rows.ts) // SECONDS_PER_DAY)


def detect_exfiltration(con: Any, flow: ir.Table, ctx: DetectionContext) -> list[Finding]:
    return _daily_spikes(con, flow, ctx) + _slow_transfers(con, flow, ctx)


def known_hosts(history: ir.Table, judged_from: datetime, ctx: DetectionContext) -> ir.Table:
    """Hosts seen sending out at least ``learning_days`` before ``judged_from``, with the
    number of days of history they have (``known_days``, at most the baseline)."""
    judged_day = int(judged_from.timestamp()) // SECONDS_PER_DAY
    hosts = history.group_by(host="src_ip").aggregate(
        first_day=history.day_number.min(), host_bytes=history.bytes_out.sum()
    )
    hosts = hosts.mutate(known_days=judged_day - hosts.first_day)
    return hosts.filter(hosts.known_days >= max(1, ctx.settings.learning_days))


def judged(compared: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Rows of known hosts only, unless ``learning_days`` is 0: then a host without any
    history is judged too, against a usual day of nothing."""
    if ctx.settings.learning_days > 0:
        compared = compared.filter(compared.known_days.notnull())
    return compared.mutate(usual_bytes=compared.usual_bytes.fill_null(0.0))


def _daily_spikes(con: Any, flow: ir.Table, ctx: DetectionContext) -> list[Finding]:
    settings = ctx.settings
    history = outbound(
        con, flow, ctx, ctx.start - timedelta(days=settings.exfil_baseline_days), ctx.start
    )
    hosts = known_hosts(history, ctx.start, ctx)
    usual = hosts.select("host", "known_days", usual_bytes=hosts.host_bytes / hosts.known_days)
    window = outbound(con, flow, ctx, ctx.start, ctx.end)
    per_day = window.group_by(
        host="src_ip", destination="dst_ip", day_number="day_number"
    ).aggregate(
        bytes=window.bytes_out.sum(),
        first_seen=window.ts.min(),
        last_seen=window.ts.max(),
        count=window.count(),
        record_ref=window.record_ref.argmin(window.ts),
    )
    compared = judged(left_join(per_day, usual, ["host"]), ctx)
    spikes = compared.filter(
        (compared.bytes >= settings.exfil_daily_min_bytes)
        & (compared.bytes >= compared.usual_bytes * settings.exfil_daily_factor)
    )
    findings = []
    for row in fetch(con, spikes.order_by(["host", "destination", "day_number"])):
        day = datetime.fromtimestamp(row["day_number"] * SECONDS_PER_DAY, UTC).date().isoformat()
        params = {
            "host": row["host"],
            "destination": row["destination"],
            "bytes": row["bytes"],
            "day": day,
            "usual_bytes": round(row["usual_bytes"]),
        }
        findings.append(_finding("daily", row, params))
    return findings


def _slow_transfers(con: Any, flow: ir.Table, ctx: DetectionContext) -> list[Finding]:
    settings = ctx.settings
    recent_start = ctx.end - timedelta(days=settings.exfil_slow_days)
    history_start = recent_start - timedelta(days=settings.exfil_baseline_days)
    history = outbound(con, flow, ctx, history_start, recent_start)
    hosts = known_hosts(history, recent_start, ctx).select("host", "known_days")
    sent = history.group_by(host="src_ip", destination="dst_ip").aggregate(
        sent=history.bytes_out.sum()
    )
    recent = outbound(con, flow, ctx, recent_start, ctx.end)
    totals = recent.group_by(host="src_ip", destination="dst_ip").aggregate(
        bytes=recent.bytes_out.sum(),
        active_days=recent.day_number.nunique(),
        first_seen=recent.ts.min(),
        last_seen=recent.ts.max(),
        count=recent.count(),
        record_ref=recent.record_ref.argmin(recent.ts),
    )
    compared = left_join(left_join(totals, hosts, ["host"]), sent, ["host", "destination"])
    compared = judged(
        compared.mutate(usual_bytes=compared.sent.fill_null(0) / compared.known_days), ctx
    )
    slow = compared.filter(
        (compared.bytes >= settings.exfil_slow_min_bytes)
        & (compared.active_days >= settings.exfil_slow_min_active_days)
        & (
            compared.bytes
            > compared.usual_bytes * settings.exfil_slow_days * settings.exfil_slow_factor
        )
        # Still going: the last transfer falls inside this detection window.
        & (compared.last_seen >= ibis.literal(ctx.start))
    )
    findings = []
    for row in fetch(con, slow.order_by(["host", "destination"])):
        params = {
            "host": row["host"],
            "destination": row["destination"],
            "bytes": row["bytes"],
            "days": settings.exfil_slow_days,
            "active_days": row["active_days"],
            "usual_bytes": round(row["usual_bytes"] * settings.exfil_slow_days),
        }
        findings.append(_finding("slow", row, params))
    return findings


def _finding(shape: str, row: dict[str, Any], params: dict[str, Any]) -> Finding:
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
