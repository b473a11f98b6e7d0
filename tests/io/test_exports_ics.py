"""iCalendar export: CRLF, 75-octet folding, TEXT escaping, one VTODO per task.

Read back with a tiny RFC 5545 reader below (icalendar is not a dependency of crmdesk,
and one is not added for tests).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from crmdesk.io.ics_export import CalendarTodo, IcsWriter, escape_text, fold

STAMP = dt.datetime(2026, 11, 29, 9, 30, tzinfo=dt.UTC)


def write(todos: list[CalendarTodo]) -> bytes:
    out = io.StringIO(newline="")
    writer = IcsWriter(out, prodid="-//crmdesk//test//EN", stamp=STAMP, name="Follow-ups")
    writer.begin()
    for todo in todos:
        writer.add(todo)
    writer.end()
    return out.getvalue().encode("utf-8")


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(char)
    return "".join(out)


def parse(data: bytes) -> list[dict[str, str]]:
    """The VTODOs of a calendar, as {property name (with parameters): unescaped value}."""
    todos: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(data):
        name, _, value = line.partition(":")
        if line == "BEGIN:VTODO":
            current = {}
        elif line == "END:VTODO":
            assert current is not None
            todos.append(current)
            current = None
        elif current is not None:
            current[name] = unescape(value)
    return todos


def todo(n: int = 1, **changes) -> CalendarTodo:
    fields = {
        "uid": f"task-{n}@crmdesk",
        "due": dt.date(2026, 12, n),
        "summary": f"Call Zoë about order {n} — Zoë's Bakery",
        "description": "Client: Zoë's Bakery\nPhone: +12025550173",
    }
    return CalendarTodo(**(fields | changes))


def test_calendar_structure_with_one_vtodo_per_task():
    data = write([todo(1), todo(2), todo(3)])
    lines = unfold(data)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//crmdesk//test//EN"]
    assert lines[-1] == "END:VCALENDAR"
    todos = parse(data)
    assert len(todos) == 3 == lines.count("BEGIN:VTODO")
    first = todos[0]
    assert first["UID"] == "task-1@crmdesk"
    assert first["DUE;VALUE=DATE"] == "20261201" == first["DTSTART;VALUE=DATE"]
    assert first["DTSTAMP"] == "20261129T093000Z"
    assert first["SUMMARY"] == "Call Zoë about order 1 — Zoë's Bakery"
    assert first["DESCRIPTION"] == "Client: Zoë's Bakery\nPhone: +12025550173"
    assert first["STATUS"] == "NEEDS-ACTION"


def test_every_line_ends_with_crlf():
    data = write([todo(1, description="one\ntwo\r\nthree")])
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")


def test_commas_semicolons_backslashes_and_newlines_are_escaped():
    summary = "Ship 3,5 kg; ask re: C:\\orders\nthen call"
    data = write([todo(1, summary=summary)])
    raw = b"".join(data.split(b"\r\n "))  # unfolded, still escaped
    assert b"SUMMARY:Ship 3\\,5 kg\\; ask re: C:\\\\orders\\nthen call" in raw
    assert parse(data)[0]["SUMMARY"] == summary
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    summary = "Łukasiewicz — żółć, " * 12 + "🙂 end"
    data = write([todo(1, summary=summary, description="x" * 300)])
    physical = data.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    assert sum(line.startswith(b" ") for line in physical) > 5  # it was folded
    for line in physical:
        line.decode("utf-8")  # no piece ends inside a character
    assert parse(data)[0]["SUMMARY"] == summary
    assert parse(data)[0]["DESCRIPTION"] == "x" * 300


@pytest.mark.parametrize("length", [74, 75, 76, 149, 150, 151])
def test_fold_round_trips_at_the_edges(length):
    line = "X" * length
    folded = fold(line)
    assert all(len(p.encode()) <= 75 for p in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert (folded == line) == (length <= 75)
