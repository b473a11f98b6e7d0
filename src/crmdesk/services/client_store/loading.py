"""Reading client records back: one in full, many in part, and the odd detail."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from crmdesk.domain import Client, LineItem, Task

from .rows import strings
from .tables import (
    BASIC_TABLES,
    CARD_CONTACT,
    CLIENT_FIELDS,
    CLIENT_ROW,
    CLIENTS,
    CONTACTS,
    PURCHASE_ITEMS,
    PURCHASES,
    TASKS,
    VALUE_ADDED_TABLES,
    ChildTable,
)

_CLIENT_SQL = f"SELECT {', '.join(CLIENT_ROW.names)} FROM {CLIENTS} WHERE id = ?"


def load_client(conn: Any, client_id: int) -> Client | None:
    """A client with everything hanging off it, or None."""
    row = conn.execute(_CLIENT_SQL, (client_id,)).fetchone()
    if row is None:
        return None
    lists = _basic_lists(conn, client_id) | _value_added_lists(conn, client_id)
    return CLIENT_ROW.build(row, **lists, id=client_id)  # type: ignore[no-any-return]


_SELECT = {t.name: t.select_sql() for t in (*BASIC_TABLES, *VALUE_ADDED_TABLES)}
_ITEMS_SQL = (
    f"SELECT i.purchase_id, {', '.join(f'i.{name}' for name in PURCHASE_ITEMS.shape.names)}"
    f" FROM {PURCHASE_ITEMS.name} i JOIN {PURCHASES.name} p ON p.id = i.purchase_id"
    " WHERE p.client_id = ? ORDER BY i.purchase_id, i.position"
)


def _children(conn: Any, table: ChildTable, parent_id: int) -> list[Any]:
    build = table.shape.build
    return [build(r[1:], id=r[0]) for r in conn.execute(_SELECT[table.name], (parent_id,))]


def _basic_lists(conn: Any, client_id: int) -> dict[str, list[Any]]:
    """Contacts, interactions and tasks."""
    return {t.field: _children(conn, t, client_id) for t in BASIC_TABLES}


def _value_added_lists(conn: Any, client_id: int) -> dict[str, list[Any]]:
    """Purchases with their items, pricing, preferences, seasonal needs, specifications."""
    lists = {
        t.field: _children(conn, t, client_id) for t in VALUE_ADDED_TABLES if t is not PURCHASES
    }
    items: dict[int, list[LineItem]] = {}
    build_item = PURCHASE_ITEMS.shape.build
    for r in conn.execute(_ITEMS_SQL, (client_id,)):
        items.setdefault(r[0], []).append(build_item(r[1:]))
    build = PURCHASES.shape.build
    lists[PURCHASES.field] = [
        build(r[1:], id=r[0], items=items.get(r[0], []))
        for r in conn.execute(_SELECT[PURCHASES.name], (client_id,))
    ]
    return lists


def load_cards(conn: Any, ids: Iterable[int], *, every_contact: bool = True) -> dict[int, Client]:
    """Some clients' basic information, notes and contacts (other lists left empty):
    what an address book or spreadsheet holds. Without ``every_contact``, only the
    first contact of each.

    Read in bulk (two queries, not a dozen a client as loading whole records would):
    this is what makes an export of 100,000 clients take seconds.
    """
    wanted = json.dumps(sorted(ids))
    contacts: dict[int, list[Any]] = {}
    build_contact = CARD_CONTACT.build
    for r in conn.execute(
        f"SELECT client_id, {', '.join(CARD_CONTACT.names)} FROM {CONTACTS.name}"
        " WHERE client_id IN (SELECT value FROM json_each(?))"
        + ("" if every_contact else " AND position = 0")
        + " ORDER BY client_id, position",
        (wanted,),
    ):
        contacts.setdefault(r[0], []).append(build_contact(r[1:]))
    build = CLIENT_FIELDS.build
    return {
        r[0]: build(r[1:], contacts=contacts.get(r[0], []), id=r[0])
        for r in conn.execute(
            f"SELECT id, {', '.join(CLIENT_FIELDS.names)} FROM {CLIENTS}"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
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
