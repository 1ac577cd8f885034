from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinicshield.simulations.core.schedule import (
    ScheduleError,
    SiteHours,
    open_minutes,
    plan_sends,
)

MADRID = SiteHours(
    "Europe/Madrid", {d: [("09:00", "14:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)
CANARIAS = SiteHours("Atlantic/Canary", {"mon": [("08:00", "10:00")], "tue": [("08:00", "10:00")]})
# Monday 2 March 2026, 07:00 UTC = 08:00 in Madrid.
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_it_sends_only_inside_each_sites_opening_hours_in_its_timezone():
    recipients = [(i, "madrid") for i in range(40)] + [(100 + i, "canarias") for i in range(40)]
    plan = plan_sends(
        recipients, {"madrid": MADRID, "canarias": CANARIAS}, START, days=2, rate_per_minute=5
    )
    assert not plan.unplaced
    assert len(plan.sends) == 80
    for send in plan.sends:
        site = "madrid" if send.recipient_id < 100 else "canarias"
        zone = ZoneInfo("Europe/Madrid" if site == "madrid" else "Atlantic/Canary")
        local = send.send_at.astimezone(zone)
        if site == "madrid":
            assert 9 <= local.hour < 14, local
        else:
            assert 8 <= local.hour < 10, local


def test_it_spreads_recipients_over_the_requested_days():
    recipients = [(i, "madrid") for i in range(30)]
    plan = plan_sends(recipients, {"madrid": MADRID}, START, days=3, rate_per_minute=10)
    days = Counter(send.send_at.astimezone(ZoneInfo("Europe/Madrid")).date() for send in plan.sends)
    assert len(days) == 3
    assert max(days.values()) - min(days.values()) <= 1


def test_it_never_exceeds_the_rate_limit_in_any_minute():
    recipients = [(i, "madrid") for i in range(500)] + [(1000 + i, "canarias") for i in range(300)]
    plan = plan_sends(
        recipients, {"madrid": MADRID, "canarias": CANARIAS}, START, days=1, rate_per_minute=3
    )
    per_minute = Counter(send.send_at for send in plan.sends)
    assert max(per_minute.values()) <= 3
    assert len(plan.sends) + len(plan.unplaced) == 800
    assert len({send.recipient_id for send in plan.sends}) == len(plan.sends)


def test_it_spills_into_later_days_and_says_so_when_the_window_is_too_small():
    recipients = [(i, "canarias") for i in range(300)]
    plan = plan_sends(recipients, {"canarias": CANARIAS}, START, days=1, rate_per_minute=1)
    assert ("spilled_past_window", {"site": "canarias"}) in plan.warnings
    in_window = [s for s in plan.sends if s.send_at < START + timedelta(days=1)]
    assert len(in_window) == 120  # Monday 08:00-10:00 at one a minute
    assert len(plan.sends) == 300 and not plan.unplaced  # the rest on Tuesday and next Monday


def test_it_reports_recipients_it_cannot_place_even_after_spilling():
    recipients = [(i, "canarias") for i in range(2000)]
    plan = plan_sends(recipients, {"canarias": CANARIAS}, START, days=1, rate_per_minute=1)
    assert plan.unplaced
    assert len(plan.sends) + len(plan.unplaced) == 2000


def test_it_is_deterministic():
    recipients = [(i, "madrid") for i in range(50)]
    first = plan_sends(recipients, {"madrid": MADRID}, START, days=2, rate_per_minute=2, seed="c1")
    second = plan_sends(recipients, {"madrid": MADRID}, START, days=2, rate_per_minute=2, seed="c1")
    assert first == second


def test_it_follows_daylight_saving_time():
    # Sunday 29 March 2026 Madrid moves to UTC+2: 09:00 local is 08:00 UTC on Monday 30.
    minutes = open_minutes(
        MADRID, datetime(2026, 3, 27, 0, 0, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
    )
    firsts = sorted({m.date(): m for m in reversed(minutes)}.values())
    assert [m.hour for m in firsts] == [8, 7]


def test_it_explains_bad_input():
    with pytest.raises(ScheduleError, match="unknown timezone 'Mars/Olympus'"):
        open_minutes(SiteHours("Mars/Olympus"), START, START)
    with pytest.raises(
        ScheduleError, match=r"opening hours mon\[0\]: end 08:00 is not after start 09:00"
    ):
        open_minutes(SiteHours("UTC", {"mon": [("09:00", "08:00")]}), START, START)
    with pytest.raises(ScheduleError, match="rate per minute"):
        plan_sends([(1, "x")], {}, START, days=1, rate_per_minute=0)


def test_a_site_open_until_midnight_gets_its_last_minutes_before_midnight():
    # Monday 2 March 2026 in Madrid (UTC+1): open 20:00-24:00 local = 19:00-23:00 UTC.
    evening = SiteHours("Europe/Madrid", {"0": [("20:00", "24:00")]})
    minutes = open_minutes(evening, START, START + timedelta(days=1))
    assert minutes[0] == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    assert minutes[-1] == datetime(2026, 3, 2, 22, 59, tzinfo=UTC)
    assert len(minutes) == 4 * 60
