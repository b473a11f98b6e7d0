"""How list and month values read in a cell, and back: ``"a@x.example, b@y.example"``
and ``"Nov, Dec"``."""

from __future__ import annotations

import re
from typing import Any

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def split_list(text: str) -> list[str]:
    """``"a@x.example, b@y.example"`` -> two entries; blanks dropped."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def months_text(months: object) -> str:
    """``[11, 12]`` -> ``"Nov, Dec"``; anything unreadable is shown as it is."""
    if not isinstance(months, list | tuple):
        return "" if months is None else str(months)
    return ", ".join(
        MONTHS[m - 1] if isinstance(m, int) and 1 <= m <= 12 else str(m) for m in months
    )


def parse_months_text(text: str) -> list[Any]:
    """``"Nov, 12"`` -> ``[11, 12]``; a token that is no month is passed on as typed."""
    out: list[Any] = []
    for token in split_list(text):
        if token.isdigit():
            out.append(int(token))
            continue
        key = token[:3].casefold()
        match = [i + 1 for i, m in enumerate(MONTHS) if m.casefold() == key]
        out.append(match[0] if match and len(token) >= 3 else token)
    return out
