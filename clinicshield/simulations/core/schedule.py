"""Planning when each simulation email goes out.

A plan spreads the recipients over N days, inside each site's opening hours in
that site's own timezone (a message that lands at 03:00 is read at 08:00 with
the whole night's gateway scans on it, and looks odd), and never sends more than
`rate_per_minute` messages in any UTC minute across the whole campaign, which
keeps small relays and reputation filters happy. Pure functions: the same input
always gives the same plan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinicshield.accounts.core.hours import clock_time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Sites without opening hours get a conservative office window on weekdays.
DEFAULT_HOURS: dict[str, list[tuple[str, str]]] = {
    day: [("09:00", "17:00")] for day in WEEKDAYS[:5]
}
# How far past the requested days a plan may spill when the rate limit leaves
# too few slots; beyond that the recipient is reported as unplaceable.
MAX_OVERFLOW_DAYS = 14


@dataclass(frozen=True)
class SiteHours:
    timezone: str
    hours: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: DEFAULT_HOURS)


@dataclass(frozen=True)
class PlannedSend:
    recipient_id: int
    send_at: datetime  # UTC, at the start of a minute


@dataclass(frozen=True)
class Plan:
    sends: list[PlannedSend]
    unplaced: list[int]
    warnings: list[tuple[str, dict[str, object]]]  # (code, parameters)


class ScheduleError(ValueError):
    """Bad schedule input; the message says which field and why."""


def parse_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[tuple[time, time]]]:
    parsed: dict[str, list[tuple[time, time]]] = {}
    for key, spans in hours.items():
        # Sites store weekdays as "0".."6" (Monday first); people write "mon".."sun".
        day = WEEKDAYS[int(key)] if key.isdigit() and int(key) < len(WEEKDAYS) else key
        if day not in WEEKDAYS:
            raise ScheduleError(
                f"opening hours: unknown weekday {day!r} (use {', '.join(WEEKDAYS)})"
            )
        parsed[day] = []
        for index, span in enumerate(spans):
            where = f"opening hours {day}[{index}]"
            if len(span) != 2:
                raise ScheduleError(f"{where}: expected [start, end], got {list(span)!r}")
            try:
                start, end = clock_time(span[0]), clock_time(span[1])
            except ValueError as exc:
                raise ScheduleError(f"{where}: {exc}") from None
            if end <= start:
                raise ScheduleError(f"{where}: end {span[1]} is not after start {span[0]}")
            parsed[day].append((start, end))
    return parsed


def open_minutes(site: SiteHours, start: datetime, end: datetime) -> list[datetime]:
    """Every UTC minute in [start, end) during which the site is open, in order."""
    try:
        zone = ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"site timezone: unknown timezone {site.timezone!r}") from None
    hours = parse_hours(site.hours)
    minutes: list[datetime] = []
    local_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date()
    while local_day <= last_day:
        for span_start, span_end in hours.get(WEEKDAYS[local_day.weekday()], []):
            opens = datetime.combine(local_day, span_start, zone).astimezone(UTC)
            closes = datetime.combine(local_day, span_end, zone).astimezone(UTC)
            minute = max(opens, _ceil_minute(start))
            while minute < min(closes, end):
                minutes.append(minute)
                minute += timedelta(minutes=1)
        local_day += timedelta(days=1)
    return sorted(set(minutes))


def _ceil_minute(moment: datetime) -> datetime:
    floored = moment.replace(second=0, microsecond=0)
    return floored if floored == moment else floored + timedelta(minutes=1)


def _stable_order(recipient_ids: Iterable[int], seed: str) -> list[int]:
    # Shuffle deterministically so one department is not always mailed first.
    return sorted(recipient_ids, key=lambda rid: hashlib.sha256(f"{seed}:{rid}".encode()).digest())


def plan_sends(
    recipients: Sequence[tuple[int, str]],
    sites: dict[str, SiteHours],
    start: datetime,
    days: int,
    rate_per_minute: int,
    seed: str = "",
) -> Plan:
    """Plan a send time for each (recipient_id, site_key) pair."""
    if start.tzinfo is None:
        raise ScheduleError("start: needs a timezone (UTC expected)")
    if days < 1:
        raise ScheduleError(f"days: must be at least 1, got {days}")
    if rate_per_minute < 1:
        raise ScheduleError(f"rate per minute: must be at least 1, got {rate_per_minute}")
    start = start.astimezone(UTC)
    end = start + timedelta(days=days)
    by_site: dict[str, list[int]] = {}
    for recipient_id, site_key in recipients:
        by_site.setdefault(site_key, []).append(recipient_id)
    used: dict[datetime, int] = {}
    sends: list[PlannedSend] = []
    unplaced: list[int] = []
    warnings: list[tuple[str, dict[str, object]]] = []
    for site_key in sorted(by_site):
        site = sites.get(site_key) or SiteHours(timezone="UTC")
        if site_key not in sites:
            warnings.append(("site_without_hours", {"site": site_key}))
        window = open_minutes(site, start, end)
        spill = open_minutes(site, end, end + timedelta(days=MAX_OVERFLOW_DAYS))
        if not window:
            warnings.append(("site_closed_in_window", {"site": site_key}))
        ordered = _stable_order(by_site[site_key], seed or site_key)
        placed, missing = _place(ordered, window, spill, used, rate_per_minute)
        if any(send.send_at >= end for send in placed):
            warnings.append(("spilled_past_window", {"site": site_key}))
        sends.extend(placed)
        unplaced.extend(missing)
    sends.sort(key=lambda send: (send.send_at, send.recipient_id))
    return Plan(sends=sends, unplaced=unplaced, warnings=warnings)


def _place(
    ordered: list[int],
    window: list[datetime],
    spill: list[datetime],
    used: dict[datetime, int],
    rate: int,
) -> tuple[list[PlannedSend], list[int]]:
    """Spread `ordered` evenly over `window`, moving forward past full minutes."""
    candidates = window + spill
    placed: list[PlannedSend] = []
    missing: list[int] = []
    cursor = 0
    step = len(window) / len(ordered) if window else 0.0
    for position, recipient_id in enumerate(ordered):
        cursor = max(cursor, int(position * step))
        while cursor < len(candidates) and used.get(candidates[cursor], 0) >= rate:
            cursor += 1
        if cursor >= len(candidates):
            missing.append(recipient_id)
            continue
        minute = candidates[cursor]
        used[minute] = used.get(minute, 0) + 1
        placed.append(PlannedSend(recipient_id, minute))
    return placed, missing
