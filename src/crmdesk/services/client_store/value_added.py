"""A client's value-added rows: made from a record, read from and written into its book.

:class:`ValueAdded` holds, as stored column values, everything of one client that lives
in its book. It is what the redo log seals (redo.py), what a move copies from one book
to another (books.py), and what the upgrade takes out of a main database of the old
layout (upgrade.py): one shape for all three, written by one function.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crmdesk.domain import Client, fold
from crmdesk.domain.birthdays import month_day

from .rows import cents
from .summaries import summary
from .tables import (
    BOOK_CLIENTS,
    BOOK_LISTS,
    BOOK_SEARCH,
    CONTACTS,
    INTERACTIONS,
    PURCHASE_ITEMS,
    PURCHASES,
    VALUE_ADDED_SUMMARIES,
)

_LIST_NAMES = tuple(t.name for t in BOOK_LISTS)
# The words of each list that search finds (positions in a stored row: 0 is the position).
_SEARCHED = {
    t.name: tuple(1 + t.shape.names.index(n) for n in names)
    for t, names in zip(
        BOOK_LISTS,
        (("product", "terms"), ("topic", "detail"), ("need",), ("item", "detail")),
        strict=True,
    )
}
_CONTACT_BIRTHDAY = CONTACTS.split.book_names.index("birthday")


@dataclass(slots=True)
class ValueAdded:
    """One client's rows of its book, as stored column values (JSON-safe)."""

    # notes, then VALUE_ADDED_SUMMARIES
    client: list[Any]
    # (contact id, the contact's value-added columns, birthday "MM-DD")
    contacts: list[list[Any]] = field(default_factory=list)
    # (interaction id, summary, outcome)
    interactions: list[list[Any]] = field(default_factory=list)
    # (date, notes, total cents, [(position, product, quantity, unit price, discount)])
    purchases: list[list[Any]] = field(default_factory=list)
    # table name -> (position, columns) of pricing, preferences, seasonal needs, specs
    lists: dict[str, list[list[Any]]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = [self.client, self.contacts, self.interactions, self.purchases, self.lists]
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ValueAdded:
        client, contacts, interactions, purchases, lists = json.loads(zlib.decompress(blob))
        return cls(client, contacts, interactions, purchases, lists)

    def text(self) -> str:
        """The folded value-added text of the client, for its book's search index."""
        parts: list[str] = [self.client[0]]
        for row in self.contacts:
            # hobbies ... family, then notes (the birthday is no word to search)
            parts += [v for i, v in enumerate(row[1:-1]) if i != _CONTACT_BIRTHDAY]
        for _date, notes, _total, items in self.purchases:
            parts += [notes, *(item[1] for item in items)]
        for name, columns in _SEARCHED.items():
            for row in self.lists.get(name, []):
                parts.append(" ".join(row[i] for i in columns))
        for _id, summary_text, outcome in self.interactions:
            parts += [summary_text, outcome]
        return fold(" ".join(dict.fromkeys(p for p in parts if p)))


def from_client(
    client: Client,
    contact_ids: Sequence[int],
    interaction_ids: Sequence[int],
    today: dt.date,
    totals: Sequence[Decimal],
    contact_values: Sequence[Sequence[Any]] | None = None,
) -> ValueAdded:
    """The value-added rows of ``client``, its contacts and interactions having the
    given ids. ``contact_values``: the contacts' column values, when the caller has
    them already (:meth:`Shape.values` of each)."""
    figures = summary(client, today, totals)
    if contact_values is None:
        contact_values = [CONTACTS.shape.values(contact) for contact in client.contacts]
    contacts = []
    for contact_id, contact, values in zip(
        contact_ids, client.contacts, contact_values, strict=True
    ):
        _, book = CONTACTS.split.parts(values)
        md = month_day(contact.birthday) if contact.birthday else None
        contacts.append([contact_id, *book, md])
    interactions = []
    for interaction_id, interaction in zip(interaction_ids, client.interactions, strict=True):
        _, book = INTERACTIONS.split.parts(INTERACTIONS.shape.values(interaction))
        interactions.append([interaction_id, *book])
    purchase_values, item_values = PURCHASES.shape.values, PURCHASE_ITEMS.shape.values
    purchases = [
        [
            *purchase_values(p),
            cents(total),
            [[pos, *item_values(item)] for pos, item in enumerate(p.items)],
        ]
        for p, total in zip(client.purchases, totals, strict=True)
    ]
    lists = {
        t.name: [[pos, *t.shape.values(x)] for pos, x in enumerate(getattr(client, t.field))]
        for t in BOOK_LISTS
    }
    return ValueAdded(
        [client.notes, *(figures[k] for k in VALUE_ADDED_SUMMARIES)],
        contacts,
        interactions,
        purchases,
        {k: v for k, v in lists.items() if v},
    )


def is_empty(va: ValueAdded) -> bool:
    """No value-added information at all (the summaries are then their defaults too)."""
    return not (
        va.client[0]
        or va.purchases
        or va.lists
        or any(any(v for v in row[1:]) for row in va.contacts)
        or any(any(v for v in row[1:]) for row in va.interactions)
    )


# -- in a book ----------------------------------------------------------------------------

_CLIENT_COLUMNS = ("client_id", "va_version", "notes", *VALUE_ADDED_SUMMARIES)
_PURCHASE_COLUMNS = ("id", "client_id", *PURCHASES.shape.names, "total_cents")
_ITEM_COLUMNS = ("purchase_id", "position", *PURCHASE_ITEMS.shape.names)
_ITEM_NAMES = ", ".join(f"i.{n}" for n in PURCHASE_ITEMS.shape.names)


def _insert(schema: str, table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {schema}.{table} ({', '.join(columns)}) VALUES ({marks})"


def _list_columns(name: str) -> tuple[str, ...]:
    table = next(t for t in BOOK_LISTS if t.name == name)
    return ("client_id", "position", *table.shape.names)


def remove(conn: Any, schema: str, client_ids: Iterable[int]) -> None:
    """Delete every row of these clients from a book (their other rows cascade)."""
    ids = [(i,) for i in client_ids]
    conn.executemany(f"DELETE FROM {schema}.{BOOK_CLIENTS} WHERE client_id = ?", ids)
    conn.executemany(f"DELETE FROM {schema}.{BOOK_SEARCH} WHERE rowid = ?", ids)


def write(
    conn: Any,
    schema: str,
    entries: Sequence[tuple[int, int, ValueAdded]],
    *,
    fresh: bool = False,
) -> None:
    """Write (client id, version, rows) into a book, each client's rows replacing those
    it had there. ``fresh``: the clients are new, nothing to replace."""
    if not entries:
        return
    if not fresh:
        remove(conn, schema, (e[0] for e in entries))
    clients, contacts, interactions, purchases, items, search = [], [], [], [], [], []
    lists: dict[str, list[tuple[Any, ...]]] = {}
    next_purchase = int(
        conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {schema}.{PURCHASES.name}").fetchone()[
            0
        ]
    )
    for client_id, version, va in entries:
        clients.append((client_id, version, *va.client))
        contacts += [(row[0], client_id, *row[1:]) for row in va.contacts]
        interactions += [(row[0], client_id, *row[1:]) for row in va.interactions]
        for date, notes, total, lines in va.purchases:
            purchases.append((next_purchase, client_id, date, notes, total))
            items += [(next_purchase, *line) for line in lines]
            next_purchase += 1
        for name, rows in va.lists.items():
            lists.setdefault(name, []).extend((client_id, *row) for row in rows)
        text = va.text()
        if text:
            search.append((client_id, text))
    conn.executemany(_insert(schema, BOOK_CLIENTS, _CLIENT_COLUMNS), clients)
    conn.executemany(CONTACTS.book_insert_sql(schema), contacts)
    conn.executemany(INTERACTIONS.book_insert_sql(schema), interactions)
    conn.executemany(_insert(schema, PURCHASES.name, _PURCHASE_COLUMNS), purchases)
    conn.executemany(_insert(schema, PURCHASE_ITEMS.name, _ITEM_COLUMNS), items)
    for name, rows in lists.items():
        if name not in _LIST_NAMES:
            continue  # a payload naming another table is not ours to write
        conn.executemany(_insert(schema, name, _list_columns(name)), rows)
    conn.executemany(
        f"INSERT INTO {schema}.{BOOK_SEARCH} (rowid, value_added) VALUES (?, ?)", search
    )


def read(conn: Any, schema: str, client_id: int) -> ValueAdded | None:
    """A client's rows of a book, or None if the book has none of it."""
    row = conn.execute(
        f"SELECT notes, {', '.join(VALUE_ADDED_SUMMARIES)} FROM {schema}.{BOOK_CLIENTS}"
        " WHERE client_id = ?",
        (client_id,),
    ).fetchone()
    if row is None:
        return None
    contacts = [
        list(r)
        for r in conn.execute(
            f"SELECT contact_id, {', '.join(CONTACTS.split.book_names)}, birthday_md"
            f" FROM {schema}.{CONTACTS.book_table} WHERE client_id = ? ORDER BY contact_id",
            (client_id,),
        )
    ]
    interactions = [
        list(r)
        for r in conn.execute(
            f"SELECT interaction_id, {', '.join(INTERACTIONS.split.book_names)}"
            f" FROM {schema}.{INTERACTIONS.book_table} WHERE client_id = ?"
            " ORDER BY interaction_id",
            (client_id,),
        )
    ]
    lines: dict[int, list[list[Any]]] = {}
    for r in conn.execute(
        f"SELECT i.purchase_id, i.position, {_ITEM_NAMES}"
        f" FROM {schema}.{PURCHASE_ITEMS.name} i JOIN {schema}.{PURCHASES.name} p"
        " ON p.id = i.purchase_id WHERE p.client_id = ? ORDER BY i.purchase_id, i.position",
        (client_id,),
    ):
        lines.setdefault(r[0], []).append(list(r[1:]))
    purchases = [
        [*r[1:], lines.get(r[0], [])]
        for r in conn.execute(
            f"SELECT id, {', '.join(PURCHASES.shape.names)}, total_cents"
            f" FROM {schema}.{PURCHASES.name} WHERE client_id = ? ORDER BY date, id",
            (client_id,),
        )
    ]
    lists = {}
    for table in BOOK_LISTS:
        rows = [
            list(r)
            for r in conn.execute(
                f"SELECT position, {', '.join(table.shape.names)} FROM {schema}.{table.name}"
                " WHERE client_id = ? ORDER BY position",
                (client_id,),
            )
        ]
        if rows:
            lists[table.name] = rows
    return ValueAdded(list(row), contacts, interactions, purchases, lists)
