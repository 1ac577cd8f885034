"""Everything a detection pass needs besides the events: the window, the site's hours, lists."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .settings import DetectionSettings

if TYPE_CHECKING:
    from ..sigma_rules import CompiledRule

# {weekday 0 (Monday) - 6: [("08:00", "15:00"), ...]}: the site's opening hours, plain data.
OpeningHours = dict[int, list[tuple[str, str]]]


@dataclass(frozen=True)
class DetectionContext:
    """The question a detection pass answers: what happened in [start, end) that is unusual.

    Baselines are learned from the ``settings.baseline_days`` before ``start``.
    """

    start: datetime
    end: datetime
    timezone: str = "UTC"
    # People whose site keeps another time zone than the organisation: {account: zone}.
    user_timezones: dict[str, str] = field(default_factory=dict)
    opening_hours: OpeningHours = field(default_factory=dict)
    service_accounts: frozenset[str] = frozenset()
    sigma_rules: tuple["CompiledRule", ...] = ()
    settings: DetectionSettings = field(default_factory=DetectionSettings)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("detection window bounds must be timezone-aware (UTC)")
        if self.end <= self.start:
            raise ValueError(f"detection window is empty: {self.start} .. {self.end}")

    @property
    def baseline_start(self) -> datetime:
        return self.start - timedelta(days=self.settings.baseline_days)


def minutes_of_day(clock: str) -> int:
    """'08:30' -> 510; '24:00' is allowed as the end of a day."""
    hours, _, minutes = clock.partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(f"opening hour {clock!r} is not a time of day (HH:MM)")
    return value


def opening_ranges(opening_hours: OpeningHours) -> list[tuple[int, int]]:
    """Opening hours as [start, end) ranges of minutes since Monday 00:00 local time;
    ranges of one weekday that overlap or touch are one (a chain's sites mostly keep the
    same hours: 2,600 equal ranges a day would be 13,000 terms in every off-hours query)."""
    ranges = []
    for weekday, spans in sorted(opening_hours.items()):
        day = int(weekday)
        if not 0 <= day <= 6:
            raise ValueError(f"opening hours weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
        for begin, finish in spans:
            start, end = minutes_of_day(begin), minutes_of_day(finish)
            if end <= start:
                raise ValueError(
                    f"opening hours {begin}-{finish} on weekday {day} end before start"
                )
            ranges.append((day * 1440 + start, day * 1440 + end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start // 1440 == merged[-1][0] // 1440 and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
