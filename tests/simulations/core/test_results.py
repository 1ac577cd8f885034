from datetime import UTC, datetime, timedelta

from clinicshield.simulations.core.results import (
    RecipientOutcome,
    compute_results,
    repeat_offenders,
    results_by,
    trend,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def outcome(person, status, reported_after=None, site="Centro", department="Reception"):
    return RecipientOutcome(
        person_key=person,
        status=status,
        sent_at=T0 if status != "pending" else None,
        reported_at=T0 + timedelta(minutes=reported_after) if reported_after is not None else None,
        site=site,
        department=department,
    )


CAMPAIGN = [
    outcome("ana", "submitted"),
    outcome("ben", "clicked", reported_after=30),
    outcome("carla", "opened", reported_after=4),
    outcome("dani", "sent", reported_after=10, site="Norte"),
    outcome("eva", "sent", site="Norte", department="Lab"),
    outcome("fran", "pending", site="Norte", department="Lab"),
]


def test_it_computes_the_funnel_and_rates_over_emails_sent():
    results = compute_results("phishing", CAMPAIGN)
    assert results.funnel == {"sent": 5, "opened": 3, "clicked": 2, "submitted": 1}
    assert results.click_rate == 2 / 5
    assert results.submit_rate == 1 / 5
    assert results.report_rate == 3 / 5
    assert results.resilience == 3 / 2
    assert results.median_seconds_to_report == 600


def test_it_says_none_when_a_ratio_has_no_denominator():
    results = compute_results("clickfix", [outcome("x", "pending")])
    assert results.click_rate is None and results.resilience is None
    assert results.median_seconds_to_report is None


def test_it_uses_executed_as_the_deepest_clickfix_stage():
    results = compute_results("clickfix", [outcome("a", "executed"), outcome("b", "copied")])
    assert results.funnel["copied"] == 2 and results.funnel["executed"] == 1
    assert results.submit_rate == 0.5


def test_it_groups_results_by_site_and_department():
    by_site = results_by("phishing", CAMPAIGN, "site")
    assert list(by_site) == ["Centro", "Norte"]
    assert by_site["Norte"].funnel["sent"] == 2 and by_site["Norte"].reported == 1
    assert results_by("phishing", CAMPAIGN, "department")["Lab"].targets == 2


def test_it_finds_repeat_offenders():
    second = [outcome("ana", "clicked"), outcome("ben", "opened"), outcome("eva", "submitted")]
    third = [outcome("ana", "opened"), outcome("eva", "clicked")]
    assert repeat_offenders([CAMPAIGN, second, third]) == [("ana", 2), ("eva", 2)]


def test_it_orders_the_trend_by_date():
    first = compute_results("phishing", CAMPAIGN)
    later = compute_results("phishing", [outcome("a", "sent", reported_after=1)])
    points = trend([("spring", T0 + timedelta(days=90), later), ("winter", T0, first)])
    assert [p.label for p in points] == ["winter", "spring"]
    assert points[1].report_rate == 1.0
