"""Reading client records back: one in full, many in part, and the odd detail.

A client's value-added rows are read from its book (``clients.book_id``) when this
person holds it, and only then: otherwise they read as withheld (the fields' defaults),
as :func:`crmdesk.domain.need_to_know.redact_client` would show them. Functions that read
value-added information take the vault (for its held books); the others a connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from crmdesk.domain import Client, LineItem, Task

from .rows import strings
from .tables import (
    BOOK_CLIENTS,
    BOOK_LISTS,
    CARD_CONTACT,
    CLIENT_FIELDS,
    CLIENT_FIELDS_SPLIT,
    CLIENT_ROW_SPLIT,
    CLIENTS,
    CONTACTS,
    PURCHASE_ITEMS,
    PURCHASES,
    SPLIT_TABLES,
    TASKS,
    ChildTable,
    Split,
)

_CLIENT_SQL = (
    f"SELECT book_id, {', '.join(CLIENT_ROW_SPLIT.main_names)} FROM {CLIENTS} WHERE id = ?"
)
_CARD_SPLIT = Split(CARD_CONTACT)


def load_client(vault: Any, client_id: int) -> Client | None:
    """A client with everything hanging off it (value-added parts withheld when this
    person does not hold its book), or None."""
    conn = vault.connection
    row = conn.execute(_CLIENT_SQL, (client_id,)).fetchone()
    if row is None:
        return None
    schema = vault.book_schema(row[0])
    book_row = None
    if schema is not None:
        book_row = conn.execute(
            f"SELECT {', '.join(CLIENT_ROW_SPLIT.book_names)} FROM {schema}.{BOOK_CLIENTS}"
            " WHERE client_id = ?",
            (client_id,),
        ).fetchone()
    lists = _basic_lists(conn, schema, client_id)
    if schema is not None:
        lists |= _value_added_lists(conn, schema, client_id)
    values = CLIENT_ROW_SPLIT.join(row[1:], book_row)
    return CLIENT_ROW_SPLIT.shape.build(values, **lists, id=client_id)  # type: ignore[no-any-return]


def _book_parts(conn: Any, schema: str | None, table: ChildTable, client_id: int) -> dict[int, Any]:
    if schema is None:
        return {}
    return {r[0]: r[1:] for r in conn.execute(table.book_select_sql(schema), (client_id,))}


def _basic_lists(conn: Any, schema: str | None, client_id: int) -> dict[str, list[Any]]:
    """Contacts and interactions (with their value-added parts from the book), tasks."""
    lists: dict[str, list[Any]] = {}
    for table in SPLIT_TABLES:
        split, parts = table.split, _book_parts(conn, schema, table, client_id)
        lists[table.field] = [
            split.shape.build(split.join(r[1:], parts.get(r[0])), id=r[0])
            for r in conn.execute(table.select_sql(), (client_id,))
        ]
    build = TASKS.shape.build
    lists[TASKS.field] = [
        build(r[1:], id=r[0]) for r in conn.execute(TASKS.select_sql(), (client_id,))
    ]
    return lists


def _value_added_lists(conn: Any, schema: str, client_id: int) -> dict[str, list[Any]]:
    """Purchases with their items, pricing, preferences, seasonal needs, specifications."""
    lists = {
        t.field: [
            t.shape.build(r[1:], id=r[0]) for r in conn.execute(t.select_sql(schema), (client_id,))
        ]
        for t in BOOK_LISTS
    }
    items: dict[int, list[LineItem]] = {}
    build_item = PURCHASE_ITEMS.shape.build
    for r in conn.execute(
        f"SELECT i.purchase_id, {', '.join(f'i.{n}' for n in PURCHASE_ITEMS.shape.names)}"
        f" FROM {schema}.{PURCHASE_ITEMS.name} i JOIN {schema}.{PURCHASES.name} p"
        " ON p.id = i.purchase_id WHERE p.client_id = ? ORDER BY i.purchase_id, i.position",
        (client_id,),
    ):
        items.setdefault(r[0], []).append(build_item(r[1:]))
    build = PURCHASES.shape.build
    lists[PURCHASES.field] = [
        build(r[1:], id=r[0], items=items.get(r[0], []))
        for r in conn.execute(PURCHASES.select_sql(schema), (client_id,))
    ]
    return lists


def load_clients(vault: Any, ids: Iterable[int]) -> dict[int, Client]:
    """Some clients whole, by id, each exactly as :func:`load_client` gives it (those of
    ``ids`` that are clients). Read in bulk, a few queries for them all instead of a
    dozen a client: what a JSON Lines export of 100,000 clients reads."""
    conn = vault.connection
    wanted = json.dumps(sorted(set(ids)))
    rows = conn.execute(
        f"SELECT id, book_id, {', '.join(CLIENT_ROW_SPLIT.main_names)} FROM {CLIENTS}"
        " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (wanted,),
    ).fetchall()
    by_book: dict[str, list[int]] = {}
    for r in rows:
        by_book.setdefault(r[1], []).append(r[0])
    book_rows: dict[int, tuple[Any, ...]] = {}
    book_parts: dict[str, dict[int, tuple[Any, ...]]] = {t.name: {} for t in SPLIT_TABLES}
    lists: dict[int, dict[str, list[Any]]] = {r[0]: {} for r in rows}
    for book_id, client_ids in by_book.items():
        schema = vault.book_schema(book_id)
        if schema is None:
            continue  # withheld: the book's fields read as their defaults
        those = json.dumps(client_ids)
        for r in conn.execute(
            f"SELECT client_id, {', '.join(CLIENT_ROW_SPLIT.book_names)}"
            f" FROM {schema}.{BOOK_CLIENTS} WHERE client_id IN (SELECT value FROM json_each(?))",
            (those,),
        ):
            book_rows[r[0]] = r[1:]
        for table in SPLIT_TABLES:
            parts = book_parts[table.name]
            for r in conn.execute(table.book_select_many_sql(schema), (those,)):
                parts[r[0]] = r[1:]
        for client_id in client_ids:  # the value-added lists: empty unless read below
            lists[client_id] |= {t.field: [] for t in (*BOOK_LISTS, PURCHASES)}
        _many_value_added_lists(conn, schema, those, lists)
    for table in SPLIT_TABLES:
        split, parts = table.split, book_parts[table.name]
        for client_id in lists:
            lists[client_id][table.field] = []
        for r in conn.execute(table.select_many_sql(), (wanted,)):
            item = split.shape.build(split.join(r[2:], parts.get(r[1])), id=r[1])
            lists[r[0]][table.field].append(item)
    build_task = TASKS.shape.build
    for client_id in lists:
        lists[client_id][TASKS.field] = []
    for r in conn.execute(TASKS.select_many_sql(), (wanted,)):
        lists[r[0]][TASKS.field].append(build_task(r[2:], id=r[1]))
    build = CLIENT_ROW_SPLIT.shape.build
    return {
        r[0]: build(CLIENT_ROW_SPLIT.join(r[2:], book_rows.get(r[0])), **lists[r[0]], id=r[0])
        for r in rows
    }


def _many_value_added_lists(
    conn: Any, schema: str, those: str, lists: dict[int, dict[str, list[Any]]]
) -> None:
    """Purchases with their items, pricing, preferences, seasonal needs and
    specifications of some clients of one book, into ``lists`` (by client)."""
    for table in BOOK_LISTS:
        build = table.shape.build
        for r in conn.execute(table.select_many_sql(schema), (those,)):
            lists[r[0]][table.field].append(build(r[2:], id=r[1]))
    items: dict[int, list[LineItem]] = {}
    build_item = PURCHASE_ITEMS.shape.build
    for r in conn.execute(
        f"SELECT i.purchase_id, {', '.join(f'i.{n}' for n in PURCHASE_ITEMS.shape.names)}"
        f" FROM {schema}.{PURCHASE_ITEMS.name} i JOIN {schema}.{PURCHASES.name} p"
        " ON p.id = i.purchase_id WHERE p.client_id IN (SELECT value FROM json_each(?))"
        " ORDER BY i.purchase_id, i.position",
        (those,),
    ):
        items.setdefault(r[0], []).append(build_item(r[1:]))
    build = PURCHASES.shape.build
    for r in conn.execute(PURCHASES.select_many_sql(schema), (those,)):
        lists[r[0]][PURCHASES.field].append(build(r[2:], id=r[1], items=items.get(r[1], [])))


def load_cards(vault: Any, ids: Iterable[int], *, every_contact: bool = True) -> dict[int, Client]:
    """Some clients' basic information, notes and contacts (other lists left empty):
    what an address book or spreadsheet holds. Without ``every_contact``, only the
    first contact of each. Notes, birthdays and contact notes come from the books this
    person holds.

    Read in bulk (a few queries, not a dozen a client as loading whole records would):
    this is what makes an export of 100,000 clients take seconds.
    """
    conn = vault.connection
    wanted = json.dumps(sorted(ids))
    rows = conn.execute(
        f"SELECT id, book_id, {', '.join(CLIENT_FIELDS_SPLIT.main_names)} FROM {CLIENTS}"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ).fetchall()
    notes: dict[int, tuple[Any, ...]] = {}
    profiles: dict[int, tuple[Any, ...]] = {}
    by_book: dict[str, list[int]] = {}
    for r in rows:
        by_book.setdefault(r[1], []).append(r[0])
    for book_id, client_ids in by_book.items():
        schema = vault.book_schema(book_id)
        if schema is None:
            continue
        those = json.dumps(client_ids)
        for r in conn.execute(
            f"SELECT client_id, {', '.join(CLIENT_FIELDS_SPLIT.book_names)}"
            f" FROM {schema}.{BOOK_CLIENTS} WHERE client_id IN (SELECT value FROM json_each(?))",
            (those,),
        ):
            notes[r[0]] = r[1:]
        for r in conn.execute(
            f"SELECT contact_id, {', '.join(_CARD_SPLIT.book_names)}"
            f" FROM {schema}.{CONTACTS.book_table}"
            " WHERE client_id IN (SELECT value FROM json_each(?))",
            (those,),
        ):
            profiles[r[0]] = r[1:]
    contacts: dict[int, list[Any]] = {}
    build_contact = CARD_CONTACT.build
    for r in conn.execute(
        f"SELECT client_id, id, {', '.join(_CARD_SPLIT.main_names)} FROM {CONTACTS.name}"
        " WHERE client_id IN (SELECT value FROM json_each(?))"
        + ("" if every_contact else " AND position = 0")
        + " ORDER BY client_id, position",
        (wanted,),
    ):
        values = _CARD_SPLIT.join(r[2:], profiles.get(r[1]))
        contacts.setdefault(r[0], []).append(build_contact(values))
    build = CLIENT_FIELDS.build
    return {
        r[0]: build(
            CLIENT_FIELDS_SPLIT.join(r[2:], notes.get(r[0])),
            contacts=contacts.get(r[0], []),
            id=r[0],
        )
        for r in rows
    }


def most_addresses(conn: Any) -> int:
    """The most addresses any client has (a CSV export's numbered address columns)."""
    row = conn.execute(f"SELECT max(json_array_length(addresses)) FROM {CLIENTS}").fetchone()
    return int(row[0] or 0)


def open_tasks_of(conn: Any, ids: Sequence[int]) -> dict[int, list[Task]]:
    """The open tasks of some clients, by client, each client's by due date."""
    tasks: dict[int, list[Task]] = {}
    build = TASKS.shape.build
    for r in conn.execute(
        f"SELECT client_id, id, {', '.join(TASKS.shape.names)} FROM {TASKS.name}"
        " WHERE done = 0 AND client_id IN (SELECT value FROM json_each(?))"
        " ORDER BY client_id, due, id",
        (json.dumps(list(ids)),),
    ):
        tasks.setdefault(r[0], []).append(build(r[2:], id=r[1]))
    return tasks


def client_name(conn: Any, client_id: int) -> str:
    """A client's name; empty if there is no such client."""
    row = conn.execute(f"SELECT name FROM {CLIENTS} WHERE id = ?", (client_id,)).fetchone()
    return row[0] if row else ""


def client_names(conn: Any, ids: Iterable[int]) -> dict[int, str]:
    """The names of those of ``ids`` that are clients."""
    rows = conn.execute(
        f"SELECT id, name FROM {CLIENTS} WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(ids)),),
    )
    return {r[0]: r[1] for r in rows}


def reachability(conn: Any) -> Iterator[tuple[int, str, list[str], list[str]]]:
    """(client id, name, emails, phones) of every client, then (client id, "", emails,
    phones) of every contact: what tells whether a new client is already there."""
    for client_id, name, emails, phones in conn.execute(
        f"SELECT id, name, emails, phones FROM {CLIENTS} ORDER BY id"
    ):
        yield client_id, name, strings(emails), strings(phones)
    for client_id, emails, phones in conn.execute(
        f"SELECT client_id, emails, phones FROM {CONTACTS.name} ORDER BY client_id"
    ):
        yield client_id, "", strings(emails), strings(phones)
