"""Per-person habits as of each day, learned from sign-in history, as Ibis expressions.

A sign-in on UTC day ``d`` is judged against what the person did in the ``baseline_days``
before day ``d``: the hours of the week they sign in, and the countries, networks (ASNs),
devices and hosts they sign in from. Until a person has ``learning_days`` of history and
``learning_min_signins`` sign-ins before the day, their habits are not trusted ("still
learning") and the site's opening hours decide what an unusual hour is.

A pass may cover one quarter of an hour or seven years of old logs imported at once; both
are judged the same way, each day against its own past, as if it had been watched live.
History is grouped once per person and day (``AuthData.daily``) and window functions over
day numbers give every day its baseline, so the cost of a pass follows the number of events
and of person-days, never the number of days in the window.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import left_join
from .context import DetectionContext
from .events import between
from .localtime import (
    SECONDS_PER_DAY,
    epoch_seconds,
    hour_of_week,
    local_epoch_seconds,
    minute_of_week,
)

# What the sign-in detectors read of an event.
AUTH_COLUMNS = ["ts", "day", "user", "outcome", "logon_type", "src_ip", "src_country", "src_city"]
AUTH_COLUMNS += ["src_asn", "src_asn_org", "src_lat", "src_lon", "host", "device", "record_ref"]
# One row of ``AuthData.daily`` per person, day and way of signing in, grouped from these.
HISTORY_COLUMNS = ["user", "epoch", "day", "how", "src_country", "network", "device", "host"]
HISTORY_COLUMNS += ["logon_type"]
DAILY_KEYS = ["user", "day", "how", "src_country", "network", "device", "host", "by_person"]


@dataclass(frozen=True)
class AuthData:
    """What the sign-in detectors read: the store, the daily history, the recent events."""

    events: ir.Table  # every stored auth event
    # Successes from the baseline before the window's first day to the window's end, grouped
    # by DAILY_KEYS: signins, first_epoch.
    daily: ir.Table
    recent: ir.Table  # events from the longest lookback before the window to its end
    # Temporary views holding ``daily`` and ``recent`` on Spark (see ``materialized``).
    views: tuple[str, ...] = ()


def successes(auth: ir.Table) -> ir.Table:
    return auth.filter((auth.outcome == "success") & auth.user.notnull() & (auth.user != ""))


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 (UTC) of a moment: the unit every baseline moves by."""
    return int(moment.timestamp()) // SECONDS_PER_DAY


def first_day(ctx: DetectionContext) -> int:
    """The day number of the window's first day."""
    return day_number(ctx.start)


def history_start(ctx: DetectionContext) -> datetime:
    """Midnight (UTC) ``baseline_days`` before the window's first day: how far back is read."""
    midnight = datetime.fromtimestamp(first_day(ctx) * SECONDS_PER_DAY, UTC)
    return midnight - timedelta(days=ctx.settings.baseline_days)


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
    """Adds ``epoch`` (UTC seconds), ``day`` (UTC day number), ``local_s``, ``how`` (hour of
    week 0-167) and ``mow`` (minute of week) in the site's time zone, or in
    ``user_zones[user]`` for the people whose site keeps another zone (a chain across the
    Canaries and the mainland)."""
    table = table.mutate(epoch=epoch_seconds(con, table.ts))
    table = table.mutate(day=table.epoch // SECONDS_PER_DAY)
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
    """The daily history and recent events of ``auth`` (idempotent on an ``AuthData``).

    The store is read once: the recent events (the window and the lookback before it) are
    computed first, and the daily history is grouped from them plus the older days of the
    baseline. Over seven years of daily files, reading them twice was most of a pass."""
    if isinstance(auth, AuthData):
        return auth
    reach, recent_start = history_start(ctx), ctx.start - lookback(ctx)
    zone, zones = ctx.timezone, ctx.user_timezones
    # Only the columns some detector reads: each column is read from every daily file.
    auth = auth.select(*[c for c in AUTH_COLUMNS if c in auth.columns])
    recent = with_local_time(
        con, with_network(between(auth, recent_start, ctx.end)), zone, recent_start, ctx.end, zones
    )
    suffix = uuid.uuid4().hex[:12]
    if materialize:
        recent = materialized(con, f"cs_auth_recent_{suffix}", recent)
    history = successes(recent.filter(recent.ts >= ibis.literal(reach))).select(*HISTORY_COLUMNS)
    if reach < recent_start:
        older = with_local_time(
            con,
            with_network(successes(between(auth, reach, recent_start))),
            zone,
            reach,
            recent_start,
            zones,
        )
        # Only what the grouping needs: a timestamp read back from Spark's cache has lost
        # its zone, and the union would refuse the two types.
        history = ibis.union(older.select(*HISTORY_COLUMNS), history, distinct=False)
    history = history.mutate(by_person=by_person(history, ctx), day=in_every_baseline(history, ctx))
    daily = history.group_by(DAILY_KEYS).aggregate(
        signins=history.count(), first_epoch=history.epoch.min()
    )
    views: tuple[str, ...] = ()
    if materialize:
        daily = materialized(con, f"cs_auth_daily_{suffix}", daily)
        if con.name == "pyspark":
            views = (f"cs_auth_daily_{suffix}", f"cs_auth_recent_{suffix}")
    return AuthData(events=auth, daily=daily, recent=recent, views=views)


def in_every_baseline(history: ir.Table, ctx: DetectionContext) -> ir.IntegerValue:
    """The day a history row counts for: days that fall in the baseline of *every* day of
    the window (from ``baseline_days`` before its last day to the day before its first)
    count as one day, the day before the window. A day's baseline still holds exactly the
    same sign-ins, but a short window over a long history (the daily pass) groups its
    history into one row per person and habit instead of one per day (ten million sign-ins
    made 1.5 million daily rows, and their running sums took seconds)."""
    first = first_day(ctx)
    last = day_number(ctx.end - timedelta(microseconds=1))
    always = (history.day >= last - ctx.settings.baseline_days) & (history.day < first)
    return ibis.ifelse(always, first - 1, history.day)


def materialized(con: Any, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` computed once and kept, so later queries scan the result, not the store.

    On DuckDB it is an Arrow table that DuckDB scans in place: a temporary table would be
    compressed into DuckDB's storage on one thread first, which took twice as long as the
    query (a million sign-ins: 4-5 s against 2 s). Ibis's PySpark backend has no temporary
    tables: there it is a temporary view (creating it also registers the in-memory tables
    ``expr`` joins, which caching alone does not) kept in Spark's cache. A chain's Spark
    session outlives a detection pass, so ``release_materialized`` frees both.
    """
    if con.name == "pyspark":
        return con.create_view(name, expr).cache()
    return ibis.memtable(con.to_pyarrow(expr))


@contextmanager
def kept_for_the_pass(con: Any, prefix: str, expr: ir.Table) -> Iterator[ir.Table]:
    """``expr`` materialized while the block runs, then freed (see ``materialized``)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    table = materialized(con, name, expr)
    try:
        yield table
    finally:
        release_materialized(con, [table], (name,) if con.name == "pyspark" else ())


def release_materialized(con: Any, tables: list[ir.Table], views: tuple[str, ...]) -> None:
    """Free what ``materialized`` kept on a long-lived backend session (Spark's cache)."""
    for table in tables:
        if isinstance(table, ir.CachedTable):
            table.release()
    for name in views:
        # Our own generated names (hex suffix): nothing to quote.
        con.raw_sql(f"DROP VIEW IF EXISTS {name}")


def window_signins(data: AuthData, ctx: DetectionContext) -> ir.Table:
    recent = data.recent
    return successes(recent.filter(recent.ts >= ibis.literal(ctx.start)))


def before_day(ctx: DetectionContext, group_by: list[str]) -> Any:
    """The frame of a day's baseline: the ``baseline_days`` days before it, per group."""
    days = ctx.settings.baseline_days
    return ibis.window(group_by=group_by, order_by="day", range=(-days, -1))


def learned_days(daily: ir.Table, ctx: DetectionContext) -> ir.Table:
    """(user, day) for the window's days on which a person's habits are trusted: enough
    sign-ins in the baseline before the day, the first of them ``learning_days`` before it."""
    settings = ctx.settings
    per_day = daily.group_by(["user", "day"]).aggregate(
        signins=daily.signins.sum(), first_epoch=daily.first_epoch.min()
    )
    frame = before_day(ctx, ["user"])
    rolled = per_day.mutate(
        before_signins=per_day.signins.sum().over(frame),
        before_first=per_day.first_epoch.min().over(frame),
    )
    learned_by = (rolled.day - settings.learning_days) * SECONDS_PER_DAY
    learned = rolled.filter(
        (rolled.day >= first_day(ctx))
        & (rolled.before_signins >= settings.learning_min_signins)
        & (rolled.before_first <= learned_by)
    )
    return learned.select("user", "day")


def by_person(table: ir.Table, ctx: DetectionContext) -> ir.BooleanValue:
    """Whether a sign-in was made by the person (not by software on their behalf, nor by a
    computer's own domain account, which Windows names with a trailing ``$``)."""
    person = ~table.user.endswith("$")
    ignored = list(ctx.settings.off_hours_ignored_logon_types)
    if not ignored:
        return person
    return person & (table.logon_type.isnull() | ~table.logon_type.isin(ignored))


def own_hour_counts(daily: ir.Table) -> ir.Table:
    """(user, day, how, signins): how often each person signed in, themselves, during each
    hour of the week, day by day."""
    mine = daily.filter(daily.by_person)
    return mine.group_by(["user", "day", "how"]).aggregate(signins=mine.signins.sum())


def day_class_slot(how: ir.IntegerValue) -> ir.IntegerValue:
    """Hour of week -> hour of a *kind* of day: Monday-Friday together (0-23), Saturday
    (24-47), Sunday (48-71). Working days pool their evidence: someone who signs in at 09:00
    from Tuesday to Friday is not unusual at 09:00 on a Monday."""
    day = how // 24
    day_class = ibis.cases((day < 5, 0), (day == 5, 1), else_=2)
    return day_class * 24 + how % 24


def nearby_before(daily: ir.Table, ctx: DetectionContext, tolerance_hours: int) -> ir.Table:
    """(user, slot, day, nearby) for the window's days: the person's own sign-ins on the same
    kind of day within ``tolerance_hours`` of ``slot``, in the baseline before ``day``.

    Each day's sign-ins are spread over the neighbouring hours they vouch for; a running sum
    over the days then gives every day the count of its baseline."""
    hours = own_hour_counts(daily)
    hours = hours.mutate(slot=day_class_slot(hours.how))
    counts = hours.group_by(["user", "day", "slot"]).aggregate(signins=hours.signins.sum())
    hour = counts.slot % 24
    spread = ibis.union(
        *[
            counts.filter((hour + shift >= 0) & (hour + shift < 24)).mutate(
                slot=counts.slot + shift
            )
            for shift in range(-tolerance_hours, tolerance_hours + 1)
        ],
        distinct=False,
    )
    per_day = spread.group_by(["user", "slot", "day"]).aggregate(signins=spread.signins.sum())
    rolled = per_day.mutate(nearby=per_day.signins.sum().over(before_day(ctx, ["user", "slot"])))
    rolled = rolled.filter(rolled.day >= first_day(ctx))
    return rolled.select("user", "slot", "day", nearby=rolled.nearby.fill_null(0))


def fresh_values(daily: ir.Table, ctx: DetectionContext, value: ir.Value) -> ir.Table:
    """(user, value, day) for the window's days on which a person signed in with ``value``
    (an expression over ``daily``) not seen from them in the baseline before the day."""
    rows = daily.mutate(value=value)
    rows = rows.filter(rows.value.notnull()).select("user", "value", "day").distinct()
    previous = rows.day.lag().over(ibis.window(group_by=["user", "value"], order_by="day"))
    rows = rows.mutate(previous=previous)
    baseline = ctx.settings.baseline_days
    fresh = rows.filter(
        (rows.day >= first_day(ctx))
        & (rows.previous.isnull() | (rows.previous < rows.day - baseline))
    )
    return fresh.select("user", "value", "day")


def history_of(table: ir.Table, keys: ir.Table, ctx: DetectionContext) -> ir.Table:
    """Rows of ``table`` (with user and day) in the baseline before each (user, day) of
    ``keys``, tagged with that day as ``judged_day``: what the sentence of a finding cites."""
    keys = keys.select(_user=keys.user, judged_day=keys.day)
    joined = table.join(
        keys,
        [
            table.user == keys._user,
            table.day >= keys.judged_day - ctx.settings.baseline_days,
            table.day < keys.judged_day,
        ],
    )
    return joined.drop("_user")
