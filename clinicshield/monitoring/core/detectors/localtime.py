"""Local wall-clock time as plain integers, the same on every backend.

Backends disagree on time zones (DuckDB follows a session setting, Spark another), so the
UTC offset is computed here with zoneinfo for the few DST periods a window spans and
applied as a CASE over the UTC timestamp. Hours and weekdays then come from integer
arithmetic on local epoch seconds.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

SECONDS_PER_DAY = 86400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
# 1970-01-01 was a Thursday: weekday index 3 when Monday is 0.
EPOCH_WEEKDAY = 3


def offset_periods(zone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """[(from_utc, offset_seconds), ...] covering [start, end] in the given zone.

    Walks the span a day at a time and looks hour by hour only inside a day whose offset
    changed, so seven years cost some 2,600 look-ups rather than 61,000."""
    tz = ZoneInfo(zone)
    cursor = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    current = _offset(tz, cursor)
    periods: list[tuple[datetime, int]] = [(cursor, current)]
    day, hour = timedelta(days=1), timedelta(hours=1)
    while cursor < end:
        following = cursor + day
        if _offset(tz, following) != current:
            # Zones change at most once a day: find the hour it happened.
            while _offset(tz, cursor) == current:
                cursor += hour
            current = _offset(tz, cursor)
            periods.append((cursor, current))
            continue
        cursor = following
    return periods


def _offset(tz: ZoneInfo, moment: datetime) -> int:
    delta = moment.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


@ibis.udf.scalar.builtin(name="epoch_us")
def _duckdb_epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """DuckDB's microseconds since 1970 of a TIMESTAMPTZ, without a per-row time zone cast."""


@ibis.udf.scalar.builtin(name="unix_micros")
def _spark_unix_micros(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """Spark's microseconds since 1970 of a timestamp."""


def epoch_seconds(con: Any, ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since 1970 (UTC) for each timestamp.

    Ibis's generic ``epoch_seconds`` makes DuckDB convert every value through its time zone
    library, which was most of a detection pass's time; the backends' own integer functions
    avoid that. Other backends fall back to the generic form.
    """
    backend = getattr(con, "name", "")
    if backend == "duckdb":
        return _duckdb_epoch_us(ts) // 1_000_000
    if backend == "pyspark":
        return _spark_unix_micros(ts) // 1_000_000
    return ts.epoch_seconds().floor().cast("int64")


def local_epoch_seconds(
    utc_seconds: ir.IntegerValue, zone: str, start: datetime, end: datetime
) -> ir.IntegerValue:
    """Seconds since 1970-01-01 00:00 *local time*, from seconds since 1970 UTC."""
    periods = offset_periods(zone, start, end)
    if len(periods) == 1:
        return utc_seconds + periods[0][1]
    # Later periods first so that each branch only needs a lower bound.
    branches = [
        (utc_seconds >= int(begin.timestamp()), offset) for begin, offset in reversed(periods[1:])
    ]
    offset_expr = ibis.cases(*branches, else_=periods[0][1])
    return utc_seconds + offset_expr


def _seconds_of_week(local_seconds: ir.IntegerValue) -> ir.IntegerValue:
    """Seconds since Monday 00:00 local time (one modulo; divisions are costly per row)."""
    return (local_seconds + EPOCH_WEEKDAY * SECONDS_PER_DAY) % SECONDS_PER_WEEK


def hour_of_week(local_seconds: ir.IntegerValue) -> ir.IntegerValue:
    """0 = Monday 00:00-00:59 ... 167 = Sunday 23:00-23:59."""
    return _seconds_of_week(local_seconds) // 3600


def minute_of_week(local_seconds: ir.IntegerValue) -> ir.IntegerValue:
    return _seconds_of_week(local_seconds) // 60


def weekday(local_seconds: ir.IntegerValue) -> ir.IntegerValue:
    return (local_seconds // SECONDS_PER_DAY + EPOCH_WEEKDAY) % 7
