"""Text that goes into spreadsheets: cells a spreadsheet would run as formulas are defused.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"); a leading apostrophe
makes it plain text, which the user sees as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def tab_separated(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Rows as tab-separated text (what spreadsheets take from the clipboard).

    Tabs and line breaks inside a value become spaces, so a cell never spills over.
    """

    def cell(value: str) -> str:
        flat = " ".join(value.replace("\t", " ").splitlines())
        return neutralise_cell(flat)

    lines = ["\t".join(cell(h) for h in header)]
    lines += ["\t".join(cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"
