"""The notification clock: how long is left before each legal notification deadline.

A pure function of the moment the organisation became aware of a breach and of `now`.
Facts encoded here (cite them when you change them):

- GDPR Art. 33(1): notify the supervisory authority (AEPD in Spain) without undue delay and,
  where feasible, not later than 72 hours after becoming aware of a personal-data breach.
  Art. 34(1): tell the people affected without undue delay when the risk to them is high.
- HIPAA Breach Notification Rule, 45 CFR 164.404-408: individuals without unreasonable delay
  and no later than 60 calendar days after discovery; the media when more than 500 residents
  of one State or jurisdiction are affected, within the same 60 days; HHS within the same 60
  days when 500 or more people are affected, otherwise in the yearly log sent within 60 days
  after the end of the calendar year of discovery.
- NIS2 (Directive (EU) 2022/2555) Art. 23(4), for clinics in its scope: early warning within
  24 hours, incident notification within 72 hours; Art. 23(4)(d): final report "no later than
  one month after the submission of the incident notification", so it counts from when the
  notification was actually sent, and from the notification's deadline until it is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

GDPR_AUTHORITY_WINDOW = timedelta(hours=72)
HIPAA_WINDOW = timedelta(days=60)
HIPAA_LARGE_BREACH = 500  # HHS is told within 60 days from this many people affected
HIPAA_MEDIA_THRESHOLD = 500  # the media are told when *more than* this many live in one State
NIS2_EARLY_WARNING = timedelta(hours=24)
NIS2_NOTIFICATION = timedelta(hours=72)
NIS2_FINAL_REPORT = timedelta(days=30)  # "one month" after the submission, read as 30 days
DUE_SOON_FRACTION = 0.25  # the last quarter of a window is shown as "due soon"

REGIMES = ("gdpr", "hipaa", "nis2")


@dataclass(frozen=True)
class Deadline:
    code: str  # matches schema.ClockCode
    regime: str
    basis: str  # the legal text it comes from, for the screen and the report
    due_at: datetime | None  # None: "without undue delay", no fixed hour
    remaining: timedelta | None
    state: str  # "done" | "overdue" | "due_soon" | "open" | "asap"
    assumed: bool = False  # computed on an assumption (e.g. unknown number of people)
    # A deadline counted from another notification says from what, and from when
    # (`counted_from_at`): "notification_sent" (the moment it was sent) or "notification_due"
    # (its deadline, while the moment it was sent is not recorded).
    counted_from: str = ""
    counted_from_at: datetime | None = None


@dataclass(frozen=True)
class BreachFacts:
    """What is known about a possible breach; unknown counts are None."""

    aware_at: datetime
    regimes: Collection[str] = ("gdpr",)
    affected_individuals: int | None = None
    largest_state_count: int | None = None  # HIPAA media rule counts residents of one State
    high_risk_to_individuals: bool = False
    discovered_at: datetime | None = None  # HIPAA's "discovery"; defaults to aware_at


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone (got a naive datetime)")


def _hours_later(start: datetime, window: timedelta) -> datetime:
    """`start` plus a window of real elapsed time, shown in `start`'s time zone.

    Python adds to an aware datetime on the wall clock, so 72 hours across a daylight-saving
    change would be 71 or 73 real hours; the law counts real hours.
    """
    return (start.astimezone(UTC) + window).astimezone(start.tzinfo)


def _elapsed(later: datetime, earlier: datetime) -> timedelta:
    """Real time between two aware datetimes (same-zone subtraction is wall-clock in Python)."""
    return later.astimezone(UTC) - earlier.astimezone(UTC)


def _deadline(
    code: str,
    regime: str,
    basis: str,
    start: datetime,
    due_at: datetime | None,
    now: datetime,
    done: Collection[str],
    assumed: bool = False,
) -> Deadline:
    if code in done:
        return Deadline(code, regime, basis, due_at, None, "done", assumed)
    if due_at is None:
        return Deadline(code, regime, basis, None, None, "asap", assumed)
    remaining = _elapsed(due_at, now)
    if remaining <= timedelta(0):
        state = "overdue"
    elif remaining <= _elapsed(due_at, start) * DUE_SOON_FRACTION:
        state = "due_soon"
    else:
        state = "open"
    return Deadline(code, regime, basis, due_at, remaining, state, assumed)


def _gdpr(facts: BreachFacts, now: datetime, done: Collection[str]) -> list[Deadline]:
    start = facts.aware_at
    deadlines = [
        _deadline(
            "gdpr_authority",
            "gdpr",
            "GDPR Art. 33(1)",
            start,
            _hours_later(start, GDPR_AUTHORITY_WINDOW),
            now,
            done,
        )
    ]
    if facts.high_risk_to_individuals:
        deadlines.append(
            _deadline("gdpr_individuals", "gdpr", "GDPR Art. 34(1)", start, None, now, done)
        )
    return deadlines


def _end_of_year_report_due(discovered_at: datetime) -> datetime:
    """The end of the 60th day after 31 December of the year of discovery, in its time zone."""
    year_end = discovered_at.replace(
        year=discovered_at.year, month=12, day=31, hour=0, minute=0, second=0, microsecond=0
    )
    return year_end + timedelta(days=61)


def _hipaa(facts: BreachFacts, now: datetime, done: Collection[str]) -> list[Deadline]:
    start = facts.discovered_at or facts.aware_at
    within_60 = start + HIPAA_WINDOW  # calendar days: the wall-clock addition is what we want
    count_unknown = facts.affected_individuals is None
    # An unknown count is treated as a large breach: notifying early is safe, late is not.
    large = count_unknown or (facts.affected_individuals or 0) >= HIPAA_LARGE_BREACH
    deadlines = [
        _deadline("hipaa_individuals", "hipaa", "45 CFR 164.404", start, within_60, now, done),
        _deadline(
            "hipaa_hhs",
            "hipaa",
            "45 CFR 164.408",
            start,
            within_60 if large else _end_of_year_report_due(start),
            now,
            done,
            assumed=count_unknown,
        ),
    ]
    in_one_state = facts.largest_state_count
    if in_one_state is None:
        in_one_state = facts.affected_individuals
    if in_one_state is None or in_one_state > HIPAA_MEDIA_THRESHOLD:
        deadlines.append(
            _deadline(
                "hipaa_media",
                "hipaa",
                "45 CFR 164.406",
                start,
                within_60,
                now,
                done,
                assumed=in_one_state is None,
            )
        )
    return deadlines


def _nis2(
    facts: BreachFacts, now: datetime, done: Collection[str], sent_at: Mapping[str, datetime]
) -> list[Deadline]:
    start = facts.aware_at
    notification_due = _hours_later(start, NIS2_NOTIFICATION)
    return [
        _deadline(
            "nis2_early_warning",
            "nis2",
            "NIS2 Art. 23(4)(a)",
            start,
            _hours_later(start, NIS2_EARLY_WARNING),
            now,
            done,
        ),
        _deadline(
            "nis2_notification", "nis2", "NIS2 Art. 23(4)(b)", start, notification_due, now, done
        ),
        _nis2_final_report(notification_due, now, done, sent_at),
    ]


def _nis2_final_report(
    notification_due: datetime,
    now: datetime,
    done: Collection[str],
    sent_at: Mapping[str, datetime],
) -> Deadline:
    """One month after the notification was sent; until then (or when its time is not known),
    one month after its deadline, the latest moment it can be sent on time."""
    sent = sent_at.get("nis2_notification") if "nis2_notification" in done else None
    if sent is None:
        start, counted_from = notification_due, "notification_due"
    else:
        start, counted_from = sent.astimezone(notification_due.tzinfo), "notification_sent"
    deadline = _deadline(
        "nis2_final_report",
        "nis2",
        "NIS2 Art. 23(4)(d)",
        start,
        start + NIS2_FINAL_REPORT,  # a month of calendar days: wall-clock addition
        now,
        done,
    )
    return replace(deadline, counted_from=counted_from, counted_from_at=start)


def notification_deadlines(
    facts: BreachFacts,
    now: datetime,
    done: Collection[str] = (),
    sent_at: Mapping[str, datetime] | None = None,
) -> list[Deadline]:
    """Every deadline that applies, soonest first; `done` holds codes already notified and
    `sent_at` when they were sent, where known (NIS2's final report counts from it)."""
    sent_at = sent_at or {}
    _require_aware(facts.aware_at, "aware_at")
    _require_aware(now, "now")
    for moment in sent_at.values():
        _require_aware(moment, "sent_at")
    if facts.discovered_at is not None:
        _require_aware(facts.discovered_at, "discovered_at")
    unknown = sorted(set(facts.regimes) - set(REGIMES))
    if unknown:
        raise ValueError(f"unknown regime(s) {', '.join(unknown)}; known: {', '.join(REGIMES)}")
    if facts.affected_individuals is not None and facts.affected_individuals < 0:
        raise ValueError("affected_individuals cannot be negative")
    builders: dict[str, Callable[[], list[Deadline]]] = {
        "gdpr": lambda: _gdpr(facts, now, done),
        "hipaa": lambda: _hipaa(facts, now, done),
        "nis2": lambda: _nis2(facts, now, done, sent_at),
    }
    deadlines = [d for regime in REGIMES if regime in facts.regimes for d in builders[regime]()]
    # "Without undue delay" has no hour: it sorts as due now, which is what it means.
    return sorted(deadlines, key=lambda d: ((d.due_at or now).astimezone(UTC), d.code))
