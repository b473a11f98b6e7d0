"""Lists of clients: pages of a filtered, sorted list; follow-ups, birthdays, preferences.

A list never loads whole records: it reads the client row from the main database, and
the value-added figures (12-month spend, next order) only from the books this person
holds, for the clients the scope sees in full. Filters and sorts on value-added
information (buying months, birthdays, spend, next order) read the held books only,
through ``clients.book_id``: rows a move left in another book are never seen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from crmdesk.domain import fold
from crmdesk.domain.birthdays import age_turning, birthday_keys, next_birthday
from crmdesk.domain.roles import Visibility
from crmdesk.services.client_query import (
    FULL_SCOPE,
    Birthday,
    ClientQuery,
    ClientRow,
    FollowUp,
    Scope,
    SortKey,
)

from .books import held_books
from .coverage import count_sql, coverage_of, missing_condition
from .rows import date, strings, to_json
from .search import Sql, TextSearch, owned, usable_books
from .tables import (
    BOOK_CLIENTS,
    CLIENT_TAGS,
    CLIENTS,
    CONTACTS,
    PREFERENCES,
    TASKS,
)

_ORDER = {
    SortKey.NAME: "c.sort_key",
    SortKey.STATUS: "c.status",
    SortKey.SALESPERSON: "c.salesperson",
    SortKey.LAST_CONTACT: "c.last_contact",
}
# Sorts by a value-added figure, worked out in a book (the schema it is attached as) for
# its row ``b`` of book_clients: a column of it, or coverage's count of kinds held.
_BOOK_SORTS: dict[SortKey, Callable[[str], str]] = {
    SortKey.SPEND_12M: lambda schema: "b.spend_12m_cents",
    SortKey.NEXT_ORDER: lambda schema: "b.next_order",
    SortKey.COVERAGE: lambda schema: count_sql(schema, "b.client_id"),
}

_ROW_COLUMNS = (
    "c.id, c.name, c.kind, c.status, c.industry, c.salesperson, c.emails, c.phones, c.tags,"
    " c.last_contact, c.book_id"
)
_ID_COLUMNS = "c.id, c.name"
# A LIMIT no list reaches (ranked search counts what is left, so not SQLite's -1).
_EVERY_ROW = 1 << 62


def _in_books(books: dict[str, str], select: str, params: Sequence[Any]) -> Sql:
    """A condition on the client ``c``: ``select`` (a SELECT of client ids from the book
    ``{schema}``, with ``params``) finds it in the book it is in now."""
    if not books:
        return Sql("0")
    arms, values = [], []
    for book_id, schema in sorted(books.items()):
        arms.append(f"SELECT ?, ids.client_id FROM ({select.format(schema=schema)}) ids")
        values += [book_id, *params]
    return Sql(f"(c.book_id, c.id) IN ({' UNION ALL '.join(arms)})", values)


def _query_sql(
    vault: Any, query: ClientQuery, today: dt.date, scope: Scope, search: TextSearch | None
) -> tuple[Sql, Sql, bool]:
    """FROM and WHERE clauses with their parameters, and whether the search score
    ``s.score`` is there."""
    books = usable_books(held_books(vault), scope)
    source = Sql(f"main.{CLIENTS} c")
    conditions: list[Sql] = []
    scored = False
    if search is not None:
        if query.sort == SortKey.RELEVANCE:
            found = search.scored(vault.connection)
            source = Sql(f"({found.text}) s JOIN main.{CLIENTS} c ON c.id = s.id", found.params)
            scored = True
        else:
            conditions.append(search.member(vault.connection))
    if query.status:
        conditions.append(Sql("c.status = ?", [query.status]))
    if query.salesperson:
        conditions.append(Sql("c.salesperson = ?", [query.salesperson]))
    if query.tag:
        conditions.append(
            Sql(
                f"c.id IN (SELECT client_id FROM {CLIENT_TAGS} WHERE tag_key = ?)",
                [fold(query.tag)],
            )
        )
    if query.buys_in_month or query.birthday_within_days is not None or query.missing:
        # Buying seasons, birthdays and coverage are value-added: only clients seen in
        # full match (a client whose coverage is withheld is never "missing" anything).
        own, names = owned(scope)
        if own != "1":
            conditions.append(Sql(own, names))
    if query.buys_in_month:
        conditions.append(
            _in_books(
                books,
                f"SELECT client_id FROM {{schema}}.{BOOK_CLIENTS} WHERE (buy_months & ?) != 0",
                [1 << (query.buys_in_month - 1)],
            )
        )
    if query.no_contact_days is not None:
        cutoff = today - dt.timedelta(days=query.no_contact_days)
        conditions.append(
            Sql("(c.last_contact IS NULL OR c.last_contact <= ?)", [cutoff.isoformat()])
        )
    if query.birthday_within_days is not None:
        conditions.append(
            _in_books(
                books,
                f"SELECT p.client_id FROM {{schema}}.{CONTACTS.book_table} p"
                f" JOIN main.{CONTACTS.name} k ON k.id = p.contact_id"
                " WHERE p.birthday_md IN (SELECT value FROM json_each(?))",
                [to_json(birthday_keys(today, query.birthday_within_days))],
            )
        )
    if query.followups_due:
        conditions.append(
            Sql(
                f"c.id IN (SELECT client_id FROM {TASKS.name} WHERE done = 0 AND due <= ?)",
                [today.isoformat()],
            )
        )
    if query.missing:
        conditions.append(missing_condition(vault, query.missing, scope))
    where = Sql(
        " WHERE " + " AND ".join(c.text for c in conditions) if conditions else "",
        [p for c in conditions for p in c.params],
    )
    return source, where, scored


def _text_only(query: ClientQuery) -> bool:
    """True when search text is the only condition: the indexes alone can then answer."""
    return not any(
        (
            query.status,
            query.salesperson,
            query.tag,
            query.buys_in_month,
            query.no_contact_days is not None,
            query.birthday_within_days is not None,
            query.followups_due,
            query.missing,
        )
    )


def _book_key(vault: Any, scope: Scope, column: Callable[[str], str]) -> Sql:
    """A LEFT JOIN giving ``x.k``, a value-added figure of the client ``c`` from its book
    when this person holds it and sees the client in full (else NULL: sorting by a
    withheld value would reveal it)."""
    books = usable_books(held_books(vault), scope)
    if not books:
        return Sql(" LEFT JOIN (SELECT NULL AS client_id, NULL AS k) x ON 0")
    arms, params = [], []
    for book_id, schema in sorted(books.items()):
        arms.append(
            f"SELECT ? AS book_id, b.client_id AS client_id, {column(schema)} AS k"
            f" FROM {schema}.{BOOK_CLIENTS} b"
        )
        params.append(book_id)
    return Sql(
        f" LEFT JOIN ({' UNION ALL '.join(arms)}) x"
        " ON x.client_id = c.id AND x.book_id = c.book_id",
        params,
    )


def _select(
    vault: Any,
    columns: str,
    query: ClientQuery,
    today: dt.date,
    scope: Scope,
    limit: int,
    offset: int,
) -> list[Any]:
    """The rows (of ``columns``) of one page of the list, in its order."""
    conn = vault.connection
    search = TextSearch.make(query.text, held_books(vault), scope)
    if search is not None and query.sort == SortKey.RELEVANCE and _text_only(query):
        ids = search.ranked_ids(conn, limit, offset)
        rows = conn.execute(
            f"SELECT {columns} FROM {CLIENTS} c WHERE c.id IN (SELECT value FROM json_each(?))",
            (to_json(ids),),
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        return [by_id[i] for i in ids if i in by_id]
    source, where, order, order_params = _ordered(vault, query, today, scope, search)
    sql = f"SELECT {columns} FROM {source.text}{where.text} ORDER BY {order} LIMIT ? OFFSET ?"
    return list(conn.execute(sql, [*source.params, *where.params, *order_params, limit, offset]))


def _ordered(
    vault: Any, query: ClientQuery, today: dt.date, scope: Scope, search: TextSearch | None
) -> tuple[Sql, Sql, str, list[Any]]:
    """FROM (with any join the order needs) and WHERE with their parameters, and ORDER BY
    and its parameters, of the list."""
    source, where, scored = _query_sql(vault, query, today, scope, search)
    direction = "DESC" if query.descending else "ASC"
    joined = Sql("")
    order_params: list[Any] = []
    if query.sort == SortKey.RELEVANCE and scored:
        order = "s.score, c.sort_key, c.id"
    elif query.sort in (SortKey.NAME, SortKey.RELEVANCE):
        order = f"c.sort_key {direction}, c.id {direction}"  # walks the index, no sort
    else:
        if query.sort in _BOOK_SORTS:
            joined = _book_key(vault, scope, _BOOK_SORTS[query.sort])
            key = "x.k"
            if scope.visibility is not Visibility.ALL:
                own, order_params = owned(scope)
                key = f"(CASE WHEN {own} THEN x.k END)"
        else:
            key = _ORDER[query.sort]
        # Empty values (never contacted, no expected order) go last either way.
        order = f"{key} {direction} NULLS LAST, c.sort_key, c.id"
    source = Sql(source.text + joined.text, [*source.params, *joined.params])
    return source, where, order, order_params


def position_of(
    vault: Any, query: ClientQuery, today: dt.date, scope: Scope, client_id: int
) -> int | None:
    """The row (0 first) a client has in the list, or None when it is not in it: the
    same order as :func:`list_clients` (``query``'s page is ignored)."""
    conn = vault.connection
    search = TextSearch.make(query.text, held_books(vault), scope)
    if search is not None and query.sort == SortKey.RELEVANCE and _text_only(query):
        ids = search.ranked_ids(conn, _EVERY_ROW, 0)
        return ids.index(client_id) if client_id in ids else None
    source, where, order, order_params = _ordered(vault, query, today, scope, search)
    row = conn.execute(
        f"SELECT n FROM (SELECT c.id AS id, row_number() OVER (ORDER BY {order}) - 1 AS n"
        f" FROM {source.text}{where.text}) WHERE id = ?",
        # The ORDER BY comes first in this text, so its parameters do too.
        [*order_params, *source.params, *where.params, client_id],
    ).fetchone()
    return None if row is None else int(row[0])


def list_clients(
    vault: Any,
    query: ClientQuery,
    today: dt.date,
    scope: Scope = FULL_SCOPE,
    *,
    with_coverage: bool = True,
) -> list[ClientRow]:
    """One page (``query.limit`` from ``query.offset``) of the list; without its
    coverage (left withheld) if not ``with_coverage``."""
    rows = _select(vault, _ROW_COLUMNS, query, today, scope, query.limit, query.offset)
    figures = _figures(vault, rows, scope)
    listed = [_row(r, scope, figures) for r in rows]
    if not with_coverage:
        return listed
    # Coverage for the whole page at once, for the clients seen in full only.
    found = coverage_of(vault, [r.id for r in listed if r.full], scope)
    return [replace(r, coverage=found[r.id]) if r.id in found else r for r in listed]


def list_ids(
    vault: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> list[tuple[int, str]]:
    """The id and name of every client of the list, in its order (``query``'s page is
    ignored): one pass over the list, however long."""
    rows = _select(vault, _ID_COLUMNS, query, today, scope, _EVERY_ROW, 0)
    return [(r[0], r[1]) for r in rows]


def count_clients(vault: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE) -> int:
    conn = vault.connection
    search = TextSearch.make(query.text, held_books(vault), scope)
    if search is not None and _text_only(query):
        return search.count(conn)
    source, where, _ = _query_sql(vault, query, today, scope, search)
    sql = f"SELECT count(*) FROM {source.text}{where.text}"
    return int(conn.execute(sql, [*source.params, *where.params]).fetchone()[0])


_Figures = dict[int, tuple[int | None, str | None]]


def _figures(vault: Any, rows: Sequence[Sequence[Any]], scope: Scope) -> tuple[set[int], _Figures]:
    """Which of the rows' clients are in a book this person may use, and their spend and
    next order from it."""
    books = usable_books(held_books(vault), scope)
    by_book: dict[str, list[int]] = {}
    for r in rows:
        if r[10] in books:
            by_book.setdefault(r[10], []).append(r[0])
    found: _Figures = {}
    conn = vault.connection
    for book_id, ids in by_book.items():
        for client_id, spend, next_order in conn.execute(
            f"SELECT client_id, spend_12m_cents, next_order FROM {books[book_id]}.{BOOK_CLIENTS}"
            " WHERE client_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        ):
            found[client_id] = (spend, next_order)
    return {i for ids in by_book.values() for i in ids}, found


def _row(r: Sequence[Any], scope: Scope, figures: tuple[set[int], _Figures]) -> ClientRow:
    emails, phones = strings(r[6]), strings(r[7])
    in_held, values = figures
    full = r[0] in in_held and (
        scope.visibility is Visibility.ALL
        or (
            scope.visibility is Visibility.ASSIGNED
            and r[5].casefold() in {n.casefold() for n in scope.names}
        )
    )
    spend, next_order = values.get(r[0], (0, None))
    return ClientRow(
        id=r[0],
        name=r[1],
        kind=r[2],
        status=r[3],
        industry=r[4],
        salesperson=r[5],
        email=emails[0] if emails else "",
        phone=phones[0] if phones else "",
        tags=strings(r[8]),
        last_contact=date(r[9]),
        spend_12m=Decimal(spend or 0).scaleb(-2) if full else None,
        next_order=date(next_order) if full else None,
        full=full,
    )


def open_tasks(
    conn: Any, until: dt.date, limit: int | None, scope: Scope = FULL_SCOPE
) -> list[FollowUp]:
    """Open tasks due on or before ``until``, oldest first: of the clients ``scope`` sees
    in full, and all of them (``limit`` None) or the first ``limit``."""
    own, names = owned(scope)
    rows = conn.execute(
        f"SELECT t.id, c.id, c.name, t.due, t.title, t.contact, c.phones FROM {TASKS.name} t"
        f" JOIN {CLIENTS} c ON c.id = t.client_id WHERE t.done = 0 AND t.due <= ? AND {own}"
        " ORDER BY t.due, c.sort_key LIMIT ?",
        (until.isoformat(), *names, -1 if limit is None else limit),
    )
    return [
        FollowUp(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), r[4], r[5], _first(r[6]))
        for r in rows
    ]


def coming_birthdays(
    vault: Any, today: dt.date, days: int, limit: int, scope: Scope = FULL_SCOPE
) -> list[Birthday]:
    """Contacts whose birthday falls in the next ``days`` days, soonest first (from the
    books this person holds)."""
    keys = to_json(birthday_keys(today, days))
    own, names = owned(scope)
    conn = vault.connection
    found = []
    for book_id, schema in sorted(usable_books(held_books(vault), scope).items()):
        rows = conn.execute(
            f"SELECT c.id, c.name, k.name, p.birthday, k.phones, c.phones"
            f" FROM {schema}.{CONTACTS.book_table} p"
            f" JOIN main.{CONTACTS.name} k ON k.id = p.contact_id"
            f" JOIN main.{CLIENTS} c ON c.id = k.client_id AND c.book_id = ?"
            f" WHERE p.birthday_md IN (SELECT value FROM json_each(?)) AND {own}",
            (book_id, keys, *names),
        ).fetchall()
        for client_id, client_name, contact, born_text, phones, client_phones in rows:
            born = dt.date.fromisoformat(born_text)
            day = next_birthday(born, today)
            phone = _first(phones) or _first(client_phones)
            found.append(
                Birthday(client_id, client_name, contact, day, age_turning(born, day), phone)
            )
    found.sort(key=lambda b: (b.date, fold(b.contact_name)))
    return found[:limit]


def _first(json_list: str) -> str:
    values = strings(json_list)
    return values[0] if values else ""


def preferences_for(
    vault: Any, client_ids: Sequence[int], scope: Scope = FULL_SCOPE
) -> dict[int, list[str]]:
    """Each client's preferences as "topic: detail" lines, for call lists (from the
    books this person holds)."""
    found: dict[int, list[str]] = {}
    own, names = owned(scope)
    conn = vault.connection
    wanted = to_json(list(client_ids))
    for book_id, schema in sorted(usable_books(held_books(vault), scope).items()):
        for client_id, topic, detail in conn.execute(
            f"SELECT p.client_id, p.topic, p.detail FROM {schema}.{PREFERENCES.name} p"
            f" JOIN main.{CLIENTS} c ON c.id = p.client_id AND c.book_id = ?"
            " WHERE p.client_id IN (SELECT value FROM json_each(?))"
            f" AND {own} ORDER BY p.client_id, p.position",
            (book_id, wanted, *names),
        ):
            found.setdefault(client_id, []).append(f"{topic}: {detail}" if detail else topic)
    return found
