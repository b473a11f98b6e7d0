"""Coverage in SQL: which value-added categories each client holds something in.

One ``EXISTS`` per category (domain/classification.py names the categories and their
value-added fields; :func:`crmdesk.domain.coverage.holds` is the same rule in Python),
answered from the child tables' ``client_id`` indexes: a page of clients at once, a
sort or filter over the list, or one pass over the whole book. Coverage is value-added
itself: only clients the scope sees in full get one (the others' is withheld).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from crmdesk.domain.classification import COVERAGE_CATEGORIES, CoverageCategory
from crmdesk.domain.coverage import Coverage
from crmdesk.services.client_query import FULL_SCOPE, Scope

from .rows import to_json
from .search import owned
from .tables import CLIENT_CHILDREN, CLIENTS, ChildTable

_TABLES: dict[str, ChildTable] = {t.field: t for t in CLIENT_CHILDREN}


def _column(table: ChildTable, path: str) -> str:
    # A nested object's fields are columns of the record's own table (rows.py).
    name = path.rsplit(".", 1)[1]
    if name not in table.shape.names:
        raise AssertionError(f"{path} has no column in {table.name}")
    return name


def _content(category: CoverageCategory) -> str:
    """The condition on one record (of its table) that it holds something."""
    if category.whole_record():
        return "1"
    table = _TABLES[category.list_field]
    columns = [_column(table, p) for p in category.paths()]
    return "(" + " OR ".join(f"coalesce({c}, '') <> ''" for c in columns) + ")"


def _source(category: CoverageCategory, alias: str) -> str:
    table = _TABLES[category.list_field]
    return f"FROM {table.name} WHERE {table.parent} = {alias}.id AND {_content(category)}"


def holds_sql(category: CoverageCategory, alias: str = "c") -> str:
    """``EXISTS (…)``: true when the client ``alias`` holds something in ``category``."""
    return f"EXISTS (SELECT 1 {_source(category, alias)})"


def mask_sql(alias: str = "c") -> str:
    """An integer with bit i set when the client holds category i (display order)."""
    return " | ".join(f"({holds_sql(c, alias)} << {i})" for i, c in enumerate(COVERAGE_CATEGORIES))


def count_sql(alias: str = "c") -> str:
    """How many categories the client holds something in (for sorting)."""
    return "(" + " + ".join(holds_sql(c, alias) for c in COVERAGE_CATEGORIES) + ")"


@lru_cache(maxsize=1 << len(COVERAGE_CATEGORIES))
def coverage_from_mask(mask: int) -> Coverage:
    return Coverage(frozenset(c.key for i, c in enumerate(COVERAGE_CATEGORIES) if mask >> i & 1))


def missing_condition(keys: Sequence[str], alias: str = "c") -> str:
    """True when the client holds nothing in any of the categories ``keys``."""
    wanted = [c for c in COVERAGE_CATEGORIES if c.key in keys]
    return " AND ".join(f"NOT {holds_sql(c, alias)}" for c in wanted) or "1"


def coverage_of(
    conn: Any, client_ids: Sequence[int], scope: Scope = FULL_SCOPE
) -> dict[int, Coverage]:
    """The coverage of some clients (a page of a list), in one query; withheld for the
    clients the scope does not see in full (their categories are not even looked at)."""
    if not client_ids:
        return {}
    own, names = owned(scope)
    rows = conn.execute(
        f"SELECT c.id, CASE WHEN {own} THEN {mask_sql()} END FROM {CLIENTS} c"
        " WHERE c.id IN (SELECT value FROM json_each(?))",
        (*names, to_json(list(client_ids))),
    )
    return {
        client_id: Coverage.hidden() if mask is None else coverage_from_mask(mask)
        for client_id, mask in rows
    }


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


def _first_dated(category: CoverageCategory) -> str:
    table = _TABLES[category.list_field]
    column = _column(table, f"{category.entity}.{category.record_date}")
    return f"(SELECT min({column}) {_source(category, 'c')} AND {column} IS NOT NULL)"


_DATED = tuple(c for c in COVERAGE_CATEGORIES if c.record_date)
_DATED_KEYS = tuple(c.key for c in _DATED)


def book_rows(conn: Any, scope: Scope = FULL_SCOPE) -> Iterator[BookRow]:
    """Every client the scope sees in full, with its coverage: one pass over the book."""
    own, names = owned(scope)
    dated = ", ".join(_first_dated(c) for c in _DATED)
    sql = (
        f"SELECT c.id, c.name, c.salesperson, c.spend_12m_cents, c.created_at, c.updated_at,"
        f" {mask_sql()},"
        f" {dated} FROM {CLIENTS} c WHERE {own} ORDER BY c.id"
    )
    for row in conn.execute(sql, names):
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
