"""Writing client records: basic information into the main database, value-added
information into the client's book, in the caller's one write transaction.

The book's part goes with its redo row in main (redo.py): SQLite commits the main file
first, and a crash before the book's commit is made good at the next open by someone
who holds the book. Saving a client rewrites its lists whole: a list is what the person
sees and edits, in their order. Contacts and interactions keep the ids they come with
(their value-added parts in the book are keyed by them), so that someone who does not
hold the book can edit their basic parts without losing what they cannot see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from crmdesk.domain import Client, fold

from . import crash, redo, search, value_added
from .books import BookRule, book_for, held_books
from .summaries import last_contact
from .tables import (
    CLIENT_FIELDS,
    CLIENT_FIELDS_SPLIT,
    CLIENT_TAGS,
    CLIENTS,
    CONTACTS,
    INTERACTIONS,
    TASKS,
    ChildTable,
)

_TAGS_SQL = f"INSERT OR IGNORE INTO {CLIENT_TAGS} (tag_key, client_id) VALUES (?, ?)"


def _client_values(client: Client) -> dict[str, Any]:
    """The client row's columns in main: the basic fields, sort key and last contact."""
    main, _ = CLIENT_FIELDS_SPLIT.parts(CLIENT_FIELDS.values(client))
    values = dict(zip(CLIENT_FIELDS_SPLIT.main_names, main, strict=True))
    values["sort_key"] = fold(client.name)
    values["last_contact"] = last_contact(client)
    return values


def insert_clients(
    vault: Any, clients: Sequence[Client], now: dt.datetime, today: dt.date
) -> list[int]:
    """Insert new clients with all their children; returns their ids.

    Ids are assigned here, inside the caller's write transaction, so that a batch of
    thousands (demo data, imports) goes in with one statement per table.
    """
    conn = vault.connection
    redo.settle(vault)
    held = held_books(vault)
    rule = BookRule(conn)
    first_client = _next_id(conn, CLIENTS)
    next_contact = _next_id(conn, CONTACTS.name)
    next_interaction = _next_id(conn, INTERACTIONS.name)
    stamp = now.isoformat()
    client_rows = []
    basic = _Rows()
    by_book: dict[str, list[tuple[int, value_added.ValueAdded]]] = {}
    ids = []
    for offset, client in enumerate(clients):
        client_id = first_client + offset
        ids.append(client_id)
        book_id = rule(client.salesperson)
        contact_ids = list(range(next_contact, next_contact + len(client.contacts)))
        interaction_ids = list(range(next_interaction, next_interaction + len(client.interactions)))
        next_contact += len(contact_ids)
        next_interaction += len(interaction_ids)
        client_rows.append(
            {
                **_client_values(client),
                "id": client_id,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "book_id": book_id,
            }
        )
        contact_values = [CONTACTS.shape.values(c) for c in client.contacts]
        _add_basic(basic, client_id, client, contact_ids, interaction_ids, contact_values)
        totals = [p.total for p in client.purchases]
        va = value_added.from_client(
            client, contact_ids, interaction_ids, today, totals, contact_values
        )
        if book_id in held:
            by_book.setdefault(book_id, []).append((client_id, va))
        elif not value_added.is_empty(va):
            raise redo.not_held(book_id)
    if client_rows:
        columns = list(client_rows[0])
        conn.executemany(
            f"INSERT INTO {CLIENTS} ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            client_rows,
        )
        basic.write(conn)
    for book_id, entries in by_book.items():
        redo.write_into_book(vault, book_id, entries)
    return ids


def update_client(
    vault: Any, client: Client, now: dt.datetime, today: dt.date, *, whole: bool = False
) -> int:
    """Rewrite a client and its children; returns the new version.

    A new salesperson whose book is another one moves the client: its value-added rows
    are written into the new book and the client row points there, in this transaction;
    the rows left in the old book are invisible from then on and are cleared by a later
    transaction (:func:`crmdesk.services.client_store.finish_moves`, or the next open).
    Moving needs both books: the record was read whole from the old one. ``whole``: the
    client is given whole from elsewhere (a merge of changes received), so the old book
    is not needed, and a new book not held gets nothing (its value-added part is empty).
    """
    assert client.id is not None
    conn = vault.connection
    redo.settle(vault)
    held = held_books(vault)
    (source,) = conn.execute(f"SELECT book_id FROM {CLIENTS} WHERE id = ?", (client.id,)).fetchone()
    target = book_for(conn, client.salesperson)
    if source != target and not whole:
        for book_id in (source, target):
            if book_id not in held:
                raise redo.not_held(book_id)
    contact_ids = _kept_ids(conn, CONTACTS, client.id, client.contacts)
    interaction_ids = _kept_ids(conn, INTERACTIONS, client.id, client.interactions)
    totals = [p.total for p in client.purchases]
    va = value_added.from_client(client, contact_ids, interaction_ids, today, totals)
    if target not in held and not value_added.is_empty(va):
        raise redo.not_held(target)
    values = _client_values(client) | {
        "updated_at": now.isoformat(),
        "book_id": target,
        "id": client.id,
    }
    assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    conn.execute(
        f"UPDATE {CLIENTS} SET {assignments}, version = version + 1 WHERE id = :id", values
    )
    _delete_basic(conn, client.id)
    basic = _Rows()
    _add_basic(basic, client.id, client, contact_ids, interaction_ids)
    basic.write(conn)
    if target in held:
        redo.write_into_book(vault, target, [(client.id, va)])
    if source != target:
        redo.leave_note(vault, source, [client.id])
        crash.point("move:written")
    row = conn.execute(f"SELECT version FROM {CLIENTS} WHERE id = ?", (client.id,)).fetchone()
    return int(row[0])


def delete_client(vault: Any, client_id: int) -> None:
    conn = vault.connection
    redo.settle(vault)
    row = conn.execute(f"SELECT book_id FROM {CLIENTS} WHERE id = ?", (client_id,)).fetchone()
    conn.execute(search.DELETE_SQL, (client_id,))
    conn.execute(f"DELETE FROM {CLIENTS} WHERE id = ?", (client_id,))  # children cascade
    if row is None:
        return
    # The book's rows go now if this person holds it; the note makes sure they go even
    # if the book's commit is lost, or by the next holder's hand.
    redo.leave_note(vault, row[0], [client_id])
    schema = vault.book_schema(row[0])
    if schema is not None:
        value_added.remove(conn, schema, [client_id])


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def _kept_ids(conn: Any, table: ChildTable, client_id: int, items: Iterable[Any]) -> list[int]:
    """Ids for a client's new list: each item keeps its id if it is one of this client's
    (once), the others get new ones."""
    existing = {
        r[0] for r in conn.execute(f"SELECT id FROM {table.name} WHERE client_id = ?", (client_id,))
    }
    next_id = _next_id(conn, table.name)
    ids = []
    for item in items:
        if item.id in existing:
            existing.discard(item.id)
            ids.append(item.id)
        else:
            ids.append(next_id)
            next_id += 1
    return ids


class _Rows:
    """Rows of some tables for one or many clients, written a table at a time."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def __getitem__(self, sql: str) -> list[tuple[Any, ...]]:
        return self.rows.setdefault(sql, [])

    def write(self, conn: Any) -> None:
        for sql, rows in self.rows.items():
            if rows:
                conn.executemany(sql, rows)


_INSERT = {t.name: t.insert_sql() for t in (CONTACTS, INTERACTIONS, TASKS)}


def _add_basic(
    rows: _Rows,
    cid: int,
    c: Client,
    contact_ids: Sequence[int],
    interaction_ids: Sequence[int],
    contact_values: Sequence[Sequence[Any]] | None = None,
) -> None:
    """The client's tags, search entry (name and basic text), contacts' and
    interactions' basic parts, and tasks. ``contact_values``: the contacts' column
    values, when the caller has them already."""
    if c.tags:
        rows[_TAGS_SQL].extend((fold(t), cid) for t in c.tags)
    name, basic, _ = search.search_document(c)
    rows[search.INSERT_SQL].append((cid, name, basic))
    if contact_values is None:
        contact_values = [CONTACTS.shape.values(x) for x in c.contacts]
    main_part = CONTACTS.split.parts
    rows[_INSERT[CONTACTS.name]].extend(
        (i, cid, pos, *main_part(values)[0])
        for pos, (i, values) in enumerate(zip(contact_ids, contact_values, strict=True))
    )
    if c.interactions:
        split, values = INTERACTIONS.split, INTERACTIONS.shape.values
        rows[_INSERT[INTERACTIONS.name]].extend(
            (i, cid, *split.parts(values(x))[0])
            for i, x in zip(interaction_ids, c.interactions, strict=True)
        )
    if c.tasks:
        task_values = TASKS.shape.values
        rows[_INSERT[TASKS.name]].extend((cid, *task_values(x)) for x in c.tasks)


def _delete_basic(conn: Any, client_id: int) -> None:
    for table in (CONTACTS, INTERACTIONS, TASKS):
        conn.execute(f"DELETE FROM {table.name} WHERE client_id = ?", (client_id,))
    conn.execute(f"DELETE FROM {CLIENT_TAGS} WHERE client_id = ?", (client_id,))
    conn.execute(search.DELETE_SQL, (client_id,))
