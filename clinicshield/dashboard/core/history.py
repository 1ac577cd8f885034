"""What changed: the score now against the score at the start of the month, per component
and per site. Plain numbers in, plain rows out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Change:
    key: str  # a component key, or a site name
    before: float
    after: float

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 1)


def changes(
    before: Mapping[str, float], after: Mapping[str, float], threshold: float = 0.5
) -> list[Change]:
    """Keys whose value moved by at least `threshold`, the biggest move first.

    A key present only on one side moved from or to zero (a capability set up this month).
    """
    rows = [
        Change(key, float(before.get(key, 0.0)), float(after.get(key, 0.0)))
        for key in sorted(set(before) | set(after))
    ]
    moved = [row for row in rows if abs(row.delta) >= threshold]
    return sorted(moved, key=lambda row: (-abs(row.delta), row.key))


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> tuple[int, int]:
    """(year, month) of the month before `day`'s month."""
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); a clear ValueError for anything else."""
    try:
        year_text, month_text = text.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-11") from None
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-11")
    return year, month
