"""The notification clock: GDPR 72 hours, HIPAA 60 days and thresholds, NIS2."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinicshield.readiness.core.clock import BreachFacts, notification_deadlines

MADRID = ZoneInfo("Europe/Madrid")
AWARE = datetime(2026, 3, 6, 8, 15, tzinfo=MADRID)  # a Friday morning


def by_code(deadlines):
    return {d.code: d for d in deadlines}


def test_it_gives_72_hours_from_awareness_to_notify_the_authority():
    [authority] = notification_deadlines(BreachFacts(AWARE), now=AWARE + timedelta(hours=10))
    assert authority.code == "gdpr_authority"
    assert authority.due_at == datetime(2026, 3, 9, 8, 15, tzinfo=MADRID)  # Monday, weekend counts
    assert authority.remaining == timedelta(hours=62)
    assert authority.state == "open"


def test_it_marks_the_last_quarter_due_soon_and_past_the_deadline_overdue():
    soon = notification_deadlines(BreachFacts(AWARE), now=AWARE + timedelta(hours=60))[0]
    late = notification_deadlines(BreachFacts(AWARE), now=AWARE + timedelta(hours=73))[0]
    assert soon.state == "due_soon"
    assert late.state == "overdue" and late.remaining == timedelta(hours=-1)


def test_it_counts_across_a_daylight_saving_change_in_real_hours():
    aware = datetime(2026, 3, 28, 12, 0, tzinfo=MADRID)  # clocks go forward on 29 March
    [authority] = notification_deadlines(BreachFacts(aware), now=aware)
    assert authority.due_at is not None
    assert authority.due_at.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=72)


def test_it_asks_to_tell_people_without_undue_delay_only_when_the_risk_is_high():
    low = by_code(notification_deadlines(BreachFacts(AWARE), now=AWARE))
    high = by_code(
        notification_deadlines(BreachFacts(AWARE, high_risk_to_individuals=True), now=AWARE)
    )
    assert "gdpr_individuals" not in low
    assert high["gdpr_individuals"].state == "asap"
    assert high["gdpr_individuals"].due_at is None


def test_it_shows_a_notified_deadline_as_done():
    [authority] = notification_deadlines(
        BreachFacts(AWARE), now=AWARE + timedelta(days=5), done={"gdpr_authority"}
    )
    assert authority.state == "done"


def test_hipaa_gives_60_days_to_individuals_hhs_and_media_for_a_large_breach():
    facts = BreachFacts(AWARE, regimes=["hipaa"], affected_individuals=1200)
    deadlines = by_code(notification_deadlines(facts, now=AWARE))
    due = AWARE + timedelta(days=60)
    assert deadlines["hipaa_individuals"].due_at == due
    assert deadlines["hipaa_hhs"].due_at == due
    assert deadlines["hipaa_media"].due_at == due


@pytest.mark.parametrize(
    ("count", "hhs_within_60_days", "media"),
    [(499, False, False), (500, True, False), (501, True, True)],
)
def test_hipaa_thresholds_are_500_for_hhs_and_more_than_500_for_media(
    count, hhs_within_60_days, media
):
    facts = BreachFacts(AWARE, regimes=["hipaa"], affected_individuals=count)
    deadlines = by_code(notification_deadlines(facts, now=AWARE))
    assert (deadlines["hipaa_hhs"].due_at == AWARE + timedelta(days=60)) is hhs_within_60_days
    assert ("hipaa_media" in deadlines) is media


def test_hipaa_media_counts_residents_of_one_state():
    facts = BreachFacts(AWARE, regimes=["hipaa"], affected_individuals=900, largest_state_count=450)
    assert "hipaa_media" not in by_code(notification_deadlines(facts, now=AWARE))


@pytest.mark.parametrize(
    ("year", "due"),
    [(2025, datetime(2026, 3, 2)), (2027, datetime(2028, 3, 1))],  # 2028 is a leap year
)
def test_a_small_hipaa_breach_goes_in_the_log_due_60_days_after_the_year_ends(year, due):
    discovered = datetime(year, 6, 1, 10, 0, tzinfo=UTC)
    facts = BreachFacts(discovered, regimes=["hipaa"], affected_individuals=12)
    hhs = by_code(notification_deadlines(facts, now=discovered))["hipaa_hhs"]
    assert hhs.due_at == due.replace(tzinfo=UTC)  # the end of 1 March (29 February in 2028)


def test_an_unknown_number_of_people_is_treated_as_a_large_breach_and_flagged():
    facts = BreachFacts(AWARE, regimes=["hipaa"])
    deadlines = by_code(notification_deadlines(facts, now=AWARE))
    assert deadlines["hipaa_hhs"].due_at == AWARE + timedelta(days=60)
    assert deadlines["hipaa_hhs"].assumed and deadlines["hipaa_media"].assumed


def test_hipaa_counts_from_discovery_when_it_differs_from_awareness():
    discovered = AWARE - timedelta(days=10)
    facts = BreachFacts(AWARE, regimes=["gdpr", "hipaa"], discovered_at=discovered)
    deadlines = by_code(notification_deadlines(facts, now=AWARE))
    assert deadlines["hipaa_individuals"].due_at == discovered + timedelta(days=60)
    assert deadlines["gdpr_authority"].due_at == AWARE + timedelta(hours=72)


def test_nis2_adds_an_early_warning_at_24_hours_and_a_final_report():
    facts = BreachFacts(AWARE, regimes=["nis2"])
    deadlines = notification_deadlines(facts, now=AWARE)
    assert [d.code for d in deadlines] == [
        "nis2_early_warning",
        "nis2_notification",
        "nis2_final_report",
    ]
    assert deadlines[0].due_at == AWARE + timedelta(hours=24)


def test_deadlines_come_soonest_first():
    facts = BreachFacts(AWARE, regimes=["hipaa", "gdpr"], affected_individuals=10)
    deadlines = notification_deadlines(facts, now=AWARE)
    dated = [d.due_at for d in deadlines if d.due_at]
    assert dated == sorted(dated)
    assert deadlines[0].code == "gdpr_authority"


def test_it_refuses_naive_times_and_unknown_regimes_with_a_clear_message():
    with pytest.raises(ValueError, match="aware_at must carry a time zone"):
        notification_deadlines(BreachFacts(datetime(2026, 1, 1)), now=AWARE)
    with pytest.raises(ValueError, match="unknown regime.*ccpa"):
        notification_deadlines(BreachFacts(AWARE, regimes=["ccpa"]), now=AWARE)


def nis2_final_report(now, done=(), sent_at=None):
    facts = BreachFacts(AWARE, regimes=["nis2"])
    return by_code(notification_deadlines(facts, now=now, done=done, sent_at=sent_at))[
        "nis2_final_report"
    ]


def test_nis2_final_report_counts_from_the_notification_deadline_until_it_is_sent():
    report = nis2_final_report(now=AWARE)
    assert report.due_at == AWARE + timedelta(hours=72) + timedelta(days=30)
    assert report.counted_from == "notification_due"


@pytest.mark.parametrize("sent_after", [timedelta(hours=20), timedelta(hours=100)])
def test_nis2_final_report_is_due_one_month_after_the_notification_was_actually_sent(
    sent_after,
):
    """Art. 23(4)(d): one month after the *submission* of the notification, early or late."""
    sent = (AWARE + sent_after).astimezone(UTC)  # recorded in UTC, shown on the clinic's clock
    report = nis2_final_report(
        now=AWARE + timedelta(days=2),
        done=["nis2_notification"],
        sent_at={"nis2_notification": sent},
    )
    assert report.due_at == (AWARE + sent_after) + timedelta(days=30)
    assert report.due_at.tzinfo == MADRID
    assert report.counted_from == "notification_sent"
    assert report.counted_from_at == sent
    assert report.state == "open"


def test_nis2_final_report_is_due_soon_in_the_last_quarter_of_its_own_month():
    sent = AWARE + timedelta(hours=100)  # late: a window counted from awareness is longer
    done, sent_at = ["nis2_notification"], {"nis2_notification": sent}
    assert nis2_final_report(sent + timedelta(days=22), done, sent_at).state == "open"
    assert nis2_final_report(sent + timedelta(days=23), done, sent_at).state == "due_soon"


def test_a_naive_sending_time_is_refused():
    with pytest.raises(ValueError, match="sent_at must carry a time zone"):
        nis2_final_report(
            AWARE, ["nis2_notification"], {"nis2_notification": datetime(2026, 3, 7, 9, 0)}
        )
