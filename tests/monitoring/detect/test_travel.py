from datetime import timedelta

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.travel import detect_impossible_travel

from .conftest import at, signin

MADRID = {"src_country": "ES", "src_city": "Madrid", "src_lat": 40.4168, "src_lon": -3.7038}
LAGOS = {"src_country": "NG", "src_city": "Lagos", "src_lat": 6.5244, "src_lon": 3.3792}
BARCELONA = {"src_country": "ES", "src_city": "Barcelona", "src_lat": 41.3874, "src_lon": 2.1686}
START = at("2025-02-01 00:00")


def ctx() -> DetectionContext:
    return DetectionContext(start=START, end=START + timedelta(days=1))


def test_it_flags_madrid_then_lagos_forty_minutes_later(store, con):
    store(
        "auth",
        [
            signin(at("2025-02-01 09:00"), "ana", **MADRID),
            signin(at("2025-02-01 09:40"), "ana", **LAGOS),
        ],
    )
    findings = detect_impossible_travel(con, store.table("auth"), ctx())
    assert len(findings) == 1
    params = findings[0].params
    assert (params["from_city"], params["to_city"], params["minutes"]) == ("Madrid", "Lagos", 40)
    assert 3700 < params["distance_km"] < 3900
    assert params["speed_kmh"] > 5000


def test_it_accepts_a_journey_a_train_can_make(store, con):
    store(
        "auth",
        [
            signin(at("2025-02-01 07:00"), "ana", **MADRID),
            signin(at("2025-02-01 10:00"), "ana", **BARCELONA),
        ],
    )
    assert detect_impossible_travel(con, store.table("auth"), ctx()) == []


def test_it_compares_against_the_last_signin_before_the_window(store, con):
    store(
        "auth",
        [
            signin(at("2025-01-31 23:50"), "ana", **MADRID),
            signin(at("2025-02-01 00:20"), "ana", **LAGOS),
        ],
    )
    assert [f.user for f in detect_impossible_travel(con, store.table("auth"), ctx())] == ["ana"]


def test_it_never_pairs_two_different_people(store, con):
    store(
        "auth",
        [
            signin(at("2025-02-01 09:00"), "ana", **MADRID),
            signin(at("2025-02-01 09:10"), "bob", **LAGOS),
        ],
    )
    assert detect_impossible_travel(con, store.table("auth"), ctx()) == []


def test_the_way_out_and_back_is_one_finding(store, con):
    rows = [
        signin(at("2025-02-01 09:00"), "ana", **MADRID),
        signin(at("2025-02-01 09:40"), "ana", **LAGOS),
        signin(at("2025-02-01 10:30"), "ana", **MADRID),
    ]
    store("auth", rows)
    findings = detect_impossible_travel(con, store.table("auth"), ctx())
    assert [(f.key, f.count, f.params["to_city"]) for f in findings] == [
        ("impossible_travel:ana", 2, "Lagos")
    ]
