from clinicshield.simulations.core.status import advance, is_failure, reached


def test_it_moves_forward_and_skips_rungs():
    assert advance("sent", "clicked", "phishing").status == "clicked"
    assert advance("sent", "clicked", "phishing").moved


def test_it_never_moves_backwards():
    transition = advance("submitted", "opened", "phishing")
    assert transition.status == "submitted"
    assert not transition.moved
    assert advance("clicked", "clicked", "phishing").moved is False


def test_it_refuses_events_of_the_other_campaign_kind():
    assert advance("clicked", "executed", "phishing").refused == "event_not_in_campaign_kind"
    assert advance("clicked", "submitted", "clickfix").refused == "event_not_in_campaign_kind"
    assert advance("clicked", "clicked", "sms").refused == "unknown_campaign_kind"


def test_it_keeps_reporting_apart_from_the_ladder():
    transition = advance("clicked", "reported", "clickfix")
    assert transition.status == "clicked" and not transition.moved and not transition.refused


def test_it_knows_how_far_a_recipient_got():
    assert reached("executed", "copied", "clickfix")
    assert not reached("opened", "clicked", "clickfix")
    assert not reached("submitted", "copied", "phishing")
    assert is_failure("clicked") and not is_failure("opened")
