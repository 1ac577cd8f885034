"""Brute force and password spray count failures in sliding windows: any span of the window's
length that holds enough failures (or accounts) is a burst, wherever it falls on the clock.

The random cases compare the detectors with the rule written out plainly in Python: a span
ending at a failure that meets the condition makes every failure inside it part of the
burst, and a failure's peak is the most failures of such a span holding it."""

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.failures import (
    detect_brute_force,
    detect_password_spray,
)
from clinicshield.monitoring.core.explain import EPISODE_GAP

from .conftest import at, signin

START = at("2025-02-03 00:00")
SOURCE = "198.51.100.7"
PEOPLE = ["ana", "bob", "carl", "dan", "eve", "fay", "gil", "hal"]


def context(days: int = 1) -> DetectionContext:
    return DetectionContext(start=START, end=START + timedelta(days=days))


def failure(ts: datetime, user: str, src_ip: str = SOURCE) -> dict:
    record = f"sec.evtx {src_ip} {user} {ts:%d%H%M%S}"
    return signin(ts, user, outcome="failure", src_ip=src_ip, record_ref=record)


def one_each(users: list[str], start: str, seconds: int) -> list[dict]:
    """One failure per account, ``seconds`` apart, from SOURCE."""
    return [failure(at(start) + timedelta(seconds=seconds * n), u) for n, u in enumerate(users)]


def sprays(store, con) -> list[tuple[str, int, int]]:
    findings = detect_password_spray(con, store.table("auth"), context())
    return [(f.key, f.params["users"], f.count) for f in findings]


def test_eight_accounts_within_an_hour_across_both_old_grids_are_a_spray(store, con):
    # 10:25 to 11:21: across 10:30 and 11:00, where hour buckets on a grid and on a grid
    # shifted by half an hour both split the eight accounts.
    store("auth", one_each(PEOPLE, "2025-02-03 10:25", 8 * 60))
    assert sprays(store, con) == [(f"password_spray:{SOURCE}", 8, 8)]


def seven_then(last: str) -> list[dict]:
    """Seven accounts a minute apart from 10:00, and an eighth at ``last``."""
    first = [at("2025-02-03 10:00") + timedelta(minutes=n) for n in range(7)]
    return [failure(m, u) for m, u in zip(first, PEOPLE[:7], strict=True)] + [
        failure(at(last), PEOPLE[7])
    ]


def test_eight_accounts_59_59_apart_are_a_spray(store, con):
    store("auth", seven_then("2025-02-03 10:59:59"))
    assert sprays(store, con) == [(f"password_spray:{SOURCE}", 8, 8)]


def test_eight_accounts_a_full_hour_apart_are_no_spray(store, con):
    store("auth", seven_then("2025-02-03 11:00:00"))
    assert sprays(store, con) == []


def test_one_account_failing_again_is_still_one_account(store, con):
    # Eight failures in ten minutes, but on seven accounts: ana twice.
    store("auth", one_each(PEOPLE[:7] + ["ana"], "2025-02-03 10:00", 60))
    assert sprays(store, con) == []


def test_a_spray_counts_only_its_own_failures_not_the_stray_ones_before_it(store, con):
    # The same address failed on zed three times in the early morning (a mistyped password
    # on a shared router, say), hours before it sprayed eight accounts.
    stray = [failure(at("2025-02-03 06:00") + timedelta(minutes=40 * n), "zed") for n in range(3)]
    store("auth", stray + one_each(PEOPLE, "2025-02-03 10:00", 5 * 60))
    (found,) = detect_password_spray(con, store.table("auth"), context())
    assert (found.count, found.params["failures"], found.params["users"]) == (8, 8, 8)
    assert (found.first_seen, found.last_seen) == (at("2025-02-03 10:00"), at("2025-02-03 10:35"))
    assert found.evidence["users"] == sorted(PEOPLE)
    assert sum(n for _second, _user, n in found.evidence["tally"]) == 8
    assert found.evidence["record_refs"] == [f"sec.evtx {SOURCE} ana 03100000"]


def test_a_source_on_a_few_accounts_within_ten_minutes_across_both_old_grids(store, con):
    # Ten failures on ana and bob, one a minute from 09:03: across 09:05 and 09:10.
    rows = [
        failure(at("2025-02-03 09:03") + timedelta(minutes=n), ("ana", "bob")[n % 2])
        for n in range(10)
    ]
    store("auth", rows)
    findings = detect_brute_force(con, store.table("auth"), context())
    assert [(f.key, f.count, f.params["peak"]) for f in findings] == [
        (f"brute_force:source:{SOURCE}", 10, 10)
    ]


# --- The rule written out plainly, on random failures -----------------------------------


def expected_bursts(
    rows: list[dict],
    group: str,
    seconds: int,
    is_hot: Callable[[int, int], bool],
) -> dict[str, list[tuple[int, datetime, datetime, int]]]:
    """{group value: [(failures, first, last, peak) per episode]}: every failure inside a
    span of ``seconds`` that ends at a failure and meets ``is_hot(failures, users)``."""
    by_group: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_group[row[group]].append(row)
    bursts = {}
    for value, mine in by_group.items():
        peak: dict[int, int] = {}
        for end in mine:
            span = [r for r in mine if 0 <= (end["ts"] - r["ts"]).total_seconds() < seconds]
            if is_hot(len(span), len({r["user"] for r in span})):
                for index, row in enumerate(mine):
                    if row in span:
                        peak[index] = max(peak.get(index, 0), len(span))
        hot = sorted((mine[i]["ts"], p) for i, p in peak.items())
        episodes: list[list[tuple[datetime, int]]] = []
        for ts, p in hot:
            if episodes and ts - episodes[-1][-1][0] <= EPISODE_GAP:
                episodes[-1].append((ts, p))
            else:
                episodes.append([(ts, p)])
        if episodes:
            bursts[value] = [(len(e), e[0][0], e[-1][0], max(p for _, p in e)) for e in episodes]
    return bursts


def random_failures(seed: int) -> list[dict]:
    """Clusters of failures from a few addresses on a few accounts over two days, dense
    enough that some cross the thresholds and many come close."""
    rng = random.Random(seed)
    rows = []
    for _cluster in range(14):
        centre = START + timedelta(seconds=rng.randrange(2 * 86400))
        source = f"203.0.113.{rng.randrange(3)}"
        users = rng.sample(PEOPLE + ["ivy", "jon", "kim"], rng.randrange(1, 11))
        spread = rng.choice([120, 600, 1800, 3600, 5400])
        for _ in range(rng.randrange(4, 16)):
            moment = centre + timedelta(seconds=rng.randrange(spread))
            rows.append(failure(moment.replace(microsecond=0), rng.choice(users), source))
    return rows


def found_bursts(findings, group: str) -> dict[str, list[tuple[int, datetime, datetime, int]]]:
    bursts: dict[str, list[tuple[int, datetime, datetime, int]]] = defaultdict(list)
    for f in findings:
        value = f.params["user"] if group == "user" else f.params["src_ip"]
        bursts[value].append((f.count, f.first_seen, f.last_seen, f.params.get("peak", 0)))
    return dict(bursts)


@pytest.mark.parametrize("seed", range(6))
def test_the_detectors_follow_the_plain_rule_on_random_failures(store, con, seed):
    rows = random_failures(seed)
    store("auth", rows)
    ctx = context(days=3)
    found = detect_brute_force(con, store.table("auth"), ctx)
    by_user = expected_bursts(rows, "user", 600, lambda failures, _users: failures >= 10)
    assert found_bursts([f for f in found if f.code == "brute_force.user"], "user") == by_user
    few = expected_bursts(rows, "src_ip", 600, lambda n, users: n >= 10 and 2 <= users < 8)
    assert found_bursts([f for f in found if f.code == "brute_force.source"], "src_ip") == few

    spray = expected_bursts(rows, "src_ip", 3600, lambda _failures, users: users >= 8)
    expected = {
        source: (sum(b[0] for b in bursts), bursts[0][1], bursts[-1][2])
        for source, bursts in spray.items()
    }
    findings = detect_password_spray(con, store.table("auth"), ctx)
    assert {f.src_ip: (f.count, f.first_seen, f.last_seen) for f in findings} == expected


def test_the_random_cases_meet_every_rule_both_ways():
    # The random cases are worth their time only if each rule finds bursts in some of them
    # and leaves failures out in some.
    rules = [
        ("user", 600, lambda n, _users: n >= 10),
        ("src_ip", 600, lambda n, users: n >= 10 and 2 <= users < 8),
        ("src_ip", 3600, lambda _n, users: users >= 8),
    ]
    cases = [random_failures(seed) for seed in range(6)]
    for group, seconds, is_hot in rules:
        hot = [
            sum(b[0] for v in expected_bursts(rows, group, seconds, is_hot).values() for b in v)
            for rows in cases
        ]
        assert any(hot), (group, seconds)
        assert any(0 < n < len(rows) for n, rows in zip(hot, cases, strict=True)), (group, seconds)
