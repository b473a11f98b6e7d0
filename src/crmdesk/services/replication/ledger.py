"""The vault's history of changes: the main database keeps the changes of basic
information and of records' lives, each book those of its value-added information.

Called inside the caller's transaction; checks no permissions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from crmdesk.domain.replication.changes import ROW, Change
from crmdesk.domain.replication.clock import Stamp
from crmdesk.domain.replication.records import client_of, is_value_added

OFFICE = "office"  # the section (and key id) of basic information and records' lives
BOOK_PREFIX = "book:"
# Tables whose every column is value-added: their records' lives travel in the book
# too, so that not even how many purchases a client has shows outside it.
VALUE_ADDED_TABLES = frozenset(
    {"purchase", "pricing", "preference", "seasonal_need", "specification"}
)

_COLUMNS = "stamp, client, tbl, row, col, value, cl, base, resolves"


def book_section(book_id: str) -> str:
    return f"{BOOK_PREFIX}{book_id}"


def in_book(change: Change) -> bool:
    """Whether the change's value belongs in a book (else in the main database)."""
    if change.column == ROW:
        return change.table in VALUE_ADDED_TABLES
    return is_value_added(change.table, change.column)


def to_row(change: Change) -> tuple[Any, ...]:
    return (
        change.stamp.encode(),
        client_of(change.row),
        change.table,
        change.row,
        change.column,
        json.dumps(change.value, ensure_ascii=False, separators=(",", ":")),
        change.causal_length,
        change.base.encode() if change.base else None,
        json.dumps([s.encode() for s in change.resolves]) if change.resolves else None,
    )


def from_row(row: Sequence[Any]) -> Change:
    stamp, _, table, record, column, value, cl, base, resolves = row
    return Change(
        table,
        record,
        column,
        json.loads(value) if value is not None else None,
        int(cl),
        Stamp.decode(stamp),
        Stamp.decode(base) if base else None,
        tuple(Stamp.decode(s) for s in json.loads(resolves)) if resolves else (),
    )


def schemas(vault: Any) -> list[str]:
    """``main`` and the schema name of every book this person holds."""
    return ["main", *vault.held_books().values()]


def history(vault: Any, client: str) -> list[Change]:
    """Every change this vault has of one client's records (what this person may read)."""
    conn = vault.connection
    found: list[Change] = []
    for schema in schemas(vault):
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM {schema}.repl_changes WHERE client = ?", (client,)
        )
        found.extend(from_row(r) for r in rows)
    return found


def keep(vault: Any, changes: Iterable[Change], book_id: str) -> None:
    """Store changes: basic ones in main, value-added ones in book ``book_id`` (which
    this person must hold)."""
    conn = vault.connection
    book_schema: str | None = None
    main_rows, book_rows = [], []
    for change in changes:
        (book_rows if in_book(change) else main_rows).append(to_row(change))
    if book_rows:
        book_schema = vault.book_schema(book_id)
        if book_schema is None:
            raise LookupError(book_id)  # the caller checked it holds the book
    sql = "INSERT OR IGNORE INTO {}.repl_changes ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    if main_rows:
        conn.executemany(sql.format("main", _COLUMNS), main_rows)
    if book_rows:
        conn.executemany(sql.format(book_schema, _COLUMNS), book_rows)


def copy_to_book(vault: Any, client: str, source: str, target: str) -> list[Change]:
    """A moved client's value-added history, copied from book ``source`` into book
    ``target`` (both held); returns the copied changes, to send in the new book."""
    conn = vault.connection
    src, dst = vault.book_schema(source), vault.book_schema(target)
    if src is None or dst is None or src == dst:
        return []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {src}.repl_changes WHERE client = ?", (client,)
    ).fetchall()
    conn.executemany(
        f"INSERT OR IGNORE INTO {dst}.repl_changes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return [from_row(r) for r in rows]


def queue(vault: Any, changes: Iterable[Change], book_id: str) -> None:
    """Put this device's changes in its outbox, each under the section it travels in."""
    conn = vault.connection
    conn.executemany(
        "INSERT INTO repl_outbox (section, stamp) VALUES (?, ?)",
        [(book_section(book_id) if in_book(c) else OFFICE, c.stamp.encode()) for c in changes],
    )


def queued(vault: Any, limit: int, *, after: int = 0) -> list[tuple[int, str, Change]]:
    """About ``limit`` changes of the outbox after number ``after``, oldest first:
    (outbox number, section, change). A client's changes are never split between two
    files (one file makes it whole on a device that did not have it), so the last
    client's are all taken even past ``limit``. Changes of a book this person no longer
    holds are left out (they stay)."""
    conn = vault.connection
    rows = conn.execute(
        "SELECT seq, section, stamp FROM repl_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    ).fetchall()
    found = _changes_of(vault, rows)
    while len(rows) == limit and found:
        last_client = client_of(found[-1][2].row)
        more = conn.execute(
            "SELECT seq, section, stamp FROM repl_outbox WHERE seq > ? ORDER BY seq LIMIT 1000",
            (rows[-1][0],),
        ).fetchall()
        taken = []
        for entry in _changes_of(vault, more):
            if client_of(entry[2].row) != last_client:
                break
            taken.append(entry)
        found += taken
        if len(taken) < len(more) or not more:
            break
        rows = more
        limit = 1000
    return found


def _changes_of(vault: Any, rows: list[Any]) -> list[tuple[int, str, Change]]:
    conn = vault.connection
    found: list[tuple[int, str, Change]] = []
    for seq, section, stamp in rows:
        if section == OFFICE:
            schema: str | None = "main"
        else:
            schema = vault.book_schema(section[len(BOOK_PREFIX) :])
        if schema is None:
            continue
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM {schema}.repl_changes WHERE stamp = ?", (stamp,)
        ).fetchone()
        if row is not None:
            found.append((int(seq), str(section), from_row(row)))
    return found


def sent(vault: Any, numbers: Iterable[int]) -> None:
    vault.connection.executemany("DELETE FROM repl_outbox WHERE seq = ?", [(n,) for n in numbers])


def waiting(vault: Any) -> int:
    """How many of this device's changes wait in the outbox."""
    return int(vault.connection.execute("SELECT count(*) FROM repl_outbox").fetchone()[0])


# -- vault_info: the device's own facts ------------------------------------------------


def info(vault: Any, key: str) -> str | None:
    row = vault.connection.execute("SELECT value FROM vault_info WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_info(vault: Any, key: str, value: str) -> None:
    vault.connection.execute(
        "INSERT INTO vault_info (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
