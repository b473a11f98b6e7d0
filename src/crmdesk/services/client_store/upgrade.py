"""A vault of the old layout's value-added information put into books (the upgrade's
step for the client store).

A vault of schema 3 to 6 kept everything in its main database. When it is upgraded,
schema 7 first leaves the value-added columns and tables where they are
(vault/migrations.py); this step then copies each client's value-added rows into the
book of its salesperson (or the house book), a batch per transaction, and finally, in
one transaction, drops them from main, rebuilds main's search index over names and
basic text, and writes the marker (``value_added_in_books`` in vault_info). Cut short
anywhere before that last commit, it starts again at the next open: copying a client
again replaces what the first copy wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from crmdesk.domain import Client
from crmdesk.vault.migrations import VALUE_ADDED_IN_BOOKS, VALUE_ADDED_OUT

from . import crash, search, value_added
from .books import BookRule
from .redo import not_held
from .tables import (
    BOOK_LISTS,
    CLIENT_FIELDS,
    CLIENT_FIELDS_SPLIT,
    CLIENTS,
    CONTACTS,
    INTERACTIONS,
    PURCHASE_ITEMS,
    PURCHASES,
    TASKS,
    VALUE_ADDED_SUMMARIES,
)
from .value_added import ValueAdded

_BATCH = 500
# The copy's version in the books: older than any change made afterwards (those start
# at 1).
_COPIED = 0


def needs_moving(conn: Any) -> bool:
    """Whether the main database still holds value-added information to move."""
    marked = conn.execute(
        "SELECT 1 FROM vault_info WHERE key = ?", (VALUE_ADDED_IN_BOOKS,)
    ).fetchone()
    columns = {r[1] for r in conn.execute(f"PRAGMA main.table_info({CLIENTS})")}
    return marked is None and "notes" in columns


def move_value_added_into_books(vault: Any) -> None:
    """Each client's value-added rows into the book of its salesperson (or the house
    book), then out of the main database."""
    with vault.reading() as conn:
        if not needs_moving(conn):
            return
        clients = conn.execute(f"SELECT id, salesperson FROM {CLIENTS} ORDER BY id").fetchall()
    for start in range(0, len(clients), _BATCH):
        batch = clients[start : start + _BATCH]
        with vault.transaction() as conn:
            rule = BookRule(conn)
            rows = _old_rows(conn, [c[0] for c in batch])
            by_book: dict[str, list[tuple[int, int, ValueAdded]]] = {}
            for client_id, salesperson in batch:
                book_id = rule(salesperson)
                conn.execute(f"UPDATE {CLIENTS} SET book_id = ? WHERE id = ?", (book_id, client_id))
                by_book.setdefault(book_id, []).append((client_id, _COPIED, rows[client_id]))
            for book_id, entries in by_book.items():
                schema = vault.book_schema(book_id)
                if schema is None:
                    raise not_held(book_id)
                value_added.write(conn, schema, entries)
        crash.point("upgrade:copied")
    with vault.transaction() as conn:
        documents = _basic_documents(conn, [c[0] for c in clients])
        for statement in VALUE_ADDED_OUT:
            conn.execute(statement)
        conn.executemany(search.INSERT_SQL, documents)
        conn.execute("DELETE FROM vault_info WHERE key = 'spend_12m_as_of'")
        conn.execute(
            "INSERT INTO vault_info (key, value) VALUES (?, ?)",
            (VALUE_ADDED_IN_BOOKS, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        )
    crash.point("upgrade:dropped")
    # The WAL still holds the pages as they were before the drop: copied into the file
    # (where secure_delete left zeros for what was dropped) and emptied. Another reader
    # (none, in an upgrade) would keep them there until the next checkpoint.
    with vault.reading() as conn:
        conn.execute("PRAGMA main.wal_checkpoint(TRUNCATE)").fetchall()


def _grouped(conn: Any, sql: str, ids: Sequence[int]) -> dict[int, list[list[Any]]]:
    """Rows of ``sql`` (first column the client id) for some clients, by client."""
    found: dict[int, list[list[Any]]] = {}
    for r in conn.execute(sql, (json.dumps(list(ids)),)):
        found.setdefault(r[0], []).append(list(r[1:]))
    return found


_IN = "client_id IN (SELECT value FROM json_each(?))"


def _old_rows(conn: Any, ids: Sequence[int]) -> dict[int, ValueAdded]:
    """The value-added rows of some clients as the old layout kept them in main."""
    clients = _grouped(
        conn,
        f"SELECT id, notes, {', '.join(VALUE_ADDED_SUMMARIES)} FROM main.{CLIENTS}"
        " WHERE id IN (SELECT value FROM json_each(?))",
        ids,
    )
    contacts = _grouped(
        conn,
        f"SELECT client_id, id, {', '.join(CONTACTS.split.book_names)}, birthday_md"
        f" FROM main.{CONTACTS.name} WHERE {_IN} ORDER BY client_id, position",
        ids,
    )
    interactions = _grouped(
        conn,
        f"SELECT client_id, id, {', '.join(INTERACTIONS.split.book_names)}"
        f" FROM main.{INTERACTIONS.name} WHERE {_IN} ORDER BY client_id, date, id",
        ids,
    )
    items: dict[int, list[list[Any]]] = {}
    for r in conn.execute(
        f"SELECT i.purchase_id, i.position, {', '.join(PURCHASE_ITEMS.shape.names)}"
        f" FROM main.{PURCHASE_ITEMS.name} i JOIN main.{PURCHASES.name} p ON p.id = i.purchase_id"
        " WHERE p.client_id IN (SELECT value FROM json_each(?)) ORDER BY i.purchase_id, i.position",
        (json.dumps(list(ids)),),
    ):
        items.setdefault(r[0], []).append(list(r[1:]))
    purchases: dict[int, list[list[Any]]] = {}
    for r in conn.execute(
        f"SELECT client_id, id, {', '.join(PURCHASES.shape.names)}, total_cents"
        f" FROM main.{PURCHASES.name} WHERE {_IN} ORDER BY client_id, date, id",
        (json.dumps(list(ids)),),
    ):
        purchases.setdefault(r[0], []).append([*r[2:], items.get(r[1], [])])
    lists = {
        t.name: _grouped(
            conn,
            f"SELECT client_id, position, {', '.join(t.shape.names)} FROM main.{t.name}"
            f" WHERE {_IN} ORDER BY client_id, position",
            ids,
        )
        for t in BOOK_LISTS
    }
    found = {}
    for client_id in ids:
        (client_row,) = clients[client_id]
        found[client_id] = ValueAdded(
            client_row,
            contacts.get(client_id, []),
            interactions.get(client_id, []),
            purchases.get(client_id, []),
            {name: rows[client_id] for name, rows in lists.items() if client_id in rows},
        )
    return found


def _basic_documents(conn: Any, ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(client id, folded name, basic text) of every client: main's new search index."""
    documents = []
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        for client in _basic_clients(conn, batch):
            name, basic, _ = search.search_document(client)
            assert client.id is not None
            documents.append((client.id, name, basic))
    return documents


def _basic_clients(conn: Any, ids: Sequence[int]) -> list[Client]:
    """Some clients with their basic information only (what main's index holds)."""
    lists: dict[str, dict[int, list[Any]]] = {}
    for table in (CONTACTS, INTERACTIONS):
        split = table.split
        lists[table.field] = {
            client_id: [split.shape.build(split.join(r, None)) for r in rows]
            for client_id, rows in _grouped(
                conn,
                f"SELECT client_id, {', '.join(split.main_names)} FROM main.{table.name}"
                f" WHERE {_IN} ORDER BY client_id, {table.order}",
                ids,
            ).items()
        }
    lists[TASKS.field] = {
        client_id: [TASKS.shape.build(r) for r in rows]
        for client_id, rows in _grouped(
            conn,
            f"SELECT client_id, {', '.join(TASKS.shape.names)} FROM main.{TASKS.name}"
            f" WHERE {_IN} ORDER BY client_id, due, id",
            ids,
        ).items()
    }
    split = CLIENT_FIELDS_SPLIT
    return [
        CLIENT_FIELDS.build(
            split.join(r[1:], None),
            id=r[0],
            **{field: found.get(r[0], []) for field, found in lists.items()},
        )
        for r in conn.execute(
            f"SELECT id, {', '.join(split.main_names)} FROM main.{CLIENTS}"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
    ]
