from datetime import timedelta

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.unusual_access import detect_off_hours

from .conftest import at, daily, signin

OPENING = {day: [("08:00", "15:00")] for day in range(5)}
# January 2025 in Madrid is UTC+1: local 08:05 is 07:05 UTC.
HISTORY_START = at("2025-01-01 00:00")
WINDOW_START = at("2025-02-01 00:00")


def ana_history() -> list[dict]:
    rows = []
    for hour, minute in ((7, 5), (9, 30), (13, 40)):
        rows += [
            signin(ts, "ana", src_ip="10.0.0.5", host="ws-ana")
            for ts in daily(HISTORY_START, 31, hour, minute)
        ]
    return rows


def context(**overrides) -> DetectionContext:
    values = {
        "start": WINDOW_START,
        "end": WINDOW_START + timedelta(days=3),
        "timezone": "Europe/Madrid",
    }
    values.update(overrides)
    values.setdefault("opening_hours", OPENING)
    return DetectionContext(**values)


def test_it_flags_a_sunday_night_signin_against_the_persons_habits(store, con):
    store("auth", ana_history() + [signin(at("2025-02-02 02:12"), "ana", src_ip="10.0.0.5")])
    findings = detect_off_hours(con, store.table("auth"), context())
    assert len(findings) == 1
    found = findings[0]
    assert (found.kind, found.code, found.user) == ("off_hours", "off_hours.habit", "ana")
    assert found.params["time"] == "03:12"
    assert found.params["weekday"] == 6
    assert found.params["usual"] == [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "15:00"}]


def test_it_stays_quiet_for_a_signin_at_a_usual_hour(store, con):
    store("auth", ana_history() + [signin(at("2025-02-03 08:50"), "ana")])
    assert detect_off_hours(con, store.table("auth"), context()) == []


def test_it_uses_opening_hours_while_a_new_person_is_still_learning(store, con):
    newcomer = [signin(at("2025-01-30 09:00"), "bob"), signin(at("2025-02-03 19:00"), "bob")]
    store("auth", ana_history() + newcomer)
    findings = detect_off_hours(con, store.table("auth"), context())
    assert [(f.user, f.code, f.params["time"]) for f in findings] == [
        ("bob", "off_hours.opening_hours", "20:00")
    ]
    assert findings[0].params["opening"] == [
        {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "15:00"}
    ]


def test_it_does_not_judge_a_learning_person_when_no_opening_hours_are_known(store, con):
    store("auth", [signin(at("2025-02-03 02:00"), "bob")])
    assert detect_off_hours(con, store.table("auth"), context(opening_hours={})) == []


def test_it_ignores_failed_signins(store, con):
    store("auth", ana_history() + [signin(at("2025-02-02 02:12"), "ana", outcome="failure")])
    assert detect_off_hours(con, store.table("auth"), context()) == []


def test_it_reads_local_hours_across_a_daylight_saving_change(store, con):
    # Madrid moves to UTC+2 on 2025-03-30: 06:30 UTC on 31 March is 08:30 local, a usual hour.
    history = []
    for hour, minute in ((7, 5), (9, 30), (13, 40)):
        history += [signin(ts, "ana") for ts in daily(at("2025-02-20 00:00"), 38, hour, minute)]
    store(
        "auth",
        history + [signin(at("2025-03-31 06:30"), "ana"), signin(at("2025-03-31 04:30"), "ana")],
    )
    ctx = context(start=at("2025-03-31 00:00"), end=at("2025-04-01 00:00"))
    findings = detect_off_hours(con, store.table("auth"), ctx)
    assert [f.params["time"] for f in findings] == ["06:30"]


def test_working_days_pool_their_habits(store, con):
    # Ana signs in at 09:00 (local) from Tuesday to Friday only; 09:10 on a Monday is usual,
    # 09:10 on a Saturday is not.
    history = [
        signin(ts, "ana") for ts in daily(HISTORY_START, 31, 8) if ts.weekday() in (1, 2, 3, 4)
    ]
    window = [signin(at("2025-02-03 08:10"), "ana"), signin(at("2025-02-01 08:10"), "ana")]
    store("auth", history + window)
    findings = detect_off_hours(con, store.table("auth"), context())
    assert [(f.params["weekday"], f.params["time"]) for f in findings] == [(5, "09:10")]


def test_a_person_at_a_site_in_another_time_zone_is_judged_by_their_own_clock(store, con):
    # 07:20 UTC on a Monday is 08:20 in Madrid (open) but 07:20 in the Canaries (not yet).
    store("auth", [signin(at("2025-02-03 07:20"), "bob")])
    assert detect_off_hours(con, store.table("auth"), context()) == []
    canary = context(user_timezones={"bob": "Atlantic/Canary"})
    findings = detect_off_hours(con, store.table("auth"), canary)
    assert [(f.user, f.params["time"]) for f in findings] == [("bob", "07:20")]


def test_software_signing_in_for_a_person_at_night_is_neither_judged_nor_learned(store, con):
    phone = [signin(ts, "ana", logon_type="non_interactive") for ts in daily(HISTORY_START, 31, 2)]
    night = [
        signin(at("2025-02-02 02:05"), "ana", logon_type="non_interactive"),
        signin(at("2025-02-02 02:12"), "ana", logon_type="interactive"),
    ]
    store("auth", ana_history() + phone + night)
    findings = detect_off_hours(con, store.table("auth"), context())
    # The phone's nightly token refreshes did not make 03:00 a usual hour for Ana herself.
    assert [(f.params["time"], f.count) for f in findings] == [("03:12", 1)]


def test_an_evening_clinic_open_until_midnight_is_open_at_a_quarter_to(store, con):
    # Monday 3 February 2025 in Madrid (UTC+1): 23:45 is open; 14:00, before 16:00 and its
    # 30 minutes' grace, is not.
    evening = {0: [("16:00", "24:00")]}
    bob = [signin(at(f"2025-{moment}"), "bob") for moment in ("01-30 17:00", "02-03 22:45")]
    store("auth", [*bob, signin(at("2025-02-03 13:00"), "bob")])
    findings = detect_off_hours(con, store.table("auth"), context(opening_hours=evening))
    assert [(f.user, f.params["time"], f.count) for f in findings] == [("bob", "14:00", 1)]
    assert findings[0].params["opening"] == [{"days": [0], "start": "16:00", "end": "24:00"}]


def test_a_computer_account_is_not_a_person_with_hours(store, con):
    # Windows names a computer's own account after it, with a trailing $ (WS01$); it signs
    # in to the domain controller day and night. Ana's night sign-in is still judged.
    computer = [signin(at("2025-02-02 02:30"), "ws01$", logon_type="network")]
    night = [signin(at("2025-02-02 02:12"), "ana", logon_type="network")]
    store("auth", ana_history() + computer + night)
    findings = detect_off_hours(con, store.table("auth"), context())
    assert [(f.user, f.params["time"]) for f in findings] == [("ana", "03:12")]
