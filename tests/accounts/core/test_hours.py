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
