"""Per-user habits learned from sign-in history, as Ibis expressions.

A person's baseline is what they did in the ``baseline_days`` before the detection window:
the hours of the week they sign in, and the countries, networks (ASNs), devices and hosts
they sign in from or to. Until a person has ``learning_days`` of history and
``learning_min_signins`` sign-ins, their habits are not trusted ("still learning") and the
site's opening hours decide what an unusual hour is.
"""

from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from .detectors.context import DetectionContext
from .detectors.events import between
from .detectors.localtime import hour_of_week, local_epoch_seconds, minute_of_week

HOURS_PER_WEEK = 168
PROFILE_COLUMNS = {"country": "src_country", "asn": "src_asn", "device": "device", "host": "host"}
PROFILE_LISTS = {"country": "countries", "asn": "asns", "device": "devices", "host": "hosts"}


def successes(auth: ir.Table) -> ir.Table:
    return auth.filter((auth.outcome == "success") & auth.user.notnull() & (auth.user != ""))


def with_local_time(table: ir.Table, zone: str, start: datetime, end: datetime) -> ir.Table:
    """Adds ``how`` (hour of week 0-167) and ``mow`` (minute of week) in the site's zone."""
    local = local_epoch_seconds(table.ts, zone, start, end)
    return table.mutate(local_s=local).mutate(
        how=hour_of_week(ibis._.local_s), mow=minute_of_week(ibis._.local_s)
    )


def baseline_signins(auth: ir.Table, ctx: DetectionContext) -> ir.Table:
    return successes(between(auth, ctx.baseline_start, ctx.start))


def window_signins(auth: ir.Table, ctx: DetectionContext) -> ir.Table:
    return successes(between(auth, ctx.start, ctx.end))


def learned_users(baseline: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Users whose habits are trusted: (user, signins, first_seen)."""
    per_user = baseline.group_by("user").aggregate(
        signins=baseline.count(), first_seen=baseline.ts.min()
    )
    learned_by = ctx.start - timedelta(days=ctx.settings.learning_days)
    return per_user.filter(
        (per_user.signins >= ctx.settings.learning_min_signins)
        & (per_user.first_seen <= ibis.literal(learned_by))
    )


def hour_counts(baseline_local: ir.Table) -> ir.Table:
    """(user, how, signins): how often each person signed in during each hour of the week."""
    return baseline_local.group_by(["user", "how"]).aggregate(signins=baseline_local.count())


def usual_slots(baseline_local: ir.Table, tolerance_hours: int) -> ir.Table:
    """(user, how, nearby): sign-ins within ``tolerance_hours`` of each hour of the week."""
    counts = hour_counts(baseline_local)
    shifted = [
        counts.mutate(how=(counts.how + shift + HOURS_PER_WEEK) % HOURS_PER_WEEK)
        for shift in range(-tolerance_hours, tolerance_hours + 1)
    ]
    spread = ibis.union(*shifted, distinct=False)
    return spread.group_by(["user", "how"]).aggregate(nearby=spread.signins.sum())


def known_values(baseline: ir.Table, column: str) -> ir.Table:
    """(user, value): every value of ``column`` the person signed in with during the baseline."""
    rows = baseline.filter(baseline[column].notnull())
    return rows.select(user=rows.user, value=rows[column]).distinct()


def user_profile(con: Any, auth: ir.Table, user: str, ctx: DetectionContext) -> dict[str, Any]:
    """A person's access profile as plain data: hours heat map, countries, networks, devices."""
    baseline = with_local_time(
        successes(between(auth, ctx.baseline_start, ctx.end)).filter(ibis._.user == user),
        ctx.timezone,
        ctx.baseline_start,
        ctx.end,
    )
    hours = con.to_pyarrow(hour_counts(baseline)).to_pylist()
    heat = [[0] * 24 for _ in range(7)]
    for row in hours:
        heat[row["how"] // 24][row["how"] % 24] = row["signins"]
    profile: dict[str, Any] = {"user": user, "hours": heat, "signins": sum(map(sum, heat))}
    for name, column in PROFILE_COLUMNS.items():
        rows = baseline.filter(baseline[column].notnull())
        counted = rows.group_by(value=rows[column]).aggregate(
            signins=rows.count(), last_seen=rows.ts.max()
        )
        ordered = counted.order_by([ibis.desc("signins"), "value"]).limit(20)
        profile[PROFILE_LISTS[name]] = con.to_pyarrow(ordered).to_pylist()
    learned = con.to_pyarrow(learned_users(baseline, ctx)).to_pylist()
    profile["learned"] = bool(learned)
    return profile
