from datetime import UTC, datetime, timedelta

from clinicshield.simulations.core.scanners import EventSignals, classify_event

DELIVERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def signals(**overrides):
    base = dict(
        event="clicked",
        user_agent=BROWSER,
        delivered_at=DELIVERED,
        at=DELIVERED + timedelta(minutes=7),
        human_proof=True,
    )
    base.update(overrides)
    return EventSignals(**base)


def test_it_verifies_a_person_clicking_minutes_later_with_script_proof():
    assert classify_event(signals()).verified


def test_it_marks_known_scanner_agents_unverified():
    result = classify_event(signals(user_agent="Mozilla/5.0 (compatible; Barracuda Sentinel)"))
    assert not result.verified and "scanner_user_agent" in result.reasons
    assert "scanner_user_agent" in classify_event(signals(user_agent="")).reasons
    assert (
        "scanner_user_agent" in classify_event(signals(user_agent="python-requests/2.32")).reasons
    )


def test_it_marks_head_requests_unverified():
    assert classify_event(signals(method="HEAD")).reasons == ("head_request",)


def test_it_marks_clicks_within_seconds_of_delivery_unverified():
    result = classify_event(signals(at=DELIVERED + timedelta(seconds=3)))
    assert result.reasons == ("too_soon_after_delivery",)
    assert classify_event(
        signals(at=DELIVERED + timedelta(seconds=3)), min_human_seconds=0
    ).verified


def test_it_needs_script_proof_for_clicks_and_submits_but_not_for_opens():
    assert classify_event(signals(human_proof=False)).reasons == ("no_javascript",)
    assert "no_javascript" in classify_event(signals(event="submitted", human_proof=False)).reasons
    opened = signals(event="opened", human_proof=False, at=DELIVERED + timedelta(seconds=1))
    assert classify_event(opened).verified
