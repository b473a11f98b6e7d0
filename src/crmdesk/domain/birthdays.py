"""Coming birthdays: which days count, and when a birthday next falls."""

from __future__ import annotations

import datetime as dt


def month_day(day: dt.date) -> str:
    """The ``MM-DD`` key a birthday is found by, whatever the year."""
    return day.strftime("%m-%d")


def birthday_keys(today: dt.date, days: int) -> list[str]:
    """The ``MM-DD`` keys of the next ``days`` days, today included.

    In a year without 29 February, people born on it celebrate on the 28th.
    """
    keys = []
    for offset in range(min(days, 366) + 1):
        day = today + dt.timedelta(days=offset)
        keys.append(month_day(day))
        if day.month == 2 and day.day == 28 and not is_leap(day.year):
            keys.append("02-29")
    return keys


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def next_birthday(born: dt.date, today: dt.date) -> dt.date:
    """The day, today or later, of the next birthday of someone born on ``born``."""
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = dt.date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable: a birthday comes within a year")


def age_turning(born: dt.date, birthday: dt.date) -> int | None:
    """The age reached on ``birthday``; None when the year of birth is not known (an
    import keeps a birthday given without its year in 1900)."""
    return birthday.year - born.year if born.year > 1900 else None
