"""Writing client records: the client row, its basic lists and its value-added lists.

Called inside the caller's write transaction. Saving a client rewrites its lists whole
(new child ids): a list is what the person sees and edits, in their order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from crmdesk.domain import Client, fold
from crmdesk.domain.birthdays import month_day

from . import search
from .rows import cents
from .summaries import summary
from .tables import (
    BASIC_TABLES,
    CLIENT_FIELDS,
    CLIENT_TAGS,
    CLIENTS,
    CONTACTS,
    INTERACTIONS,
    PREFERENCES,
    PRICING,
    PURCHASE_ITEMS,
    PURCHASES,
    SEASONAL_NEEDS,
    SPECIFICATIONS,
    TASKS,
    VALUE_ADDED_TABLES,
    ChildTable,
)

_TAGS_SQL = f"INSERT OR IGNORE INTO {CLIENT_TAGS} (tag_key, client_id) VALUES (?, ?)"


def _client_values(client: Client, today: dt.date, totals: Sequence[Decimal]) -> dict[str, Any]:
    """The client row's columns: the fields, the sort key and the summaries."""
    values = dict(zip(CLIENT_FIELDS.names, CLIENT_FIELDS.values(client), strict=True))
    values["sort_key"] = fold(client.name)
    return values | summary(client, today, totals)


def insert_clients(
    conn: Any, clients: Sequence[Client], now: dt.datetime, today: dt.date
) -> list[int]:
    """Insert new clients with all their children; returns their ids.

    Ids are assigned here, inside the caller's write transaction, so that a batch of
    thousands (demo data, imports) goes in with one statement per table.
    """
    first_client = _next_id(conn, CLIENTS)
    next_purchase = _next_id(conn, PURCHASES.name)
    stamp = now.isoformat()
    client_rows = []
    basic, value_added = _Rows(), _Rows()
    ids = []
    for offset, client in enumerate(clients):
        client_id = first_client + offset
        ids.append(client_id)
        totals = [p.total for p in client.purchases]
        values = _client_values(client, today, totals)
        client_rows.append(
            {**values, "id": client_id, "version": 1, "created_at": stamp, "updated_at": stamp}
        )
        _add_basic(basic, client_id, client)
        next_purchase = _add_value_added(value_added, client_id, client, next_purchase, totals)
    if client_rows:
        columns = list(client_rows[0])
        conn.executemany(
            f"INSERT INTO {CLIENTS} ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            client_rows,
        )
        basic.write(conn)
        value_added.write(conn)
    return ids


def update_client(conn: Any, client: Client, now: dt.datetime, today: dt.date) -> int:
    """Rewrite a client and its children; returns the new version."""
    assert client.id is not None
    totals = [p.total for p in client.purchases]
    values = _client_values(client, today, totals)
    values |= {"updated_at": now.isoformat(), "id": client.id}
    assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    conn.execute(
        f"UPDATE {CLIENTS} SET {assignments}, version = version + 1 WHERE id = :id", values
    )
    _delete_basic(conn, client.id)
    _delete_value_added(conn, client.id)
    basic, value_added = _Rows(), _Rows()
    _add_basic(basic, client.id, client)
    _add_value_added(value_added, client.id, client, _next_id(conn, PURCHASES.name), totals)
    basic.write(conn)
    value_added.write(conn)
    row = conn.execute(f"SELECT version FROM {CLIENTS} WHERE id = ?", (client.id,)).fetchone()
    return int(row[0])


def delete_client(conn: Any, client_id: int) -> None:
    conn.execute(search.DELETE_SQL, (client_id,))
    conn.execute(f"DELETE FROM {CLIENTS} WHERE id = ?", (client_id,))  # children cascade


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


class _Rows:
    """Rows of some child tables for one or many clients, written a table at a time."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def __getitem__(self, sql: str) -> list[tuple[Any, ...]]:
        return self.rows.setdefault(sql, [])

    def write(self, conn: Any) -> None:
        for sql, rows in self.rows.items():
            if rows:
                conn.executemany(sql, rows)


def _listed(table: ChildTable, parent_id: int, items: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a list without derived columns: (parent, position?, columns...)."""
    values = table.shape.values
    if table.positioned:
        return [(parent_id, pos, *values(x)) for pos, x in enumerate(items)]
    return [(parent_id, *values(x)) for x in items]


_INSERT = {t.name: t.insert_sql() for t in (*BASIC_TABLES, *VALUE_ADDED_TABLES, PURCHASE_ITEMS)}


# -- basic information -------------------------------------------------------------------
# The client row, its tags and search entry, contacts, interactions and tasks. Contacts
# and interactions also hold a few value-added columns (a contact's birthday, profile and
# notes; an interaction's summary and outcome: see Column.value_added).


def _add_basic(rows: _Rows, cid: int, c: Client) -> None:
    rows[_TAGS_SQL].extend((fold(t), cid) for t in c.tags)
    rows[search.INSERT_SQL].append((cid, *search.search_document(c)))
    contact_values = CONTACTS.shape.values
    rows[_INSERT[CONTACTS.name]].extend(
        (cid, pos, *contact_values(x), month_day(x.birthday) if x.birthday else None)
        for pos, x in enumerate(c.contacts)
    )
    rows[_INSERT[INTERACTIONS.name]].extend(_listed(INTERACTIONS, cid, c.interactions))
    rows[_INSERT[TASKS.name]].extend(_listed(TASKS, cid, c.tasks))


def _delete_basic(conn: Any, client_id: int) -> None:
    for table in BASIC_TABLES:
        conn.execute(f"DELETE FROM {table.name} WHERE client_id = ?", (client_id,))
    conn.execute(f"DELETE FROM {CLIENT_TAGS} WHERE client_id = ?", (client_id,))
    conn.execute(search.DELETE_SQL, (client_id,))


# -- value-added information -------------------------------------------------------------
# Purchases with their items, pricing, preferences, seasonal needs and specifications.


def _add_value_added(
    rows: _Rows, cid: int, c: Client, next_purchase: int, totals: Sequence[Decimal]
) -> int:
    """Collect a client's value-added rows; returns the next free purchase id."""
    purchase_values = PURCHASES.shape.values
    purchases, items = rows[_INSERT[PURCHASES.name]], rows[_INSERT[PURCHASE_ITEMS.name]]
    for purchase, total in zip(c.purchases, totals, strict=True):
        pid, next_purchase = next_purchase, next_purchase + 1
        purchases.append((pid, cid, *purchase_values(purchase), cents(total)))
        items.extend(_listed(PURCHASE_ITEMS, pid, purchase.items))
    for table in (PRICING, PREFERENCES, SEASONAL_NEEDS, SPECIFICATIONS):
        rows[_INSERT[table.name]].extend(_listed(table, cid, getattr(c, table.field)))
    return next_purchase


def _delete_value_added(conn: Any, client_id: int) -> None:
    for table in VALUE_ADDED_TABLES:  # purchase items go with their purchase (cascade)
        conn.execute(f"DELETE FROM {table.name} WHERE client_id = ?", (client_id,))
