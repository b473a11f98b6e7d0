"""Lists of clients: pages of a filtered, sorted list; follow-ups, birthdays, preferences.

A list never loads whole records: it reads the client row with its summary columns
(see summaries.py), and the value-added ones only for the clients the scope sees in
full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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

from .coverage import count_sql, coverage_of, missing_condition
from .rows import date, strings, to_json
from .search import fts_count, fts_expression, fts_only, owned, ranked_ids, search_condition
from .tables import CLIENT_TAGS, CLIENTS, CONTACTS, PREFERENCES, TASKS

_ORDER = {
    SortKey.NAME: "c.sort_key",
    SortKey.STATUS: "c.status",
    SortKey.SALESPERSON: "c.salesperson",
    SortKey.LAST_CONTACT: "c.last_contact",
    SortKey.SPEND_12M: "c.spend_12m_cents",
    SortKey.NEXT_ORDER: "c.next_order",
    SortKey.COVERAGE: count_sql("c"),
}
_VALUE_ADDED_SORTS = frozenset({SortKey.SPEND_12M, SortKey.NEXT_ORDER, SortKey.COVERAGE})

_ROW_COLUMNS = (
    "c.id, c.name, c.kind, c.status, c.industry, c.salesperson, c.emails, c.phones, c.tags,"
    " c.last_contact, c.spend_12m_cents, c.next_order"
)
_ID_COLUMNS = "c.id, c.name"
# A LIMIT no list reaches (ranked search counts what is left, so not SQLite's -1).
_EVERY_ROW = 1 << 62


def _where(
    query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> tuple[str, str, list[Any], bool]:
    """FROM and WHERE clauses, their parameters, and whether the search rank is there."""
    params: list[Any] = []
    conditions: list[str] = []
    expression = fts_expression(query.text)
    ranked = False
    if expression:
        source, condition, found, ranked = search_condition(expression, scope)
        conditions.append(condition)
        params += found
    else:
        source = f"{CLIENTS} c"
    if query.status:
        conditions.append("c.status = ?")
        params.append(query.status)
    if query.salesperson:
        conditions.append("c.salesperson = ?")
        params.append(query.salesperson)
    if query.tag:
        conditions.append(f"c.id IN (SELECT client_id FROM {CLIENT_TAGS} WHERE tag_key = ?)")
        params.append(fold(query.tag))
    if query.buys_in_month or query.birthday_within_days is not None or query.missing:
        # Buying seasons, birthdays and coverage are value-added: only clients seen in
        # full match (a client whose coverage is withheld is never "missing" anything).
        own, names = owned(scope)
        if own != "1":
            conditions.append(own)
            params += names
    if query.buys_in_month:
        conditions.append("(c.buy_months & ?) != 0")
        params.append(1 << (query.buys_in_month - 1))
    if query.no_contact_days is not None:
        cutoff = today - dt.timedelta(days=query.no_contact_days)
        conditions.append("(c.last_contact IS NULL OR c.last_contact <= ?)")
        params.append(cutoff.isoformat())
    if query.birthday_within_days is not None:
        conditions.append(
            f"c.id IN (SELECT client_id FROM {CONTACTS.name} WHERE birthday_md IN"
            " (SELECT value FROM json_each(?)))"
        )
        params.append(to_json(birthday_keys(today, query.birthday_within_days)))
    if query.followups_due:
        conditions.append(
            f"c.id IN (SELECT client_id FROM {TASKS.name} WHERE done = 0 AND due <= ?)"
        )
        params.append(today.isoformat())
    if query.missing:
        conditions.append(missing_condition(query.missing))
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return source, where, params, ranked


def _text_only(query: ClientQuery) -> bool:
    """True when search text is the only condition: FTS5 alone can then answer."""
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


def _select(
    conn: Any,
    columns: str,
    query: ClientQuery,
    today: dt.date,
    scope: Scope,
    limit: int,
    offset: int,
) -> list[Any]:
    """The rows (of ``columns``) of one page of the list, in its order."""
    only = fts_only(fts_expression(query.text), scope)
    if only and query.sort == SortKey.RELEVANCE and _text_only(query):
        ids = ranked_ids(conn, only, limit, offset)
        rows = conn.execute(
            f"SELECT {columns} FROM {CLIENTS} c WHERE c.id IN (SELECT value FROM json_each(?))",
            (to_json(ids),),
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        return [by_id[i] for i in ids if i in by_id]
    source, where, params, ranked = _where(query, today, scope)
    direction = "DESC" if query.descending else "ASC"
    order_params: list[Any] = []
    if query.sort == SortKey.RELEVANCE and ranked:
        order = "s.rank, c.sort_key, c.id"
    elif query.sort in (SortKey.NAME, SortKey.RELEVANCE):
        order = f"c.sort_key {direction}, c.id {direction}"  # walks the index, no sort
    else:
        key = _ORDER[query.sort]
        if query.sort in _VALUE_ADDED_SORTS and scope.visibility is not Visibility.ALL:
            # Sorting by a withheld value would reveal it: those rows sort as empty.
            own, order_params = owned(scope)
            key = f"(CASE WHEN {own} THEN {key} END)"
        # Empty values (never contacted, no expected order) go last either way.
        order = f"{key} {direction} NULLS LAST, c.sort_key, c.id"
    sql = f"SELECT {columns} FROM {source}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return list(conn.execute(sql, [*params, *order_params, limit, offset]))


def list_clients(
    conn: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> list[ClientRow]:
    """One page (``query.limit`` from ``query.offset``) of the list."""
    rows = [
        _row(r, scope)
        for r in _select(conn, _ROW_COLUMNS, query, today, scope, query.limit, query.offset)
    ]
    # Coverage for the whole page in one query, for the clients seen in full only.
    found = coverage_of(conn, [r.id for r in rows if r.full], scope)
    return [replace(r, coverage=found[r.id]) if r.id in found else r for r in rows]


def list_ids(
    conn: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> list[tuple[int, str]]:
    """The id and name of every client of the list, in its order (``query``'s page is
    ignored): one pass over the list, however long."""
    rows = _select(conn, _ID_COLUMNS, query, today, scope, _EVERY_ROW, 0)
    return [(r[0], r[1]) for r in rows]


def count_clients(conn: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE) -> int:
    only = fts_only(fts_expression(query.text), scope)
    if only and _text_only(query):
        return fts_count(conn, only)
    source, where, params, _ = _where(query, today, scope)
    return int(conn.execute(f"SELECT count(*) FROM {source}{where}", params).fetchone()[0])


def _row(r: Sequence[Any], scope: Scope = FULL_SCOPE) -> ClientRow:
    emails, phones = strings(r[6]), strings(r[7])
    full = scope.visibility is Visibility.ALL or (
        scope.visibility is Visibility.ASSIGNED
        and r[5].casefold() in {n.casefold() for n in scope.names}
    )
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
        spend_12m=Decimal(r[10]).scaleb(-2) if full else None,
        next_order=date(r[11]) if full else None,
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
    conn: Any, today: dt.date, days: int, limit: int, scope: Scope = FULL_SCOPE
) -> list[Birthday]:
    """Contacts whose birthday falls in the next ``days`` days, soonest first."""
    keys = birthday_keys(today, days)
    own, names = owned(scope)
    rows = conn.execute(
        f"SELECT c.id, c.name, k.name, k.birthday, k.phones, c.phones FROM {CONTACTS.name} k"
        f" JOIN {CLIENTS} c ON c.id = k.client_id"
        f" WHERE k.birthday_md IN (SELECT value FROM json_each(?)) AND {own}",
        (to_json(keys), *names),
    ).fetchall()
    found = []
    for client_id, client_name, contact, born_text, phones, client_phones in rows:
        born = dt.date.fromisoformat(born_text)
        day = next_birthday(born, today)
        phone = _first(phones) or _first(client_phones)
        found.append(Birthday(client_id, client_name, contact, day, age_turning(born, day), phone))
    found.sort(key=lambda b: (b.date, fold(b.contact_name)))
    return found[:limit]


def _first(json_list: str) -> str:
    values = strings(json_list)
    return values[0] if values else ""


def preferences_for(
    conn: Any, client_ids: Sequence[int], scope: Scope = FULL_SCOPE
) -> dict[int, list[str]]:
    """Each client's preferences as "topic: detail" lines, for call lists."""
    found: dict[int, list[str]] = {}
    own, names = owned(scope)
    for client_id, topic, detail in conn.execute(
        f"SELECT p.client_id, p.topic, p.detail FROM {PREFERENCES.name} p JOIN {CLIENTS} c"
        " ON c.id = p.client_id WHERE p.client_id IN (SELECT value FROM json_each(?))"
        f" AND {own} ORDER BY p.client_id, p.position",
        (to_json(list(client_ids)), *names),
    ):
        found.setdefault(client_id, []).append(f"{topic}: {detail}" if detail else topic)
    return found
