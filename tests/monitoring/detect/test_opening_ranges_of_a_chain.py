"""A chain's opening hours: thousands of sites keeping the same hours are a handful of
ranges (each range is a term of the off-hours query; 13,000 of them overflowed Ibis's
recursion limit in bench/chain_simulation.py), and they cover the same minutes."""

from clinicshield.monitoring.core.detectors.context import opening_ranges


def test_equal_and_overlapping_hours_of_many_sites_become_one_range_a_day() -> None:
    sites = [{str(d): [["08:00", "15:00"]] for d in range(5)} for _ in range(2600)]
    sites.append({"0": [["14:00", "20:00"]], "5": [["09:00", "13:00"]]})
    merged: dict[str, list[list[str]]] = {}
    for hours in sites:
        for day, spans in hours.items():
            merged.setdefault(day, []).extend(spans)
    ranges = opening_ranges(merged)
    monday = [(8 * 60, 20 * 60)]
    weekdays = [(d * 1440 + 8 * 60, d * 1440 + 15 * 60) for d in range(1, 5)]
    assert ranges == monday + weekdays + [(5 * 1440 + 9 * 60, 5 * 1440 + 13 * 60)]


def test_merged_ranges_cover_exactly_the_minutes_the_sites_open() -> None:
    hours = {
        "0": [["08:00", "12:00"], ["12:00", "13:00"], ["16:00", "18:00"]],
        "6": [["22:00", "24:00"]],
    }
    spans = [(0, 8 * 60, 12 * 60), (0, 12 * 60, 13 * 60), (0, 16 * 60, 18 * 60), (6, 22 * 60, 1440)]
    ranges = opening_ranges(hours)
    for minute in range(7 * 1440):
        day, clock = divmod(minute, 1440)
        opened = any(d == day and a <= clock < b for d, a, b in spans)
        assert opened == any(a <= minute < b for a, b in ranges), minute
    assert len(ranges) == 3  # 08:00-12:00 and 12:00-13:00 touch: one range
