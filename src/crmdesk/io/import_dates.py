"""Dates in imported files: the day/month order a file uses, decided from its dates, and
a date as written turned into ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from crmdesk.domain.text import fold
from crmdesk.errors import Notice


class DateOrder(StrEnum):
    """How a numeric date such as 03/04/1975 is read."""

    DMY = "dmy"
    MDY = "mdy"


_ISO_LIKE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][0-9:.+\-Z ]*)?")
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?: [0-9:.APMapm ]*)?")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})\.? ?([a-z]+)\.?,? (\d{4})")
_MONTH_NAME_DAY = re.compile(r"([a-z]+)\.? (\d{1,2}),? (\d{4})")
# Excel's day 0 (its 1900 leap-year bug makes this right for every serial after
# February 1900). Five-digit serials only: 10000 is 1927; a four-digit number is a year.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 73050  # 2099-12-31
# A birthday without a year (Google's --12-02, vCard 4's --1202) is kept with year 1900,
# which crmdesk shows without an age.
NO_YEAR = 1900
_EMPTY_DATES = {"0/0/00", "00/00/00", "00/00/0000", "0000-00-00"}


@dataclass(slots=True)
class DateReading:
    """The date order decided for a file, and what people should be told about it."""

    order: DateOrder
    assumptions: list[Notice] = field(default_factory=list)


@dataclass(slots=True)
class DateEvidence:
    """What the date cells of a file say about their order (fed by a first pass)."""

    day_first: tuple[int, str] | None = None  # (row, text) of a date only D/M/Y can read
    month_first: tuple[int, str] | None = None
    day_first_count: int = 0
    month_first_count: int = 0
    ambiguous: tuple[int, str] | None = None
    ambiguous_separator: str = ""
    serial: tuple[int, str] | None = None

    def feed(self, text: str, row: int) -> None:
        t = text.strip()
        m = _NUMERIC.fullmatch(t)
        if m:
            a, sep, b = int(m.group(1)), m.group(2), int(m.group(3))
            if a > 12 and b <= 12:
                self.day_first_count += 1
                self.day_first = self.day_first or (row, t)
            elif b > 12 and a <= 12:
                self.month_first_count += 1
                self.month_first = self.month_first or (row, t)
            elif a <= 12 and b <= 12 and a != b and self.ambiguous is None:
                self.ambiguous, self.ambiguous_separator = (row, t), sep
        elif self.serial is None and _SERIAL.fullmatch(t):
            self.serial = (row, t)

    def decide(self, forced: DateOrder | None = None) -> DateReading:
        notes: list[Notice] = []
        if self.serial:
            row, text = self.serial
            notes.append(
                Notice(
                    f"numbers such as {text} (row {row}) were read as Excel date serial numbers",
                    "import.dates.serial",
                    {"row": row, "value": text},
                )
            )
        if forced is not None:
            if self.ambiguous or self.day_first or self.month_first:
                notes.append(
                    Notice(
                        f"dates such as 03/04/1975 were read as {_words(forced)}, as asked",
                        "import.dates.as_asked",
                        {"order": forced.value},
                    )
                )
            return DateReading(forced, notes)
        dmy, mdy = self.day_first, self.month_first
        if dmy and mdy:
            more_dmy = self.day_first_count >= self.month_first_count
            order = DateOrder.DMY if more_dmy else DateOrder.MDY
            notes.append(
                Notice(
                    f"the file mixes day/month dates (row {dmy[0]}: {dmy[1]}) and month/day "
                    f"dates (row {mdy[0]}: {mdy[1]}); read as {_words(order)}, the more "
                    "common, and the others are reported as unreadable dates",
                    "import.dates.mixed",
                    {"order": order.value},
                )
            )
            return DateReading(order, notes)
        if dmy or mdy:
            order = DateOrder.DMY if dmy else DateOrder.MDY
            row, text = dmy or mdy  # type: ignore[misc]
            if self.ambiguous:
                notes.append(
                    Notice(
                        f"dates such as {self.ambiguous[1]} were read as {_words(order)}: row "
                        f"{row} has {text}, which can only be read that way",
                        "import.dates.inferred",
                        {"order": order.value, "row": row, "value": text},
                    )
                )
            return DateReading(order, notes)
        if self.ambiguous:
            # Nothing in the file tells: dots are European (day first); slashes are
            # taken as Outlook and Google write them in the US.
            order = DateOrder.DMY if self.ambiguous_separator == "." else DateOrder.MDY
            other = DateOrder.MDY if order is DateOrder.DMY else DateOrder.DMY
            row, text = self.ambiguous
            first = (
                "no date in the file shows whether it is day/month or month/day: dates such "
                f"as {text} (row {row}) were read as {_words(order)}"
            )
            notes.append(
                Notice(
                    f"{first}; if they are {_words(other)}, import the file again reading "
                    f"its dates as {_words(other)}",
                    "import.dates.ambiguous",
                    {
                        "first": first,
                        "row": row,
                        "value": text,
                        "order": order.value,
                        "other": other.value,
                        "other_words": _words(other),
                    },
                )
            )
            return DateReading(order, notes)
        return DateReading(DateOrder.MDY, notes)


def _words(order: DateOrder) -> str:
    return "day/month/year" if order is DateOrder.DMY else "month/day/year"


def normalise_date(text: str, order: DateOrder = DateOrder.MDY) -> str:
    """A date as ``YYYY-MM-DD`` when it can be read, else the text unchanged (so that
    validation refuses it, showing what was written). Empty markers become ""."""
    t = text.strip()
    if not t or t in _EMPTY_DATES:
        return ""
    parts: tuple[int, int, int] | None = None
    if (m := _ISO_LIKE.fullmatch(t)) or (m := _BASIC.fullmatch(t)):
        parts = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _NO_YEAR.fullmatch(t):
        parts = NO_YEAR, int(m.group(1)), int(m.group(2))
    elif m := _NUMERIC.fullmatch(t):
        a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        day, month = (a, b) if order is DateOrder.DMY else (b, a)
        parts = year, month, day
    elif m := _SERIAL.fullmatch(t):
        serial = int(m.group(1))
        if serial <= _LAST_SERIAL:
            return (_EXCEL_EPOCH + dt.timedelta(days=serial)).isoformat()
    else:
        parts = _named_month(fold(t))
    if parts is None:
        return t
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        return t


def _year(text: str) -> int:
    """Two-digit years are the most recent such year that is not in the future."""
    if len(text) == 4:
        return int(text)
    yy = int(text)
    this = dt.date.today().year
    year = this - this % 100 + yy
    return year - 100 if year > this else year


def _named_month(t: str) -> tuple[int, int, int] | None:
    if m := _DAY_MONTH_NAME.fullmatch(t):
        month = _MONTHS.get(m.group(2))
        return (int(m.group(3)), month, int(m.group(1))) if month else None
    if m := _MONTH_NAME_DAY.fullmatch(t):
        month = _MONTHS.get(m.group(1))
        return (int(m.group(3)), month, int(m.group(2))) if month else None
    return None
