from datetime import timedelta

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.failures import (
    detect_brute_force,
    detect_password_spray,
    detect_spray_success,
)

from .conftest import at, signin

START = at("2025-02-01 00:00")


def ctx() -> DetectionContext:
    return DetectionContext(start=START, end=START + timedelta(days=1))


def failure(ts, user, src_ip="203.0.113.7"):
    return signin(ts, user, outcome="failure", src_ip=src_ip, logon_type="network")


def test_it_flags_twelve_failures_on_one_account_in_four_minutes(store, con):
    store(
        "auth",
        [failure(at("2025-02-01 10:00") + timedelta(seconds=20 * n), "ana") for n in range(12)],
    )
    findings = detect_brute_force(con, store.table("auth"), ctx())
    by_key = {f.key: f for f in findings}
    assert by_key["brute_force:user:ana"].params["failures"] == 12
    assert by_key["brute_force:user:ana"].count == 12
    assert by_key["brute_force:user:ana"].src_ip == "203.0.113.7"
    # One source against one account is that account's alert, not a second one.
    assert list(by_key) == ["brute_force:user:ana"]


def test_a_source_failing_on_a_few_accounts_is_reported_by_source(store, con):
    rows = [
        failure(at("2025-02-01 10:00") + timedelta(seconds=20 * n), ("ana", "bob")[n % 2])
        for n in range(12)
    ]
    store("auth", rows)
    keys = {f.key for f in detect_brute_force(con, store.table("auth"), ctx())}
    assert keys == {"brute_force:source:203.0.113.7"}


def test_it_catches_a_burst_that_straddles_a_bucket_boundary(store, con):
    # 6 failures just before 10:10 and 6 just after: no 10-minute bucket of the clock holds
    # 10 of them, the sliding window ending at the last one does.
    moments = [at("2025-02-01 10:08") + timedelta(seconds=20 * n) for n in range(12)]
    store("auth", [failure(ts, "ana") for ts in moments])
    assert "brute_force:user:ana" in {
        f.key for f in detect_brute_force(con, store.table("auth"), ctx())
    }


def test_it_ignores_a_few_mistyped_passwords_spread_over_a_day(store, con):
    store("auth", [failure(at("2025-02-01 08:00") + timedelta(hours=n), "ana") for n in range(9)])
    assert detect_brute_force(con, store.table("auth"), ctx()) == []


def spray(src_ip="198.51.100.9", users=12, start="2025-02-01 03:00"):
    return [failure(at(start) + timedelta(minutes=2 * n), f"user{n}", src_ip) for n in range(users)]


def test_it_sees_one_source_failing_on_many_accounts_as_a_spray(store, con):
    store("auth", spray())
    findings = detect_password_spray(con, store.table("auth"), ctx())
    assert [(f.src_ip, f.params["users"]) for f in findings] == [("198.51.100.9", 12)]
    assert len(findings[0].evidence["users"]) == 12
    # A spray is not also reported as brute force from that source.
    assert detect_brute_force(con, store.table("auth"), ctx()) == []


def test_it_raises_the_success_that_follows_a_spray_as_critical(store, con):
    store("auth", spray() + [signin(at("2025-02-01 05:00"), "user3", src_ip="198.51.100.9")])
    findings = detect_spray_success(con, store.table("auth"), ctx())
    assert [(f.severity, f.user, f.src_ip) for f in findings] == [
        ("critical", "user3", "198.51.100.9")
    ]


def test_it_does_not_link_a_success_from_another_source_or_before_the_spray(store, con):
    rows = spray() + [
        signin(at("2025-02-01 05:00"), "user3", src_ip="192.0.2.1"),
        signin(at("2025-02-01 02:00"), "user4", src_ip="198.51.100.9"),
    ]
    store("auth", rows)
    assert detect_spray_success(con, store.table("auth"), ctx()) == []


def test_it_remembers_a_spray_from_the_day_before_the_window(store, con):
    store(
        "auth",
        spray(start="2025-01-31 22:00")
        + [signin(at("2025-02-01 06:00"), "user1", src_ip="198.51.100.9")],
    )
    assert [f.user for f in detect_spray_success(con, store.table("auth"), ctx())] == ["user1"]
