from datetime import datetime

import pytest

from clinicshield.accounts.core.hours import format_opening_hours, is_open, parse_opening_hours


def test_it_parses_day_ranges_and_single_days() -> None:
    hours = parse_opening_hours("mon-fri 08:00-20:00; sat 09:00-14:00")
    assert hours["0"] == [["08:00", "20:00"]]
    assert hours["5"] == [["09:00", "14:00"]]
    assert "6" not in hours
    assert format_opening_hours(hours).startswith("mon 08:00-20:00; tue")


@pytest.mark.parametrize(
    "text", ["mon-fri 8-20", "funday 08:00-10:00", "mon 10:00-09:00", "fri-mon 08:00-10:00"]
)
def test_it_refuses_what_it_cannot_read_naming_the_part(text: str) -> None:
    with pytest.raises(ValueError, match=text.split()[0]):
        parse_opening_hours(text)


def test_is_open_uses_local_time_and_end_is_exclusive() -> None:
    hours = parse_opening_hours("mon-fri 08:00-15:00")
    assert is_open(hours, datetime(2026, 11, 23, 8, 0))  # a Monday
    assert not is_open(hours, datetime(2026, 11, 23, 15, 0))
    assert not is_open(hours, datetime(2026, 11, 22, 10, 0))  # a Sunday


def test_a_site_open_until_midnight_or_all_day_can_say_so() -> None:
    # An evening clinic closing at midnight, an emergency one open round the clock, and a
    # night shift written as two spans (the parser has no spans that cross midnight).
    hours = parse_opening_hours("mon-fri 16:00-24:00; sat 00:00-24:00; sun 22:00-24:00")
    assert hours["0"] == [["16:00", "24:00"]] and hours["5"] == [["00:00", "24:00"]]
    assert format_opening_hours(hours).endswith("sat 00:00-24:00; sun 22:00-24:00")
    assert is_open(hours, datetime(2026, 11, 23, 23, 59, 59))  # a Monday, a second to midnight
    assert not is_open(hours, datetime(2026, 11, 23, 15, 59))
    assert is_open(hours, datetime(2026, 11, 28, 0, 0))  # Saturday, round the clock
    assert is_open(hours, datetime(2026, 11, 28, 12, 0))


@pytest.mark.parametrize("text", ["mon 24:00-24:00", "mon 08:00-24:01", "mon 24:00-08:00"])
def test_midnight_is_only_an_end(text: str) -> None:
    with pytest.raises(ValueError, match="bad times"):
        parse_opening_hours(text)
