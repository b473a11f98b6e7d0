"""Property values of vCards as text: escapes undone, structured values split.

vCard 3.0 and 4.0 escape "\\", ",", ";" and line breaks in text; Apple also escapes ":"
(``URL:http\\://…``) and writers of every version leave backslashes that are not
escapes. Everything after a backslash is taken literally, except n and N (a line break),
so none of them can drop a card.
"""

from __future__ import annotations

import re

from .import_dates import DateOrder, normalise_date

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def unescape(text: str) -> str:
    """Text as written, escapes undone: ``a\\,b\\nc\\:d`` -> ``a,b`` newline ``c:d``."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, end = 0, len(text)
    while i < end:
        ch = text[i]
        if ch == "\\" and i + 1 < end:
            nxt = text[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def split_escaped(text: str, sep: str) -> list[str]:
    """Split at ``sep`` where it is not escaped; the parts keep their other escapes."""
    parts: list[str] = []
    current: list[str] = []
    i, end = 0, len(text)
    while i < end:
        ch = text[i]
        if ch == "\\" and i + 1 < end:
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def text_value(raw: str) -> str:
    """A text property's value, unescaped and trimmed."""
    return unescape(raw).strip()


def structured(raw: str, size: int) -> list[str]:
    """The ``size`` components of N, ADR or ORG (missing ones empty), each unescaped;
    a component holding several values (vCard 4) has them joined with ", "."""
    parts = split_escaped(raw, ";")
    parts += [""] * (size - len(parts))
    return [
        ", ".join(p for p in (unescape(v).strip() for v in split_escaped(part, ",")) if p)
        for part in parts[:size]
    ]


def components(raw: str) -> list[str]:
    """Every component of a structured value (ORG's units), unescaped."""
    return [unescape(p).strip() for p in split_escaped(raw, ";")]


def listed(raw: str) -> list[str]:
    """The values of a list property (CATEGORIES, NICKNAME), unescaped."""
    return [v for v in (unescape(p).strip() for p in split_escaped(raw, ",")) if v]


def one_line(text: str) -> str:
    """Line breaks inside a value that must be one line (a street) as ", "."""
    return ", ".join(p.strip() for p in _LINE_BREAKS.split(text) if p.strip())


def uri_value(raw: str) -> str:
    """A URI as written: Apple's escaped colon undone, a tel: or mailto: prefix kept."""
    return unescape(raw).strip()


def phone_value(raw: str) -> str:
    """vCard 4 writes numbers as URIs: ``tel:+1-202-555-0123;ext=5``."""
    text = unescape(raw).strip()
    return text[4:] if text[:4].lower() == "tel:" else text


def email_value(raw: str) -> str:
    text = unescape(raw).strip()
    return text[7:] if text[:7].lower() == "mailto:" else text


def date_value(raw: str) -> str:
    """A date as ``YYYY-MM-DD`` (or ``1900-MM-DD`` without a year) when it reads as one,
    else the text as written (which validation then refuses, showing it)."""
    text = unescape(raw).strip()
    day = text.split("T")[0] if len(text) > 10 and "T" in text[8:11] else text
    return normalise_date(day, DateOrder.MDY) or text
