"""The client tables: their names, their columns, and where each column lives.

The schema itself is created by the vault (vault/migrations.py for the main database,
vault/books.py for a book); outside it, only this package names the tables a client
record is kept in, and its modules take the names from here. Columns come from the
domain dataclasses (see rows.py); what differs from a field is spelled out below.

Basic and value-added information are told apart by domain/classification.py, the one
place that decides what is a trade secret. Basic information is in the main database:
the client row, its tags, contacts' names, titles, emails and phones, interactions'
date, kind and contact, tasks. Value-added information is in the client's book (the
file named by ``clients.book_id``), under that book's key: the client's notes and the
list summaries worked out from value-added data (:data:`BOOK_CLIENTS`), contacts'
personal profiles, birthdays and notes (:data:`CONTACT_PROFILES`, keyed by the contact's
id in main), interactions' summary and outcome (:data:`INTERACTION_NOTES`, keyed by the
interaction's id), and the :data:`VALUE_ADDED_TABLES`. A table of a book is always
named with its schema (``book_3.purchases``): a book is attached, and an unqualified
name would reach whichever attached file has such a table.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from crmdesk.domain import classify
from crmdesk.domain.classification import FieldClass
from crmdesk.domain.entities import (
    Address,
    Client,
    Contact,
    Interaction,
    LineItem,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
)

from .rows import Shape, to_json

CLIENTS = "clients"
CLIENT_TAGS = "client_tags"  # folded tags, for the tag filter
CLIENT_SEARCH = "client_search"  # the main FTS5 index: name and basic text
BOOK_REDO = "book_redo"  # changes of books, sealed, waiting to be known written (redo.py)

# In each book:
BOOK_CLIENTS = "book_clients"  # notes, value-added summaries, va_version
BOOK_SEARCH = "va_search"  # the book's FTS5 index: value-added text, rowid = client id
# The list summaries worked out from value-added data, kept for sorting and filtering.
VALUE_ADDED_SUMMARIES = ("last_purchase", "spend_12m_cents", "next_order", "buy_months")


def _picker(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The values at these indexes, as a tuple (itemgetter's, always a tuple)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        (index,) = indexes
        return lambda values: (values[index],)
    return lambda values: ()


class Split:
    """Where the columns of a shape live: in the main database's row, or in a book's.

    ``join`` puts a row back together in the shape's column order; a withheld book part
    (the person does not hold the book, or it has no row) reads as the fields' defaults.
    """

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.main = tuple(i for i, c in enumerate(shape.columns) if not c.value_added)
        self.book = tuple(i for i, c in enumerate(shape.columns) if c.value_added)
        self.main_names = tuple(shape.columns[i].name for i in self.main)
        self.book_names = tuple(shape.columns[i].name for i in self.book)
        self.withheld = tuple(shape.columns[i].default for i in self.book)
        self._main, self._book = _picker(self.main), _picker(self.book)

    def parts(self, values: Sequence[Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """A row's (main part, book part)."""
        return self._main(values), self._book(values)

    def join(self, main: Sequence[Any], book: Sequence[Any] | None) -> list[Any]:
        row: list[Any] = [None] * len(self.shape.columns)
        for i, value in zip(self.main, main, strict=True):
            row[i] = value
        for i, value in zip(self.book, self.withheld if book is None else book, strict=True):
            row[i] = value
        return row


@dataclass(frozen=True, slots=True)
class ChildTable:
    """A table holding one list of a record: a row per item, in the list's order."""

    name: str
    field: str  # the list's field on the parent: Client.contacts, Purchase.items
    shape: Shape
    parent: str = "client_id"
    positioned: bool = True  # a position column keeps the order the person gave
    order: str = "position"  # the order the list is read back in
    derived: tuple[str, ...] = ()  # columns worked out from the item (see writing.py)
    assigns_ids: bool = False  # ids given by the store (a book's rows refer to them)
    # A basic list whose items hold a few value-added fields: the book's table of them,
    # keyed by the item's id (its column name), and the columns worked out from them.
    book_table: str | None = None
    book_key: str = ""
    book_derived: tuple[str, ...] = ()

    @property
    def value_added(self) -> bool:
        return classify(f"client.{self.field}") is FieldClass.VALUE_ADDED

    @property
    def split(self) -> Split:
        return _SPLITS[self.name]

    def insert_sql(self, schema: str = "main") -> str:
        """An INSERT taking (id?, parent, position?, columns, derived) where columns are
        the shape's (a value-added table, in a book) or the main part's (a basic one)."""
        names = self.shape.names if self.value_added else self.split.main_names
        columns = [
            *(["id"] if self.assigns_ids else []),
            self.parent,
            *(["position"] if self.positioned else []),
            *names,
            *(self.derived if self.value_added else ()),
        ]
        marks = ", ".join("?" for _ in columns)
        return f"INSERT INTO {schema}.{self.name} ({', '.join(columns)}) VALUES ({marks})"

    def select_sql(self, schema: str = "main") -> str:
        """A SELECT of one parent's rows: id, then the columns as in insert_sql."""
        names = self.shape.names if self.value_added else self.split.main_names
        return (
            f"SELECT id, {', '.join(names)} FROM {schema}.{self.name}"
            f" WHERE {self.parent} = ? ORDER BY {self.order}"
        )

    def select_many_sql(self, schema: str = "main") -> str:
        """The rows of several parents (a JSON list of ids bound): parent, id, then the
        columns as in select_sql, each parent's in its order."""
        names = self.shape.names if self.value_added else self.split.main_names
        return (
            f"SELECT {self.parent}, id, {', '.join(names)} FROM {schema}.{self.name}"
            f" WHERE {self.parent} IN (SELECT value FROM json_each(?))"
            f" ORDER BY {self.parent}, {self.order}"
        )

    def book_insert_sql(self, schema: str) -> str:
        """An INSERT of the value-added part of an item: (key, client, columns, derived)."""
        assert self.book_table is not None
        columns = [self.book_key, "client_id", *self.split.book_names, *self.book_derived]
        marks = ", ".join("?" for _ in columns)
        return f"INSERT INTO {schema}.{self.book_table} ({', '.join(columns)}) VALUES ({marks})"

    def book_select_sql(self, schema: str) -> str:
        """The value-added parts of one client's items: (key, columns)."""
        assert self.book_table is not None
        return (
            f"SELECT {self.book_key}, {', '.join(self.split.book_names)}"
            f" FROM {schema}.{self.book_table} WHERE client_id = ?"
        )

    def book_select_many_sql(self, schema: str) -> str:
        """The value-added parts of several clients' items (a JSON list of ids bound)."""
        assert self.book_table is not None
        return (
            f"SELECT {self.book_key}, {', '.join(self.split.book_names)}"
            f" FROM {schema}.{self.book_table}"
            " WHERE client_id IN (SELECT value FROM json_each(?))"
        )


_NO_ID = ("id",)

# A contact's birthday is also kept as "MM-DD", which finds coming birthdays by index.
CONTACTS = ChildTable(
    "contacts",
    "contacts",
    Shape(Contact, skip=_NO_ID),
    assigns_ids=True,
    book_table="contact_profiles",
    book_key="contact_id",
    book_derived=("birthday_md",),
)
INTERACTIONS = ChildTable(
    "interactions",
    "interactions",
    Shape(Interaction, skip=_NO_ID),
    positioned=False,
    order="date, id",
    assigns_ids=True,
    book_table="interaction_notes",
    book_key="interaction_id",
)
TASKS = ChildTable("tasks", "tasks", Shape(Task, skip=_NO_ID), positioned=False, order="due, id")
# A purchase's total is kept in cents, for spend sums in SQL; its id is given by the
# store, so that its items can be written in the same batch.
PURCHASES = ChildTable(
    "purchases",
    "purchases",
    Shape(Purchase, skip=(*_NO_ID, "items")),
    positioned=False,
    order="date, id",
    derived=("total_cents",),
    assigns_ids=True,
)
PURCHASE_ITEMS = ChildTable("purchase_items", "items", Shape(LineItem), parent="purchase_id")
PRICING = ChildTable("pricing", "pricing", Shape(PricingAgreement, skip=_NO_ID))
PREFERENCES = ChildTable("preferences", "preferences", Shape(Preference, skip=_NO_ID))
SEASONAL_NEEDS = ChildTable("seasonal_needs", "seasonal_needs", Shape(SeasonalNeed, skip=_NO_ID))
SPECIFICATIONS = ChildTable("specifications", "specifications", Shape(Specification, skip=_NO_ID))

# The lists of a client, each in its table (purchase items hang off purchases).
CLIENT_CHILDREN: tuple[ChildTable, ...] = (
    CONTACTS,
    PURCHASES,
    PRICING,
    PREFERENCES,
    SEASONAL_NEEDS,
    SPECIFICATIONS,
    INTERACTIONS,
    TASKS,
)
BASIC_TABLES = tuple(t for t in CLIENT_CHILDREN if not t.value_added)
VALUE_ADDED_TABLES = tuple(t for t in CLIENT_CHILDREN if t.value_added)
# The lists kept whole in a book, by position (purchases have their own order and items).
BOOK_LISTS = (PRICING, PREFERENCES, SEASONAL_NEEDS, SPECIFICATIONS)
# Basic lists with value-added fields in a book's table.
SPLIT_TABLES = (CONTACTS, INTERACTIONS)

_ADDRESS_FIELDS = tuple(f.name for f in dataclasses.fields(Address))


def _addresses_to_json(addresses: list[Address]) -> str:
    return to_json([{name: getattr(a, name) for name in _ADDRESS_FIELDS} for a in addresses])


def _addresses(text: str) -> list[Address]:
    return [Address(**a) for a in json.loads(text)] if text != "[]" else []


_CLIENT_LISTS = tuple(t.field for t in CLIENT_CHILDREN)
# Addresses are few and never searched one by one: JSON on the client row.
_ADDRESS_CODEC = {"addresses": (_addresses_to_json, _addresses)}
# What a person writes on the client row; the store adds id, version and times.
CLIENT_FIELDS = Shape(
    Client,
    skip=(*_CLIENT_LISTS, "id", "version", "created_at", "updated_at"),
    codecs=_ADDRESS_CODEC,
)
# The client row as read back, with its version and times.
CLIENT_ROW = Shape(Client, skip=(*_CLIENT_LISTS, "id"), codecs=_ADDRESS_CODEC)
# What an address book or spreadsheet holds (loading.load_cards): the client row as a
# person writes it, and contacts without their personal profile.
CARD_CONTACT = Shape(Contact, skip=(*_NO_ID, "personal"))

CLIENT_FIELDS_SPLIT = Split(CLIENT_FIELDS)
CLIENT_ROW_SPLIT = Split(CLIENT_ROW)
_SPLITS = {t.name: Split(t.shape) for t in (*CLIENT_CHILDREN, PURCHASE_ITEMS)}
