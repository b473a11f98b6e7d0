"""Text that goes into spreadsheets: cells a spreadsheet would run as formulas are defused.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"); a leading apostrophe
makes it plain text, which the user sees as typed. A phone number as crmdesk keeps it
(``+14035550153``, a list of them, an extension) runs nothing: it is left as it is, so
that other programs receive the number and not ``'+14035550153``; so is a date without a
year as Google writes it (``--12-02``): at worst a spreadsheet shows it as a sum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a CSV export guards: a formula, and also a value that already starts with
# apostrophes before one ("'-A"), so that the import, which takes one apostrophe away from
# such a cell, gives back exactly what was exported.
GUARDED = re.compile(r"'*[=+\-@\t\r]")
# E.164 numbers (with a tel: URI's extension), one or a list joined with "; ".
_PHONES = re.compile(r"\+[0-9]{2,15}(;ext=[0-9]{1,10})?(; \+[0-9]{2,15}(;ext=[0-9]{1,10})?)*")
_NO_YEAR_DATE = re.compile(r"--[0-9]{2}-[0-9]{2}")


def neutralise_cell(text: str) -> str:
    """A CSV export's cell: formulas defused, phone numbers and Google's dates as they are."""
    if not GUARDED.match(text) or _PHONES.fullmatch(text) or _NO_YEAR_DATE.fullmatch(text):
        return text
    return "'" + text


def tab_separated(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Rows as tab-separated text (what spreadsheets take from the clipboard).

    Tabs and line breaks inside a value become spaces, so a cell never spills over. Every
    cell that starts like a formula gets its apostrophe, phone numbers too: pasted, a
    spreadsheet would turn "+14035550153" into the number 14035550153.
    """

    def cell(value: str) -> str:
        flat = " ".join(value.replace("\t", " ").splitlines())
        return "'" + flat if flat.startswith(_FORMULA_STARTS) else flat

    lines = ["\t".join(cell(h) for h in header)]
    lines += ["\t".join(cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"
