"""Open follow-up tasks as an iCalendar file (RFC 5545) for calendar and to-do apps.

Written by hand: one VCALENDAR with a VTODO per task (DTSTART and DUE as dates), text
escaped (backslash, semicolon, comma, newline), lines folded at 75 octets without
splitting a UTF-8 character, CRLF line ends. Tasks are written one at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TextIO

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True, slots=True)
class CalendarTodo:
    """One follow-up as it goes into the calendar."""

    uid: str
    due: dt.date
    summary: str
    description: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): ``\\``, ``;`` and ``,`` escaped, newlines as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into pieces of at most 75 octets, joined by CRLF and a space.

    The space that starts each continuation counts toward its 75 octets, and a piece
    never ends inside a multi-byte UTF-8 character.
    """
    if len(line) * 4 <= MAX_OCTETS or len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    pieces: list[str] = []
    start = 0
    used = 0
    limit = MAX_OCTETS
    for index, char in enumerate(line):
        size = len(char.encode("utf-8"))
        if used + size > limit:
            pieces.append(line[start:index])
            start, used, limit = index, 0, MAX_OCTETS - 1
        used += size
    pieces.append(line[start:])
    return (CRLF + " ").join(pieces)


def content_line(name: str, value: str) -> str:
    """A folded content line with its CRLF; ``value`` must already be escaped."""
    return fold(f"{name}:{value}") + CRLF


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


class IcsWriter:
    """Streams a calendar to ``out`` (text, UTF-8, ``newline=""``).

    ``prodid`` names the program; ``stamp`` (UTC) is every task's DTSTAMP, the time the
    file was made. Call :meth:`begin`, :meth:`add` per task, then :meth:`end`.
    """

    def __init__(self, out: TextIO, *, prodid: str, stamp: dt.datetime, name: str = "") -> None:
        self._out = out
        self._prodid = prodid
        self._stamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        self._name = name

    def begin(self) -> None:
        lines = [
            content_line("BEGIN", "VCALENDAR"),
            content_line("VERSION", "2.0"),
            content_line("PRODID", self._prodid),
            content_line("CALSCALE", "GREGORIAN"),
            content_line("METHOD", "PUBLISH"),
        ]
        if self._name:
            lines.append(content_line("X-WR-CALNAME", escape_text(self._name)))
        self._out.write("".join(lines))

    def add(self, todo: CalendarTodo) -> None:
        day = _date(todo.due)
        lines = [
            content_line("BEGIN", "VTODO"),
            content_line("UID", todo.uid),
            content_line("DTSTAMP", self._stamp),
            content_line("DTSTART;VALUE=DATE", day),
            content_line("DUE;VALUE=DATE", day),
            content_line("SUMMARY", escape_text(todo.summary)),
        ]
        if todo.description:
            lines.append(content_line("DESCRIPTION", escape_text(todo.description)))
        lines += [content_line("STATUS", "NEEDS-ACTION"), content_line("END", "VTODO")]
        self._out.write("".join(lines))

    def end(self) -> None:
        self._out.write(content_line("END", "VCALENDAR"))
        self._out.flush()
