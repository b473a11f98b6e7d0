"""The client tables: their names, their columns, and which hold value-added information.

The schema itself is created by vault/migrations.py; outside it, only this package
names the tables a client record is kept in, and its modules take the names from here.
Columns come from the domain dataclasses (see rows.py); what differs from a field is
spelled out below.

Basic and value-added child tables are told apart by domain/classification.py, the one
place that decides what is a trade secret: :data:`BASIC_TABLES` and
:data:`VALUE_ADDED_TABLES` are read and written by separate functions, so that moving
the value-added ones to another database file changes this package only.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

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
CLIENT_SEARCH = "client_search"  # the FTS5 index: name, basic and value-added text


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
    assigns_ids: bool = False  # ids given by the store (children of its rows refer to them)

    @property
    def value_added(self) -> bool:
        return classify(f"client.{self.field}") is FieldClass.VALUE_ADDED

    def insert_sql(self) -> str:
        """An INSERT taking (id?, parent, position?, the shape's columns, derived)."""
        columns = [
            *(["id"] if self.assigns_ids else []),
            self.parent,
            *(["position"] if self.positioned else []),
            *self.shape.names,
            *self.derived,
        ]
        marks = ", ".join("?" for _ in columns)
        return f"INSERT INTO {self.name} ({', '.join(columns)}) VALUES ({marks})"

    def select_sql(self) -> str:
        """A SELECT of one parent's rows: id, then the shape's columns, in list order."""
        return (
            f"SELECT id, {', '.join(self.shape.names)} FROM {self.name}"
            f" WHERE {self.parent} = ? ORDER BY {self.order}"
        )


_NO_ID = ("id",)

# A contact's birthday is also kept as "MM-DD", which finds coming birthdays by index.
CONTACTS = ChildTable("contacts", "contacts", Shape(Contact, skip=_NO_ID), derived=("birthday_md",))
INTERACTIONS = ChildTable(
    "interactions",
    "interactions",
    Shape(Interaction, skip=_NO_ID),
    positioned=False,
    order="date, id",
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
