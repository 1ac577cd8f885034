"""Sign-ins that break a person's habits: off_hours, new_country, new_asn, new_device."""

from typing import Any

import ibis
import ibis.expr.types as ir

from ..baselines import (
    AuthData,
    by_person,
    hour_counts,
    known_values,
    learned_users,
    nearby_signins,
    prepare_auth,
    window_signins,
)
from ..explain import clock, summarize_opening_hours, summarize_usual_hours
from ._rows import fetch, left_join, only, text
from .context import DetectionContext, opening_ranges
from .findings import Finding, grouped_finding


def _outside_opening(mow: ir.IntegerValue, ctx: DetectionContext) -> ir.BooleanValue:
    grace = ctx.settings.opening_hours_grace_minutes
    ranges = opening_ranges(ctx.opening_hours)
    if not ranges:
        return ibis.literal(False)
    inside = [(mow >= begin - grace) & (mow < end + grace) for begin, end in ranges]
    return ~ibis.or_(*inside)


def detect_off_hours(con: Any, auth: ir.Table | AuthData, ctx: DetectionContext) -> list[Finding]:
    settings = ctx.settings
    data = prepare_auth(con, auth, ctx)
    window = window_signins(data, ctx)
    window = window.filter(by_person(window, ctx))
    learned = learned_users(data.summary, ctx).select("user", learned=ibis.literal(True))
    counts = hour_counts(data.summary)
    slots = nearby_signins(counts, window, settings.off_hours_tolerance_hours)
    joined = left_join(left_join(window, learned, ["user"]), slots, ["user", "how"])
    is_learned = joined.learned.fill_null(False)
    unusual = is_learned & (joined.nearby.fill_null(0) < settings.off_hours_min_count)
    before_learning = ~is_learned & _outside_opening(joined.mow, ctx)
    flagged = joined.filter(unusual | before_learning)
    per_user = flagged.group_by("user").aggregate(
        first_seen=flagged.ts.min(),
        last_seen=flagged.ts.max(),
        count=flagged.count(),
        local_s=flagged.local_s.argmin(flagged.ts),
        src_ip=flagged.src_ip.argmin(flagged.ts),
        host=flagged.host.argmin(flagged.ts),
        record_ref=flagged.record_ref.argmin(flagged.ts),
        learned=flagged.learned.fill_null(False).max(),
    )
    rows = fetch(con, per_user)
    learned_users_seen = [r["user"] for r in rows if r["learned"]]
    habits = _usual_hours(con, counts, learned_users_seen, settings.off_hours_min_count)
    opening = summarize_opening_hours(opening_ranges(ctx.opening_hours))
    return [_off_hours_finding(row, habits, opening) for row in rows]


def _usual_hours(
    con: Any, counts: ir.Table, users: list[str], min_count: int
) -> dict[str, list[dict[str, object]]]:
    if not users:
        return {}
    heat: dict[str, list[list[int]]] = {user: [[0] * 24 for _ in range(7)] for user in users}
    for row in fetch(con, only(counts, "user", users)):
        heat[row["user"]][row["how"] // 24][row["how"] % 24] = row["signins"]
    return {user: summarize_usual_hours(grid, min_count) for user, grid in heat.items()}


def _off_hours_finding(
    row: dict[str, Any], habits: dict[str, Any], opening: list[dict[str, object]]
) -> Finding:
    local_seconds = row["local_s"]
    minute_of_day = (local_seconds % 86400) // 60
    weekday = (local_seconds // 86400 + 3) % 7
    params: dict[str, Any] = {"user": row["user"], "time": clock(minute_of_day), "weekday": weekday}
    if row["learned"]:
        code, params["usual"] = "off_hours.habit", habits.get(row["user"], [])
    else:
        code, params["opening"] = "off_hours.opening_hours", opening
    return grouped_finding(
        row,
        kind="off_hours",
        severity="medium",
        key=f"off_hours:{row['user']}",
        code=code,
        params=params,
    )


NEW_VALUE_DETECTORS = {
    # kind: (column, severity, extra columns kept for the sentence)
    "new_country": ("src_country", "medium", ("src_city", "src_ip")),
    "new_asn": ("network", "low", ("src_asn", "src_asn_org", "src_ip")),
    "new_device": ("device", "low", ("src_ip",)),
}


def detect_new_values(
    con: Any, auth: ir.Table | AuthData, ctx: DetectionContext, kind: str
) -> list[Finding]:
    """First sign-in from a country, network or device the person never used before."""
    column, severity, extras = NEW_VALUE_DETECTORS[kind]
    data = prepare_auth(con, auth, ctx)
    learned = learned_users(data.summary, ctx).select("user")
    known = known_values(data.summary, column)
    window = window_signins(data, ctx)
    window = window.filter(window[column].notnull())
    if column == "src_country":
        window = window.filter(window.src_country != "internal")
    candidates = window.semi_join(learned, "user").mutate(value=window[column])
    if column == "device":
        # "Chrome 131.0.6778 / Windows" and "Chrome 132.0.6834 / Windows" are one device: a
        # browser update is not news. Known values are few, so normalising them is cheap.
        known = known.mutate(value=without_versions(known.value)).distinct()
        candidates = candidates.mutate(value=without_versions(candidates.value))
    fresh = candidates.anti_join(known, ["user", "value"])
    grouped = fresh.group_by(["user", "value"]).aggregate(
        first_seen=fresh.ts.min(),
        last_seen=fresh.ts.max(),
        count=fresh.count(),
        host=fresh.host.argmin(fresh.ts),
        record_ref=fresh.record_ref.argmin(fresh.ts),
        **{name: fresh[name].argmin(fresh.ts) for name in extras},
        **({"raw_device": fresh.device.argmin(fresh.ts)} if column == "device" else {}),
    )
    rows = fetch(con, grouped)
    known_by_user = _known_lists(con, known, sorted({r["user"] for r in rows}))
    return [_new_value_finding(kind, column, severity, row, known_by_user) for row in rows]


def without_versions(device: ir.StringValue) -> ir.StringValue:
    """Drops dotted version numbers (131.0.6778) from a device description."""
    return device.re_replace(r"\s*\d+(\.\d+)+", "")


def _known_lists(con: Any, known: ir.Table, users: list[str]) -> dict[str, list[Any]]:
    if not users:
        return {}
    rows = fetch(con, only(known, "user", users).order_by(["user", "value"]))
    lists: dict[str, list[Any]] = {}
    for row in rows:
        lists.setdefault(row["user"], []).append(row["value"])
    return lists


def _new_value_finding(
    kind: str, column: str, severity: str, row: dict[str, Any], known: dict[str, list[Any]]
) -> Finding:
    name = "network" if kind == "new_asn" else kind.removeprefix("new_")
    params: dict[str, Any] = {
        "user": row["user"],
        name: row["value"],
        "known": known.get(row["user"], [])[:10],
    }
    if kind == "new_country":
        params["city"] = text(row["src_city"])
    if kind == "new_asn":
        params["asn"] = row["src_asn"]
        params["asn_org"] = text(row["src_asn_org"])
    params["src_ip"] = text(row["src_ip"])
    return grouped_finding(
        row,
        kind=kind,
        severity=severity,
        key=f"{kind}:{row['user']}:{row['value']}",
        code=kind,
        params=params,
        **{column: row.get("raw_device", row["value"])},
    )
