from datetime import timedelta

import pytest

from clinicshield.monitoring.core.detectors import DetectionContext, DetectionSettings
from clinicshield.monitoring.core.detectors.profile import user_profile
from clinicshield.monitoring.core.detectors.registry import run_detectors
from clinicshield.monitoring.core.explain import day_group, human_bytes, summarize_usual_hours

from .conftest import at, daily, signin

START = at("2025-02-01 00:00")


def test_it_runs_every_detector_over_an_empty_store_without_error(tmp_path, con):
    ctx = DetectionContext(start=START, end=START + timedelta(days=1))
    assert run_detectors(con, tmp_path, "clinic-a", ctx) == []


def test_it_runs_every_detector_over_a_store_and_reports_each_kind(store, con):
    rows = [signin(ts, "ana", src_country="ES") for ts in daily(at("2025-01-01 00:00"), 31, 9)]
    rows += [signin(at("2025-02-01 03:00"), "ana", src_country="NG")]
    store("auth", rows)
    ctx = DetectionContext(start=START, end=START + timedelta(days=1))
    findings = run_detectors(con, store.data_dir, "clinic-a", ctx)
    assert sorted(f.kind for f in findings) == ["new_country", "off_hours"]
    only = run_detectors(con, store.data_dir, "clinic-a", ctx, only=["new_country"])
    assert [f.kind for f in only] == ["new_country"]
    with pytest.raises(ValueError, match="unknown detectors: nope"):
        run_detectors(con, store.data_dir, "clinic-a", ctx, only=["nope"])


def test_a_persons_profile_has_their_hours_and_countries(store, con):
    store(
        "auth", [signin(ts, "ana", src_country="ES") for ts in daily(at("2025-01-01 00:00"), 31, 9)]
    )
    profile = user_profile(
        con,
        store.table("auth"),
        "ana",
        DetectionContext(start=START, end=START + timedelta(days=1)),
    )
    assert profile["hours"][0][9] == 4  # the Mondays of January 2025 at 09:00 UTC
    assert profile["hours"][5] == [0] * 24
    assert [(c["value"], c["signins"]) for c in profile["countries"]] == [("ES", 23)]
    assert profile["learned"] is True


def test_usual_hours_are_merged_into_readable_spans():
    heat = [[0] * 24 for _ in range(7)]
    for day in range(5):
        for hour in (8, 11, 14):
            heat[day][hour] = 3
    heat[5][10] = 5
    heat[6][3] = 1  # once is not a habit
    assert summarize_usual_hours(heat) == [
        {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "15:00"},
        {"days": [5], "start": "10:00", "end": "11:00"},
    ]
    assert [day_group([0, 1, 2, 3, 4]), day_group([5, 6]), day_group([1, 3])] == [
        "weekdays",
        "weekends",
        "list",
    ]


def test_bytes_read_like_a_person_would_say_them():
    assert [human_bytes(512), human_bytes(1536), human_bytes(5 * 1024**3)] == [
        "512 B",
        "1.5 KiB",
        "5.0 GiB",
    ]


def test_settings_refuse_unknown_names_and_accept_lists():
    settings = DetectionSettings.from_mapping(
        {"spray_min_users": 5, "interactive_logon_types": ["interactive"]}
    )
    assert (settings.spray_min_users, settings.interactive_logon_types) == (5, ("interactive",))
    with pytest.raises(ValueError, match="unknown detection settings: spray_users"):
        DetectionSettings.from_mapping({"spray_users": 5})


def test_a_window_must_be_aware_and_not_empty():
    with pytest.raises(ValueError, match="empty"):
        DetectionContext(start=START, end=START)
    with pytest.raises(ValueError, match="timezone-aware"):
        DetectionContext(
            start=START.replace(tzinfo=None), end=START.replace(tzinfo=None) + timedelta(days=1)
        )


def test_several_sites_opening_hours_are_stored_and_said_once_per_day():
    from django.utils import translation

    from clinicshield.monitoring.core.explain import summarize_opening_hours
    from clinicshield.monitoring.words import render

    weekdays = range(5)
    ranges = [(d * 1440 + 8 * 60, d * 1440 + 15 * 60) for d in weekdays]  # one site
    ranges += [(d * 1440 + 8 * 60, d * 1440 + 20 * 60) for d in weekdays]  # another
    ranges += [(5 * 1440 + 9 * 60, 5 * 1440 + 14 * 60)]
    opening = summarize_opening_hours(ranges)
    assert opening == [
        {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "20:00"},
        {"days": [5], "start": "09:00", "end": "14:00"},
    ]
    # Alerts stored before are merged when said (emails, API and pages alike).
    old = [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "15:00"}, *opening]
    with translation.override("en"):
        params = {"user": "ana", "time": "03:12", "weekday": 6, "opening": old}
        said = render("off_hours.opening_hours", params)
    assert said.count("on weekdays") == 1 and "08:00–20:00 on weekdays" in said


def test_a_logon_type_is_said_in_words_in_every_language():
    from django.utils import translation

    from clinicshield.monitoring.words import render

    params = {"user": "svc_backup", "logon_type": "remote_interactive", "host": "dc01"}
    with translation.override("en"):
        assert "(remote interactive)" in render("service_account_interactive", params)
    with translation.override("es"):
        assert "remote_interactive" not in render("service_account_interactive", params)
