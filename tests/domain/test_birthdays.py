"""Which days count as a coming birthday, and when it falls."""

from __future__ import annotations

import datetime as dt

from crmdesk.domain.birthdays import age_turning, birthday_keys, is_leap, next_birthday


def test_keys_run_from_today_and_the_29th_joins_the_28th_in_a_common_year():
    assert birthday_keys(dt.date(2026, 12, 30), 3) == ["12-30", "12-31", "01-01", "01-02"]
    assert birthday_keys(dt.date(2027, 2, 27), 2) == ["02-27", "02-28", "02-29", "03-01"]
    assert birthday_keys(dt.date(2028, 2, 28), 1) == ["02-28", "02-29"]  # a leap year
    assert len(birthday_keys(dt.date(2026, 1, 1), 10_000)) == 367 + 1  # a year at most


def test_leap_years():
    assert [is_leap(y) for y in (1900, 2000, 2024, 2026)] == [False, True, True, False]


def test_next_birthday_is_today_or_later_and_a_leap_day_is_kept_on_the_28th():
    today = dt.date(2026, 6, 15)
    assert next_birthday(dt.date(1980, 6, 15), today) == today
    assert next_birthday(dt.date(1980, 6, 14), today) == dt.date(2027, 6, 14)
    assert next_birthday(dt.date(1984, 2, 29), today) == dt.date(2027, 2, 28)
    assert next_birthday(dt.date(1984, 2, 29), dt.date(2028, 1, 1)) == dt.date(2028, 2, 29)


def test_age_is_unknown_for_a_birthday_kept_without_its_year():
    assert age_turning(dt.date(1980, 6, 15), dt.date(2026, 6, 15)) == 46
    assert age_turning(dt.date(1900, 6, 15), dt.date(2026, 6, 15)) is None
