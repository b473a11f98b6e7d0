"""Coverage in SQL: which value-added categories each client holds something in.

One ``EXISTS`` per category (domain/classification.py names the categories and their
value-added fields; :func:`crmdesk.domain.coverage.holds` is the same rule in Python),
answered in the client's book from its tables' ``client_id`` indexes (partial ones for
contacts' profiles and interactions' notes, vault/books.py): a page of clients at once,
a sort or filter over the list, or one pass over the whole book. Coverage is value-added
itself: only clients the scope sees in full, in books the person holds, get one (the
others' is withheld, and never looked at).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from crmdesk.domain.classification import COVERAGE_CATEGORIES, CoverageCategory
from crmdesk.domain.coverage import Coverage
from crmdesk.services.client_query import FULL_SCOPE, Scope

from .books import held_books
from .rows import to_json
from .search import Sql, owned, usable_books
from .tables import BOOK_CLIENTS, CLIENT_CHILDREN, CLIENTS, ChildTable

_TABLES: dict[str, ChildTable] = {t.field: t for t in CLIENT_CHILDREN}


def _book_table(category: CoverageCategory) -> tuple[str, tuple[str, ...]]:
    """The book's table holding the category's records, and its value-added columns:
    a value-added list is whole in the book; a basic list (contacts, interactions) has
    its value-added fields in a table of the book keyed by the item."""
    table = _TABLES[category.list_field]
    if table.value_added:
        return table.name, table.shape.names
    assert table.book_table is not None
    return table.book_table, table.split.book_names


def _column(category: CoverageCategory, path: str) -> str:
    # A nested object's fields are columns of the record's own table (rows.py).
    name = path.rsplit(".", 1)[1]
    table, columns = _book_table(category)
    if name not in columns:
        raise AssertionError(f"{path} has no column in the book's {table}")
    return name


def _content(category: CoverageCategory) -> str:
    """The condition on one record (of its book table) that it holds something."""
    if category.whole_record():
        return "1"
    columns = [_column(category, p) for p in category.paths()]
    return "(" + " OR ".join(f"coalesce({c}, '') <> ''" for c in columns) + ")"


def _source(category: CoverageCategory, schema: str, client: str) -> str:
    table, _ = _book_table(category)
    return f"FROM {schema}.{table} WHERE client_id = {client} AND {_content(category)}"


def holds_sql(category: CoverageCategory, schema: str, client: str = "c.id") -> str:
    """``EXISTS (…)``: true when the client (id ``client``) holds something in
    ``category`` in the book attached as ``schema``."""
    return f"EXISTS (SELECT 1 {_source(category, schema, client)})"


@lru_cache(maxsize=64)
def mask_sql(schema: str, client: str = "c.id") -> str:
    """An integer with bit i set when the client holds category i (display order).

    Kept once made: the text depends on its arguments only, and building it walks the
    classification table (a client's view asks for it each time)."""
    return " | ".join(
        f"({holds_sql(c, schema, client)} << {i})" for i, c in enumerate(COVERAGE_CATEGORIES)
    )


def count_sql(schema: str, client: str = "c.id") -> str:
    """How many categories the client holds something in (for sorting)."""
    return "(" + " + ".join(holds_sql(c, schema, client) for c in COVERAGE_CATEGORIES) + ")"


@lru_cache(maxsize=1 << len(COVERAGE_CATEGORIES))
def coverage_from_mask(mask: int) -> Coverage:
    return Coverage(frozenset(c.key for i, c in enumerate(COVERAGE_CATEGORIES) if mask >> i & 1))


def missing_sql(keys: Sequence[str]) -> Callable[[str], str]:
    """For a book's schema, the condition on ``b.client_id`` (a row of its
    ``book_clients``) that the client holds nothing in any of the categories ``keys``."""
    wanted = [c for c in COVERAGE_CATEGORIES if c.key in keys]

    def condition(schema: str) -> str:
        found = [f"NOT {holds_sql(c, schema, 'b.client_id')}" for c in wanted]
        return " AND ".join(found) or "1"

    return condition


def missing_condition(vault: Any, keys: Sequence[str], scope: Scope) -> Sql:
    """True for the client ``c`` when, in its book (one the person may use), it holds
    nothing in any of the categories ``keys``. A client in a book the person does not
    hold is never "missing" anything: that would tell what its book holds."""
    books = usable_books(held_books(vault), scope)
    if not books:
        return Sql("0")
    condition = missing_sql(keys)
    arms, params = [], []
    for book_id, schema in sorted(books.items()):
        arms.append(
            f"SELECT ?, b.client_id FROM {schema}.{BOOK_CLIENTS} b WHERE {condition(schema)}"
        )
        params.append(book_id)
    return Sql(f"(c.book_id, c.id) IN ({' UNION ALL '.join(arms)})", params)


def coverage_of(
    vault: Any, client_ids: Sequence[int], scope: Scope = FULL_SCOPE
) -> dict[int, Coverage]:
    """The coverage of some clients (a page of a list), one query per book; withheld for
    the clients the scope does not see in full or whose book this person does not hold
    (their categories are not even looked at)."""
    if not client_ids:
        return {}
    conn = vault.connection
    wanted = to_json(list(client_ids))
    found: dict[int, Coverage] = {}
    in_books: set[str] = set()
    for client_id, book_id in conn.execute(
        f"SELECT id, book_id FROM main.{CLIENTS} WHERE id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ):
        found[client_id] = Coverage.hidden()
        in_books.add(book_id)
    own, names = owned(scope)
    for book_id, schema in sorted(usable_books(held_books(vault), scope).items()):
        if book_id not in in_books:
            continue  # none of the clients is in it: one query less (a view asks for one)
        rows = conn.execute(
            f"SELECT c.id, {mask_sql(schema)} FROM main.{CLIENTS} c"
            f" WHERE c.book_id = ? AND {own} AND c.id IN (SELECT value FROM json_each(?))",
            (book_id, *names, wanted),
        )
        for client_id, mask in rows:
            found[client_id] = coverage_from_mask(mask)
    return found


# -- the whole book ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookRow:
    """One client of the book, as the coverage figures need it."""

    client_id: int
    name: str
    salesperson: str
    spend_12m: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime
    coverage: Coverage
    # Per dated category held: the date of its earliest record (an order's date).
    record_dates: dict[str, dt.date]


def _first_dated(category: CoverageCategory, schema: str) -> str:
    table = _TABLES[category.list_field]
    name = category.record_date
    if table.value_added or name in table.split.book_names:
        return f"(SELECT min({name}) {_source(category, schema, 'c.id')} AND {name} IS NOT NULL)"
    # The date is basic (an interaction's, in main); what was said is in the book.
    book_table, _ = _book_table(category)
    return (
        f"(SELECT min(m.{name}) FROM {schema}.{book_table} n"
        f" JOIN main.{table.name} m ON m.id = n.{table.book_key}"
        f" WHERE n.client_id = c.id AND {_content(category)} AND m.{name} IS NOT NULL)"
    )


_DATED = tuple(c for c in COVERAGE_CATEGORIES if c.record_date)
_DATED_KEYS = tuple(c.key for c in _DATED)


def book_rows(vault: Any, scope: Scope = FULL_SCOPE) -> Iterator[BookRow]:
    """Every client the scope sees in full, in the books this person holds, with its
    coverage: one pass over each book, by client id."""
    own, names = owned(scope)
    arms, params = [], []
    for book_id, schema in sorted(usable_books(held_books(vault), scope).items()):
        dated = ", ".join(_first_dated(c, schema) for c in _DATED)
        arms.append(
            f"SELECT c.id, c.name, c.salesperson, coalesce(b.spend_12m_cents, 0),"
            f" c.created_at, c.updated_at, {mask_sql(schema)}, {dated}"
            f" FROM main.{CLIENTS} c LEFT JOIN {schema}.{BOOK_CLIENTS} b ON b.client_id = c.id"
            f" WHERE c.book_id = ? AND {own}"
        )
        params += [book_id, *names]
    if not arms:
        return
    for row in vault.connection.execute(" UNION ALL ".join(arms) + " ORDER BY 1", params):
        client_id, name, salesperson, cents, created, updated, mask = row[:7]
        firsts = {key: _day(day) for key, day in zip(_DATED_KEYS, row[7:], strict=True) if day}
        yield BookRow(
            client_id,
            name,
            salesperson,
            Decimal(cents).scaleb(-2),
            dt.datetime.fromisoformat(created),
            dt.datetime.fromisoformat(updated),
            coverage_from_mask(mask),
            firsts,
        )


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text if len(text) == 10 else text[:10])


# -- when the information was written, from the audit trail ---------------------------------

# The audit entries that write client records: one client, or a batch (demo data and
# imports name the range of ids they created).
RECORD_WRITES = ("client.created", "client.updated", "clients.created", "clients.imported")


@dataclass(frozen=True, slots=True)
class RecordWrite:
    """An audit entry that wrote client records."""

    ts: dt.datetime
    action: str
    first_id: int | None  # the clients it wrote: first_id..last_id
    last_id: int | None
    details: dict[str, Any]


def _ids(text: str) -> tuple[int | None, int | None]:
    """``client:12`` -> (12, 12); ``client:3..9`` -> (3, 9); anything else (None, None)."""
    if not text.startswith("client:"):
        return None, None
    first, _, last = text.removeprefix("client:").partition("..")
    try:
        return int(first), int(last or first)
    except ValueError:
        return None, None


def record_writes(conn: Any) -> Iterator[RecordWrite]:
    """The audit entries that wrote client records, oldest first."""
    marks = ", ".join("?" for _ in RECORD_WRITES)
    rows = conn.execute(
        f"SELECT ts, action, object, details FROM audit_events WHERE action IN ({marks})"
        " ORDER BY seq",
        RECORD_WRITES,
    )
    for ts, action, obj, details in rows:
        first, last = _ids(obj)
        yield RecordWrite(dt.datetime.fromisoformat(ts), action, first, last, json.loads(details))
