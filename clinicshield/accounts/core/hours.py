"""Opening hours of a site: {weekday: [(start, end), ...]} with weekday 0 = Monday.

Stored as JSON with string keys; times are "HH:MM" in the site's own timezone. A span may
end at "24:00" (the end of the day): a site open until midnight, or round the clock, says so,
and a night shift is two spans, "mon 22:00-24:00; tue 00:00-06:00".
"""

import re
from datetime import datetime, time

START_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
END_RE = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
MIDNIGHT_END = "24:00"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

OpeningHours = dict[str, list[list[str]]]


def parse_opening_hours(text: str) -> OpeningHours:
    """Parse "mon-fri 08:00-20:00; sat 09:00-14:00" into the stored form.

    Raises ValueError naming the part it cannot read.
    """
    hours: OpeningHours = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            days, span = part.split()
            start, end = span.split("-")
        except ValueError:
            raise ValueError(f"cannot read {part!r}: expected e.g. 'mon-fri 08:00-20:00'") from None
        if not (START_RE.match(start) and END_RE.match(end)) or start >= end:
            raise ValueError(f"bad times in {part!r}")
        for day in _expand_days(days, part):
            hours.setdefault(str(day), []).append([start, end])
    return hours


def _expand_days(days: str, part: str) -> range | list[int]:
    names = days.lower().split("-")
    if any(n not in WEEKDAYS for n in names) or len(names) > 2:
        raise ValueError(f"unknown day in {part!r}: use mon, tue, wed, thu, fri, sat, sun")
    first, last = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[-1])
    if last < first:
        raise ValueError(f"day range runs backwards in {part!r}")
    return range(first, last + 1)


def format_opening_hours(hours: OpeningHours) -> str:
    parts = []
    for day in range(7):
        for start, end in hours.get(str(day), []):
            parts.append(f"{WEEKDAYS[day]} {start}-{end}")
    return "; ".join(parts)


def clock_time(text: str) -> time:
    """An "HH:MM" of opening hours as a time; the end of the day, "24:00", is its last
    instant, so that an end, which is exclusive, still leaves the day's last minute open."""
    return time.max if text == MIDNIGHT_END else time.fromisoformat(text)


def is_open(hours: OpeningHours, local: datetime) -> bool:
    """Whether `local` (a time already in the site's timezone) falls inside opening hours."""
    clock = local.time()
    for start, end in hours.get(str(local.weekday()), []):
        if clock_time(start) <= clock < clock_time(end):
            return True
    return False
