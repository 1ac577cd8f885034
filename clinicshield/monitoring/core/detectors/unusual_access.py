"""Sign-ins that break a person's habits: off_hours, new_country, new_asn, new_device."""

from typing import Any

import ibis
import ibis.expr.types as ir

from ..explain import clock, summarize_opening_hours, summarize_usual_hours
from ._rows import fetch, left_join, text
from .baselines import (
    AuthData,
    by_person,
    day_class_slot,
    fresh_values,
    history_of,
    learned_days,
    nearby_before,
    own_hour_counts,
    prepare_auth,
    window_signins,
)
from .context import DetectionContext, opening_ranges
from .findings import Finding, grouped_finding


def _outside_opening(mow: ir.IntegerValue, ctx: DetectionContext) -> ir.BooleanValue:
    grace = ctx.settings.opening_hours_grace_minutes
    ranges = opening_ranges(ctx.opening_hours)
    if not ranges:
        return ibis.literal(False)
    # The week wraps: the grace after Sunday night reaches into Monday, and the grace
    # before Monday morning back into Sunday, as it does between any other two days.
    week = 7 * 1440
    spans = [(begin - grace, end + grace) for begin, end in ranges]
    spans += [(begin + week, end + week) for begin, end in spans if begin < 0] + [
        (begin - week, end - week) for begin, end in spans if end > week
    ]
    inside = [(mow >= begin) & (mow < end) for begin, end in spans]
    return ~ibis.or_(*inside)


def detect_off_hours(con: Any, auth: ir.Table | AuthData, ctx: DetectionContext) -> list[Finding]:
    """Sign-ins at an hour the person never keeps (or, while still learning, outside the
    opening hours); one finding per person and day."""
    settings = ctx.settings
    data = prepare_auth(con, auth, ctx)
    window = window_signins(data, ctx)
    window = window.filter(by_person(window, ctx))
    window = window.mutate(slot=day_class_slot(window.how))
    learned = learned_days(data.daily, ctx).mutate(learned=ibis.literal(True))
    nearby = nearby_before(data.daily, ctx, settings.off_hours_tolerance_hours)
    joined = left_join(left_join(window, learned, ["user", "day"]), nearby, ["user", "slot", "day"])
    is_learned = joined.learned.fill_null(False)
    unusual = is_learned & (joined.nearby.fill_null(0) < settings.off_hours_min_count)
    before_learning = ~is_learned & _outside_opening(joined.mow, ctx)
    flagged = joined.filter(unusual | before_learning)
    per_day = flagged.group_by(["user", "day"]).aggregate(
        first_seen=flagged.ts.min(),
        last_seen=flagged.ts.max(),
        count=flagged.count(),
        local_s=flagged.local_s.argmin(flagged.ts),
        src_ip=flagged.src_ip.argmin(flagged.ts),
        host=flagged.host.argmin(flagged.ts),
        record_ref=flagged.record_ref.argmin(flagged.ts),
        learned=flagged.learned.fill_null(False).max(),
    )
    rows = sorted(fetch(con, per_day), key=lambda r: (r["first_seen"], r["user"]))
    judged = [(r["user"], r["day"]) for r in rows if r["learned"]]
    habits = _usual_hours(con, data.daily, judged, ctx)
    opening = summarize_opening_hours(opening_ranges(ctx.opening_hours))
    return [_off_hours_finding(row, habits, opening) for row in rows]


def _usual_hours(
    con: Any, daily: ir.Table, judged: list[tuple[str, int]], ctx: DetectionContext
) -> dict[tuple[str, int], list[dict[str, object]]]:
    """The usual hours of each (person, day) judged, as the sentence says them."""
    if not judged:
        return {}
    keys = ibis.memtable({"user": [u for u, _ in judged], "day": [d for _, d in judged]})
    before = history_of(own_hour_counts(daily), keys, ctx)
    counts = before.group_by(["user", "judged_day", "how"]).aggregate(signins=before.signins.sum())
    heat: dict[tuple[str, int], list[list[int]]] = {k: [[0] * 24 for _ in range(7)] for k in judged}
    for row in fetch(con, counts):
        heat[(row["user"], row["judged_day"])][row["how"] // 24][row["how"] % 24] = row["signins"]
    min_count = ctx.settings.off_hours_min_count
    return {key: summarize_usual_hours(grid, min_count) for key, grid in heat.items()}


def _off_hours_finding(
    row: dict[str, Any],
    habits: dict[tuple[str, int], list[dict[str, object]]],
    opening: list[dict[str, object]],
) -> Finding:
    local_seconds = row["local_s"]
    minute_of_day = (local_seconds % 86400) // 60
    weekday = (local_seconds // 86400 + 3) % 7
    params: dict[str, Any] = {"user": row["user"], "time": clock(minute_of_day), "weekday": weekday}
    if row["learned"]:
        code, params["usual"] = "off_hours.habit", habits.get((row["user"], row["day"]), [])
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
    """A sign-in from a country, network or device the person did not use in the baseline
    before that day; one finding per person, value and day."""
    column, severity, extras = NEW_VALUE_DETECTORS[kind]
    data = prepare_auth(con, auth, ctx)
    normalise = without_versions if column == "device" else _as_is
    used = data.daily
    if column == "src_country":
        used = used.filter(used.src_country != "internal")
    # "Chrome 131.0.6778 / Windows" and "Chrome 132.0.6834 / Windows" are one device: a
    # browser update is not news.
    fresh = fresh_values(used, ctx, normalise(used[column]))
    fresh = fresh.semi_join(learned_days(data.daily, ctx), ["user", "day"])
    window = window_signins(data, ctx)
    window = window.filter(window[column].notnull()).mutate(value=normalise(window[column]))
    found = window.semi_join(fresh, ["user", "value", "day"])
    grouped = found.group_by(["user", "value", "day"]).aggregate(
        first_seen=found.ts.min(),
        last_seen=found.ts.max(),
        count=found.count(),
        host=found.host.argmin(found.ts),
        record_ref=found.record_ref.argmin(found.ts),
        **{name: found[name].argmin(found.ts) for name in extras},
        **({"raw_device": found.device.argmin(found.ts)} if column == "device" else {}),
    )
    rows = sorted(fetch(con, grouped), key=lambda r: (r["first_seen"], r["user"], r["value"]))
    known = _known_lists(con, used, ctx, normalise(used[column]), rows)
    return [_new_value_finding(kind, column, severity, row, known) for row in rows]


def _as_is(value: ir.StringValue) -> ir.StringValue:
    return value


def without_versions(device: ir.StringValue) -> ir.StringValue:
    """Drops dotted version numbers (131.0.6778) from a device description."""
    return device.re_replace(r"\s*\d+(\.\d+)+", "")


def _known_lists(
    con: Any, daily: ir.Table, ctx: DetectionContext, value: ir.Value, rows: list[dict[str, Any]]
) -> dict[tuple[str, int], list[Any]]:
    """{(user, day): the values the person used in the baseline before that day}."""
    judged = sorted({(r["user"], r["day"]) for r in rows})
    if not judged:
        return {}
    keys = ibis.memtable({"user": [u for u, _ in judged], "day": [d for _, d in judged]})
    values = daily.mutate(value=value)
    values = values.filter(values.value.notnull()).select("user", "day", "value")
    before = history_of(values, keys, ctx).select("user", "judged_day", "value").distinct()
    lists: dict[tuple[str, int], list[Any]] = {}
    for row in fetch(con, before.order_by(["user", "judged_day", "value"])):
        lists.setdefault((row["user"], row["judged_day"]), []).append(row["value"])
    return lists


def _new_value_finding(
    kind: str,
    column: str,
    severity: str,
    row: dict[str, Any],
    known: dict[tuple[str, int], list[Any]],
) -> Finding:
    name = "network" if kind == "new_asn" else kind.removeprefix("new_")
    params: dict[str, Any] = {
        "user": row["user"],
        name: row["value"],
        "known": known.get((row["user"], row["day"]), [])[:10],
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
