"""Opening hours of a site: {weekday: [(start, end), ...]} with weekday 0 = Monday.

Stored as JSON with string keys; times are "HH:MM" in the site's own timezone.
"""

import re
from datetime import datetime, time

HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
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
        if not (HOURS_RE.match(start) and HOURS_RE.match(end)) or start >= end:
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


def is_open(hours: OpeningHours, local: datetime) -> bool:
    """Whether `local` (a time already in the site's timezone) falls inside opening hours."""
    clock = local.time()
    for start, end in hours.get(str(local.weekday()), []):
        if time.fromisoformat(start) <= clock < time.fromisoformat(end):
            return True
    return False
