from datetime import UTC, datetime, timedelta

import pytest

from clinicshield.simulations.core.fold import RecipientState, apply_verified, belongs, judge
from clinicshield.simulations.core.hits import BadHit, Hit, complete_lines, decode_hit, encode_hit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0"


def test_a_hit_is_one_line_whatever_its_user_agent_holds():
    hit = Hit("A" * 32, "clicked", T0, "POST", "evil\nagent\r\u2028ñ" + "x" * 400, "10.0.0.1", True)
    line = encode_hit(hit)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = decode_hit(line[:-1])
    assert back.user_agent == hit.user_agent[:300]
    assert (back.token, back.event, back.at, back.method, back.ip, back.human_proof) == (
        hit.token,
        "clicked",
        T0,
        "POST",
        "10.0.0.1",
        True,
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"v":1,"token":"x"', "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"v":2}', "not a version-1 hit record"),
        (b'{"v":1,"token":"x"}', "missing or malformed field"),
        (
            b'{"v":1,"token":"x","event":"opened","at":"2026-03-02T09:00:00","method":"GET",'
            b'"ua":"","ip":null,"human":false}',
            "time without a timezone",
        ),
    ],
)
def test_a_line_that_is_no_hit_says_why(line, reason):
    with pytest.raises(BadHit, match=reason):
        decode_hit(line)


def test_only_whole_lines_are_taken_and_a_line_being_written_waits():
    lines, used = complete_lines(b"one\ntwo\nthr", max_lines=10)
    assert lines == [b"one", b"two"] and used == 8
    lines, used = complete_lines(b"one\ntwo\nthree\n", max_lines=2)
    assert lines == [b"one", b"two"] and used == 8
    assert complete_lines(b"no newline yet", max_lines=10) == ([], 0)


def test_the_status_climbs_in_any_order_and_keeps_the_earliest_time_of_each_event():
    state = RecipientState(kind="phishing", status="sent", delivered_at=T0)
    late_click = T0 + timedelta(minutes=5)
    assert apply_verified(state, "clicked", late_click).event == "clicked"
    # The open happened first but reached the fold later: no move, its own time kept.
    assert apply_verified(state, "opened", T0 + timedelta(minutes=1)) is None
    assert apply_verified(state, "clicked", T0 + timedelta(minutes=2)) is None
    assert state.status == "clicked"
    assert state.first_seen["opened"] == T0 + timedelta(minutes=1)
    assert state.first_seen["clicked"] == T0 + timedelta(minutes=2)


def test_an_event_of_the_other_kind_of_campaign_is_refused():
    hit = Hit("A" * 32, "copied", T0)
    assert not belongs(hit, "phishing") and belongs(hit, "clickfix")
    assert not belongs(Hit("A" * 32, "sent", T0), "phishing")


def test_hits_are_judged_by_the_scanner_rules_against_the_delivery_time():
    person = Hit("A" * 32, "clicked", T0 + timedelta(minutes=3), "POST", BROWSER, None, True)
    assert judge(person, T0, 10).verified
    # The same click, when the mail turns out to have been delivered 3 s before it.
    early = judge(person, person.at - timedelta(seconds=3), 10)
    assert not early.verified and early.reasons == ("too_soon_after_delivery",)
    scanner = Hit("A" * 32, "clicked", T0 + timedelta(minutes=3), "HEAD", "curl/8.5")
    assert set(judge(scanner, T0, 10).reasons) == {
        "head_request",
        "scanner_user_agent",
        "no_javascript",
    }
