"""Per-user habits learned from sign-in history, as Ibis expressions.

A person's baseline is what they did in the ``baseline_days`` before the detection window:
the hours of the week they sign in, and the countries, networks (ASNs), devices and hosts
they sign in from or to. Until a person has ``learning_days`` of history and
``learning_min_signins`` sign-ins, their habits are not trusted ("still learning") and the
site's opening hours decide what an unusual hour is.

History is read once per detection pass: ``prepare_auth`` groups the baseline's sign-ins
into a compact summary (one row per person, hour of the week, country, network, device
and host) and cuts the recent events every detector looks at. With ``materialize=True``
both are computed once and shared by all detectors, which is what keeps a pass over ten
million events within seconds.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from .detectors._rows import fetch, left_join
from .detectors.context import DetectionContext
from .detectors.events import between
from .detectors.localtime import epoch_seconds, hour_of_week, local_epoch_seconds, minute_of_week

HOURS_PER_WEEK = 168
SUMMARY_KEYS = ["user", "how", "src_country", "network", "device", "host", "by_person"]
PROFILE_COLUMNS = {
    "countries": "src_country",
    "asns": "network",
    "devices": "device",
    "hosts": "host",
}


@dataclass(frozen=True)
class AuthData:
    """What the sign-in detectors read: the store, the baseline summary, the recent events."""

    events: ir.Table  # every stored auth event
    summary: ir.Table  # baseline sign-ins grouped by SUMMARY_KEYS: signins, first_seen
    recent: ir.Table  # events from the longest lookback before the window to its end
    # Temporary views holding ``summary`` and ``recent`` on Spark (see ``materialized``).
    views: tuple[str, ...] = ()


def successes(auth: ir.Table) -> ir.Table:
    return auth.filter((auth.outcome == "success") & auth.user.notnull() & (auth.user != ""))


def with_network(table: ir.Table) -> ir.Table:
    """Adds ``network``: the ASN's organisation name, else ``AS<number>``. The data shipped
    with the product names networks but has no numbers (an operator's .mmdb has both, with
    the same names), so the name is the key that works with either."""
    number = table.src_asn.cast("string")
    return table.mutate(network=ibis.coalesce(table.src_asn_org, "AS" + number))


def with_local_time(
    con: Any,
    table: ir.Table,
    zone: str,
    start: datetime,
    end: datetime,
    user_zones: dict[str, str] | None = None,
) -> ir.Table:
    """Adds ``epoch`` (UTC seconds), ``local_s``, ``how`` (hour of week 0-167) and ``mow``
    (minute of week) in the site's time zone, or in ``user_zones[user]`` for the people
    whose site keeps another zone (a chain across the Canaries and the mainland)."""
    table = table.mutate(epoch=epoch_seconds(con, table.ts))
    local = local_epoch_seconds(table.epoch, zone, start, end)
    others = sorted({z for z in (user_zones or {}).values() if z != zone})
    if others:
        pairs = [(u, others.index(z)) for u, z in sorted((user_zones or {}).items()) if z != zone]
        zones = ibis.memtable({"user": [u for u, _ in pairs], "_zone": [i for _, i in pairs]})
        table = left_join(table, zones, ["user"])
        branches = [
            (table._zone == index, local_epoch_seconds(table.epoch, other, start, end))
            for index, other in enumerate(others)
        ]
        local = ibis.cases(*branches, else_=local_epoch_seconds(table.epoch, zone, start, end))
    table = table.mutate(local_s=local)
    if "_zone" in table.columns:
        table = table.drop("_zone")
    return table.mutate(how=hour_of_week(table.local_s), mow=minute_of_week(table.local_s))


def lookback(ctx: DetectionContext) -> timedelta:
    settings = ctx.settings
    hours = max(settings.travel_lookback_hours, settings.spray_success_within_hours)
    return timedelta(hours=hours)


def prepare_auth(
    con: Any, auth: "ir.Table | AuthData", ctx: DetectionContext, materialize: bool = False
) -> AuthData:
    """The baseline summary and recent events of ``auth`` (idempotent on an ``AuthData``)."""
    if isinstance(auth, AuthData):
        return auth
    history = with_local_time(
        con,
        with_network(successes(between(auth, ctx.baseline_start, ctx.start))),
        ctx.timezone,
        ctx.baseline_start,
        ctx.end,
        ctx.user_timezones,
    )
    history = history.mutate(by_person=by_person(history, ctx))
    summary = history.group_by(SUMMARY_KEYS).aggregate(
        signins=history.count(), first_seen=history.ts.min()
    )
    recent_start = ctx.start - lookback(ctx)
    recent = with_local_time(
        con,
        with_network(between(auth, recent_start, ctx.end)),
        ctx.timezone,
        recent_start,
        ctx.end,
        ctx.user_timezones,
    )
    views: tuple[str, ...] = ()
    if materialize:
        suffix = uuid.uuid4().hex[:12]
        summary = materialized(con, f"cs_auth_summary_{suffix}", summary)
        recent = materialized(con, f"cs_auth_recent_{suffix}", recent)
        if con.name == "pyspark":
            views = (f"cs_auth_summary_{suffix}", f"cs_auth_recent_{suffix}")
    return AuthData(events=auth, summary=summary, recent=recent, views=views)


def materialized(con: Any, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` computed once and kept on the backend, so later queries scan it natively.

    DuckDB gets a temporary table (gone with the connection). Ibis's PySpark backend has no
    temporary tables: there it is a temporary view (creating it also registers the
    in-memory tables ``expr`` joins, which caching alone does not) kept in Spark's cache.
    A chain's Spark session outlives a detection pass, so ``release_materialized`` frees both.
    """
    if con.name == "pyspark":
        return con.create_view(name, expr).cache()
    return con.create_table(name, expr, temp=True)


def release_materialized(con: Any, data: AuthData) -> None:
    """Free what ``materialized`` kept on a long-lived backend session (Spark's cache)."""
    for table in (data.summary, data.recent):
        if isinstance(table, ir.CachedTable):
            table.release()
    for name in data.views:
        # Our own generated names (hex suffix): nothing to quote.
        con.raw_sql(f"DROP VIEW IF EXISTS {name}")


def window_signins(data: AuthData, ctx: DetectionContext) -> ir.Table:
    recent = data.recent
    return successes(recent.filter(recent.ts >= ibis.literal(ctx.start)))


def learned_users(summary: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Users whose habits are trusted: (user, signins, first_seen)."""
    per_user = summary.group_by("user").aggregate(
        signins=summary.signins.sum(), first_seen=summary.first_seen.min()
    )
    learned_by = ctx.start - timedelta(days=ctx.settings.learning_days)
    return per_user.filter(
        (per_user.signins >= ctx.settings.learning_min_signins)
        & (per_user.first_seen <= ibis.literal(learned_by))
    )


def by_person(table: ir.Table, ctx: DetectionContext) -> ir.BooleanValue:
    """Whether a sign-in was made by the person (not by software on their behalf)."""
    ignored = list(ctx.settings.off_hours_ignored_logon_types)
    if not ignored:
        return ibis.literal(True)
    return table.logon_type.isnull() | ~table.logon_type.isin(ignored)


def hour_counts(summary: ir.Table) -> ir.Table:
    """(user, how, signins): how often each person signed in, themselves, during each hour
    of the week."""
    mine = summary.filter(summary.by_person) if "by_person" in summary.columns else summary
    return mine.group_by(["user", "how"]).aggregate(signins=mine.signins.sum())


def day_class_slot(how: ir.IntegerValue) -> ir.IntegerValue:
    """Hour of week -> hour of a *kind* of day: Monday-Friday together (0-23), Saturday
    (24-47), Sunday (48-71). Working days pool their evidence: someone who signs in at 09:00
    from Tuesday to Friday is not unusual at 09:00 on a Monday."""
    day = how // 24
    day_class = ibis.cases((day < 5, 0), (day == 5, 1), else_=2)
    return day_class * 24 + how % 24


def nearby_signins(counts: ir.Table, probes: ir.Table, tolerance_hours: int) -> ir.Table:
    """(user, how, nearby): baseline sign-ins on the same kind of day within
    ``tolerance_hours`` of each probed hour.

    ``counts`` is ``hour_counts`` of the baseline; ``probes`` holds the (user, how) pairs to
    judge (the detection window's sign-ins), which are few, so the widening happens there.
    """
    by_slot = counts.group_by(known_user=counts.user, slot=day_class_slot(counts.how)).aggregate(
        signins=counts.signins.sum()
    )
    keys = probes.select("user", "how").distinct()
    keys = keys.mutate(base=day_class_slot(keys.how), hour=keys.how % 24)
    widened = ibis.union(
        *[
            keys.filter((keys.hour + shift >= 0) & (keys.hour + shift < 24)).mutate(
                probe=keys.base + shift
            )
            for shift in range(-tolerance_hours, tolerance_hours + 1)
        ],
        distinct=False,
    )
    same_slot = [widened.user == by_slot.known_user, widened.probe == by_slot.slot]
    matched = widened.join(by_slot, same_slot)
    return matched.group_by(["user", "how"]).aggregate(nearby=matched.signins.sum())


def known_values(summary: ir.Table, column: str) -> ir.Table:
    """(user, value): every value of ``column`` the person signed in with during the baseline."""
    rows = summary.filter(summary[column].notnull())
    return rows.select(user=rows.user, value=rows[column]).distinct()


def user_profile(con: Any, auth: ir.Table, user: str, ctx: DetectionContext) -> dict[str, Any]:
    """A person's access profile as plain data: hours heat map, countries, networks, devices.

    Covers the baseline and the window together (everything up to ``ctx.end``).
    """
    mine = with_network(successes(between(auth, ctx.baseline_start, ctx.end)))
    zone = ctx.user_timezones.get(user, ctx.timezone)
    mine = with_local_time(con, mine.filter(mine.user == user), zone, ctx.baseline_start, ctx.end)
    heat = [[0] * 24 for _ in range(7)]
    own = mine.filter(by_person(mine, ctx))
    hours = own.group_by("how").aggregate(signins=own.count())
    for row in fetch(con, hours):
        heat[row["how"] // 24][row["how"] % 24] = row["signins"]
    profile: dict[str, Any] = {"user": user, "hours": heat, "signins": sum(map(sum, heat))}
    for name, column in PROFILE_COLUMNS.items():
        rows = mine.filter(mine[column].notnull())
        counted = rows.group_by(value=rows[column]).aggregate(
            signins=rows.count(), last_seen=rows.ts.max()
        )
        ordered = counted.order_by([ibis.desc("signins"), "value"]).limit(20)
        profile[name] = fetch(con, ordered)
    first = fetch(con, mine.aggregate(first_seen=mine.ts.min()))[0]["first_seen"]
    learned_by = ctx.end - timedelta(days=ctx.settings.learning_days)
    profile["learned"] = bool(
        first and first <= learned_by and profile["signins"] >= ctx.settings.learning_min_signins
    )
    return profile
