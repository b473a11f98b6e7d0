"""What a person or client is called when a file gives no name.

A contact needs only one of a name, an organisation, an email address or a phone number
to be worth keeping: a phone's address book is full of entries with only a number. The
name shown falls back in that order.
"""

from __future__ import annotations

from collections.abc import Sequence


def fallback_name(
    name: str, organisation: str = "", emails: Sequence[str] = (), phones: Sequence[str] = ()
) -> str:
    """The first of the name, the organisation, the first email address and the first
    phone number (as written) that is there; "" when there is none of them."""
    for candidate in (name, organisation, *emails[:1], *phones[:1]):
        text = " ".join(str(candidate).split())
        if text:
            return text
    return ""


def kept_line(what: str, value: str, why: str = "") -> str:
    """A value that could not be read, kept in the notes where people see and fix it:
    ``⚠ Phone (column "Mobile"), kept as written: 12 (not a possible phone number)``."""
    because = f" ({why})" if why else ""
    return f"⚠ {what}, kept as written: {value}{because}"


def labelled_line(label: str, value: str) -> str:
    """A value crmdesk has no field for, kept in the notes: ``Nickname: Bob``."""
    return f"{label}: {value}"


def add_lines(notes: str, lines: Sequence[str]) -> str:
    """``notes`` with ``lines`` after it (a line that is already there is not repeated)."""
    have = set(notes.splitlines())
    new = [line for line in lines if line and line not in have]
    if not new:
        return notes
    return "\n".join([notes, *new]) if notes else "\n".join(new)
