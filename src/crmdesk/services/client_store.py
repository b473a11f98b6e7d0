"""SQL for client records: rows in, entities out. Called by the services only, inside
their transactions; it checks no permissions and records no audit events itself."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from crmdesk.domain import (
    Address,
    Client,
    Contact,
    Interaction,
    LineItem,
    PersonalProfile,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
    fold,
)
from crmdesk.domain.patterns import one_year_before, summarise_orders
from crmdesk.domain.roles import Visibility
from crmdesk.services.client_query import (
    FULL_SCOPE,
    Birthday,
    ClientQuery,
    ClientRow,
    FollowUp,
    Scope,
    SortKey,
    fts_expression,
)

CHILD_TABLES = (
    "contacts",
    "purchases",
    "pricing",
    "preferences",
    "seasonal_needs",
    "specifications",
    "interactions",
    "tasks",
)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _dec(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(values: Any) -> str:
    return _JSON.encode(values)


# -------------------------------------------------------------------------- summaries


def _month_mask(months: Iterable[int]) -> int:
    mask = 0
    for m in months:
        mask |= 1 << (m - 1)
    return mask


def summary(client: Client, today: dt.date, totals: Sequence[Decimal]) -> dict[str, Any]:
    """Figures kept on the client row so that lists sort and filter without joins.

    ``totals`` are the purchases' totals, in order: worked out once per client.
    """
    orders = summarise_orders(
        [(p.date, total) for p, total in zip(client.purchases, totals, strict=True)], today
    )
    seasonal = (m for need in client.seasonal_needs for m in need.months)
    return {
        "last_contact": _iso(max((i.date for i in client.interactions), default=None)),
        "last_purchase": _iso(orders.last_purchase),
        "spend_12m_cents": _cents(orders.last_12_months_spend),
        "next_order": _iso(orders.expected_next_order),
        "buy_months": _month_mask(orders.buying_months) | _month_mask(seasonal),
    }


def search_document(client: Client) -> tuple[str, str, str]:
    """The folded text of a client for the search index: name, basic, value-added."""
    basic: list[str] = [client.industry, client.salesperson, client.website, client.source]
    basic += client.emails + client.phones + client.tags
    for a in client.addresses:
        basic += [a.street, a.city, a.region, a.postal_code, a.country]
    value_added: list[str] = [client.notes]
    for c in client.contacts:
        basic += [c.name, c.title, *c.emails, *c.phones]
        p = c.personal
        value_added += [p.hobbies, p.activities, p.education, p.memberships, p.family, c.notes]
    for purchase in client.purchases:
        value_added += [purchase.notes, *(item.product for item in purchase.items)]
    value_added += [f"{p.product} {p.terms}" for p in client.pricing]
    value_added += [f"{p.topic} {p.detail}" for p in client.preferences]
    value_added += [n.need for n in client.seasonal_needs]
    value_added += [f"{s.item} {s.detail}" for s in client.specifications]
    for i in client.interactions:
        basic += [i.kind, i.contact]
        value_added += [i.summary, i.outcome]
    basic += [f"{t.title} {t.contact}" for t in client.tasks]

    def joined(parts: Sequence[str]) -> str:
        # Products repeat across purchases: index each distinct text once.
        return fold(" ".join(dict.fromkeys(p for p in parts if p)))

    return fold(client.name), joined(basic), joined(value_added)


# ---------------------------------------------------------------------------- writing


def _client_values(client: Client) -> dict[str, Any]:
    return {
        "name": client.name,
        "sort_key": fold(client.name),
        "kind": client.kind,
        "status": client.status,
        "industry": client.industry,
        "salesperson": client.salesperson,
        "website": client.website,
        "emails": _json(client.emails),
        "phones": _json(client.phones),
        "addresses": _json(
            [
                {
                    "street": a.street,
                    "city": a.city,
                    "region": a.region,
                    "postal_code": a.postal_code,
                    "country": a.country,
                }
                for a in client.addresses
            ]
        ),
        "tags": _json(client.tags),
        "source": client.source,
        "notes": client.notes,
    }


def insert_clients(
    conn: Any, clients: Sequence[Client], now: dt.datetime, today: dt.date
) -> list[int]:
    """Insert new clients with all their children; returns their ids.

    Ids are assigned here, inside the caller's write transaction, so that a batch of
    thousands (demo data, imports) goes in with one statement per table.
    """
    first_client = _next_id(conn, "clients")
    next_purchase = _next_id(conn, "purchases")
    stamp = now.isoformat()
    client_rows = []
    rows = _ChildRows()
    ids = []
    for offset, client in enumerate(clients):
        client_id = first_client + offset
        ids.append(client_id)
        totals = [p.total for p in client.purchases]
        values = _client_values(client) | summary(client, today, totals)
        client_rows.append(
            {**values, "id": client_id, "version": 1, "created_at": stamp, "updated_at": stamp}
        )
        next_purchase = rows.add(client_id, client, next_purchase, totals)
    if client_rows:
        columns = list(client_rows[0])
        conn.executemany(
            f"INSERT INTO clients ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            client_rows,
        )
        rows.write(conn)
    return ids


def update_client(conn: Any, client: Client, now: dt.datetime, today: dt.date) -> int:
    """Rewrite a client and its children; returns the new version."""
    assert client.id is not None
    totals = [p.total for p in client.purchases]
    values = _client_values(client) | summary(client, today, totals)
    values |= {"updated_at": now.isoformat(), "id": client.id}
    assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    conn.execute(f"UPDATE clients SET {assignments}, version = version + 1 WHERE id = :id", values)
    for table in CHILD_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE client_id = ?", (client.id,))
    conn.execute("DELETE FROM client_tags WHERE client_id = ?", (client.id,))
    conn.execute("DELETE FROM client_search WHERE rowid = ?", (client.id,))
    rows = _ChildRows()
    rows.add(client.id, client, _next_id(conn, "purchases"), totals)
    rows.write(conn)
    return int(conn.execute("SELECT version FROM clients WHERE id = ?", (client.id,)).fetchone()[0])


def delete_client(conn: Any, client_id: int) -> None:
    conn.execute("DELETE FROM client_search WHERE rowid = ?", (client_id,))
    conn.execute("DELETE FROM clients WHERE id = ?", (client_id,))  # children cascade


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


_INSERTS = {
    "client_tags": "INSERT OR IGNORE INTO client_tags (tag_key, client_id) VALUES (?, ?)",
    "client_search": "INSERT INTO client_search (rowid, name, basic, value_added)"
    " VALUES (?, ?, ?, ?)",
    "contacts": "INSERT INTO contacts (client_id, position, name, title, emails, phones,"
    " birthday, birthday_md, hobbies, activities, education, memberships, family, notes)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "purchases": "INSERT INTO purchases (id, client_id, date, notes, total_cents)"
    " VALUES (?, ?, ?, ?, ?)",
    "purchase_items": "INSERT INTO purchase_items (purchase_id, position, product, quantity,"
    " unit_price, discount_percent) VALUES (?, ?, ?, ?, ?, ?)",
    "pricing": "INSERT INTO pricing (client_id, position, product, price, discount_percent,"
    " valid_from, valid_to, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "preferences": "INSERT INTO preferences (client_id, position, topic, detail)"
    " VALUES (?, ?, ?, ?)",
    "seasonal_needs": "INSERT INTO seasonal_needs (client_id, position, months, need)"
    " VALUES (?, ?, ?, ?)",
    "specifications": "INSERT INTO specifications (client_id, position, item, detail)"
    " VALUES (?, ?, ?, ?)",
    "interactions": "INSERT INTO interactions (client_id, date, kind, contact, summary,"
    " outcome) VALUES (?, ?, ?, ?, ?, ?)",
    "tasks": "INSERT INTO tasks (client_id, due, title, done, contact) VALUES (?, ?, ?, ?, ?)",
}


def _optional_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class _ChildRows:
    """Rows of every child table for one or many clients, written one table at a time."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _INSERTS}

    def add(self, cid: int, c: Client, next_purchase: int, totals: Sequence[Decimal]) -> int:
        """Collect a client's rows; returns the next free purchase id."""
        r = self.rows
        r["client_tags"] += [(fold(t), cid) for t in c.tags]
        r["client_search"].append((cid, *search_document(c)))
        for pos, x in enumerate(c.contacts):
            p = x.personal
            r["contacts"].append(
                (cid, pos, x.name, x.title, _json(x.emails), _json(x.phones), _iso(x.birthday),
                 x.birthday.strftime("%m-%d") if x.birthday else None,
                 p.hobbies, p.activities, p.education, p.memberships, p.family, x.notes)
            )  # fmt: skip
        for purchase, total in zip(c.purchases, totals, strict=True):
            pid, next_purchase = next_purchase, next_purchase + 1
            r["purchases"].append(
                (pid, cid, purchase.date.isoformat(), purchase.notes, _cents(total))
            )
            r["purchase_items"] += [
                (pid, pos, i.product, str(i.quantity), str(i.unit_price), str(i.discount_percent))
                for pos, i in enumerate(purchase.items)
            ]
        r["pricing"] += [
            (cid, pos, x.product, _optional_str(x.price), _optional_str(x.discount_percent),
             _iso(x.valid_from), _iso(x.valid_to), x.terms)
            for pos, x in enumerate(c.pricing)
        ]  # fmt: skip
        r["preferences"] += [(cid, pos, x.topic, x.detail) for pos, x in enumerate(c.preferences)]
        r["seasonal_needs"] += [
            (cid, pos, _json(list(x.months)), x.need) for pos, x in enumerate(c.seasonal_needs)
        ]
        r["specifications"] += [
            (cid, pos, x.item, x.detail) for pos, x in enumerate(c.specifications)
        ]
        r["interactions"] += [
            (cid, x.date.isoformat(), x.kind, x.contact, x.summary, x.outcome)
            for x in c.interactions
        ]
        r["tasks"] += [(cid, x.due.isoformat(), x.title, int(x.done), x.contact) for x in c.tasks]
        return next_purchase

    def write(self, conn: Any) -> None:
        for table, rows in self.rows.items():
            if rows:
                conn.executemany(_INSERTS[table], rows)


# ---------------------------------------------------------------------------- reading


def client_version(conn: Any, client_id: int) -> int | None:
    row = conn.execute("SELECT version FROM clients WHERE id = ?", (client_id,)).fetchone()
    return int(row[0]) if row else None


def load_client(conn: Any, client_id: int) -> Client | None:
    row = conn.execute(
        "SELECT name, kind, status, industry, salesperson, website, emails, phones, addresses,"
        " tags, source, notes, version, created_at, updated_at FROM clients WHERE id = ?",
        (client_id,),
    ).fetchone()
    if row is None:
        return None
    q = conn.execute
    contacts = [
        Contact(
            name=r[1],
            title=r[2],
            emails=json.loads(r[3]),
            phones=json.loads(r[4]),
            birthday=_date(r[5]),
            personal=PersonalProfile(r[6], r[7], r[8], r[9], r[10]),
            notes=r[11],
            id=r[0],
        )
        for r in q(
            "SELECT id, name, title, emails, phones, birthday, hobbies, activities, education,"
            " memberships, family, notes FROM contacts WHERE client_id = ? ORDER BY position",
            (client_id,),
        )
    ]
    items: dict[int, list[LineItem]] = {}
    for r in q(
        "SELECT i.purchase_id, i.product, i.quantity, i.unit_price, i.discount_percent"
        " FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id"
        " WHERE p.client_id = ? ORDER BY i.purchase_id, i.position",
        (client_id,),
    ):
        items.setdefault(r[0], []).append(
            LineItem(r[1], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]))
        )
    purchases = [
        Purchase(date=_date(r[1]), items=items.get(r[0], []), notes=r[2], id=r[0])  # type: ignore[arg-type]
        for r in q(
            "SELECT id, date, notes FROM purchases WHERE client_id = ? ORDER BY date, id",
            (client_id,),
        )
    ]
    pricing = [
        PricingAgreement(r[1], _dec(r[2]), _dec(r[3]), _date(r[4]), _date(r[5]), r[6], id=r[0])
        for r in q(
            "SELECT id, product, price, discount_percent, valid_from, valid_to, terms"
            " FROM pricing WHERE client_id = ? ORDER BY position",
            (client_id,),
        )
    ]
    preferences = [
        Preference(r[1], r[2], id=r[0])
        for r in q(
            "SELECT id, topic, detail FROM preferences WHERE client_id = ? ORDER BY position",
            (client_id,),
        )
    ]
    seasonal = [
        SeasonalNeed(tuple(json.loads(r[1])), r[2], id=r[0])
        for r in q(
            "SELECT id, months, need FROM seasonal_needs WHERE client_id = ? ORDER BY position",
            (client_id,),
        )
    ]
    specifications = [
        Specification(r[1], r[2], id=r[0])
        for r in q(
            "SELECT id, item, detail FROM specifications WHERE client_id = ? ORDER BY position",
            (client_id,),
        )
    ]
    interactions = [
        Interaction(_date(r[1]), r[2], r[3], r[4], r[5], id=r[0])  # type: ignore[arg-type]
        for r in q(
            "SELECT id, date, kind, contact, summary, outcome FROM interactions"
            " WHERE client_id = ? ORDER BY date, id",
            (client_id,),
        )
    ]
    tasks = [
        Task(_date(r[1]), r[2], bool(r[3]), r[4], id=r[0])  # type: ignore[arg-type]
        for r in q(
            "SELECT id, due, title, done, contact FROM tasks WHERE client_id = ? ORDER BY due, id",
            (client_id,),
        )
    ]
    return Client(
        name=row[0],
        kind=row[1],
        status=row[2],
        industry=row[3],
        salesperson=row[4],
        website=row[5],
        emails=json.loads(row[6]),
        phones=json.loads(row[7]),
        addresses=[Address(**a) for a in json.loads(row[8])],
        tags=json.loads(row[9]),
        source=row[10],
        notes=row[11],
        contacts=contacts,
        purchases=purchases,
        pricing=pricing,
        preferences=preferences,
        seasonal_needs=seasonal,
        specifications=specifications,
        interactions=interactions,
        tasks=tasks,
        id=client_id,
        version=int(row[12]),
        created_at=dt.datetime.fromisoformat(row[13]),
        updated_at=dt.datetime.fromisoformat(row[14]),
    )


# ---------------------------------------------------------------------------- listing

_ORDER = {
    SortKey.NAME: "c.sort_key",
    SortKey.STATUS: "c.status",
    SortKey.SALESPERSON: "c.salesperson",
    SortKey.LAST_CONTACT: "c.last_contact",
    SortKey.SPEND_12M: "c.spend_12m_cents",
    SortKey.NEXT_ORDER: "c.next_order",
}

_ROW_COLUMNS = (
    "c.id, c.name, c.kind, c.status, c.industry, c.salesperson, c.emails, c.phones, c.tags,"
    " c.last_contact, c.spend_12m_cents, c.next_order"
)


def birthday_keys(today: dt.date, days: int) -> list[str]:
    """The ``MM-DD`` keys of the next ``days`` days, today included.

    In a year without 29 February, people born on it celebrate on the 28th.
    """
    keys = []
    for offset in range(min(days, 366) + 1):
        day = today + dt.timedelta(days=offset)
        keys.append(day.strftime("%m-%d"))
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            keys.append("02-29")
    return keys


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _search_condition(expression: str, scope: Scope) -> tuple[str, str, list[Any], bool]:
    """FROM, a condition and its parameters for search text within a scope.

    The last value says whether the FTS alias ``s`` (and its rank) is available. Someone
    limited to basics searches only the name and basic columns, so a hit never reveals
    value-added text; a Salesperson searches everything of their own clients.
    """
    if scope.visibility is Visibility.ALL:
        return (
            "client_search s JOIN clients c ON c.id = s.rowid",
            "s.client_search MATCH ?",
            [expression],
            True,
        )
    basic = basic_expression(expression)
    if scope.visibility is Visibility.BASIC or not scope.names:
        return (
            "client_search s JOIN clients c ON c.id = s.rowid",
            "s.client_search MATCH ?",
            [basic],
            True,
        )
    own, names = scope.own("o")
    condition = (
        "c.id IN (SELECT rowid FROM client_search WHERE client_search MATCH ?"
        " UNION SELECT rowid FROM client_search WHERE client_search MATCH ? AND rowid IN"
        f" (SELECT o.id FROM clients o WHERE {own}))"
    )
    return "clients c", condition, [basic, expression, *names], False


def basic_expression(expression: str) -> str:
    """The search limited to the name and basic-information columns."""
    return f"{{name basic}} : ({expression})"


def _where(
    query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> tuple[str, str, list[Any], bool]:
    """FROM and WHERE clauses, their parameters, and whether the search rank is there."""
    params: list[Any] = []
    conditions: list[str] = []
    expression = fts_expression(query.text)
    ranked = False
    if expression:
        source, condition, found, ranked = _search_condition(expression, scope)
        conditions.append(condition)
        params += found
    else:
        source = "clients c"
    if query.status:
        conditions.append("c.status = ?")
        params.append(query.status)
    if query.salesperson:
        conditions.append("c.salesperson = ?")
        params.append(query.salesperson)
    if query.tag:
        conditions.append("c.id IN (SELECT client_id FROM client_tags WHERE tag_key = ?)")
        params.append(fold(query.tag))
    if query.buys_in_month or query.birthday_within_days is not None:
        # Buying seasons and birthdays are value-added: only clients seen in full match.
        own, names = scope.own()
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
            "c.id IN (SELECT client_id FROM contacts WHERE birthday_md IN"
            " (SELECT value FROM json_each(?)))"
        )
        params.append(_json(birthday_keys(today, query.birthday_within_days)))
    if query.followups_due:
        conditions.append("c.id IN (SELECT client_id FROM tasks WHERE done = 0 AND due <= ?)")
        params.append(today.isoformat())
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
        )
    )


def _fts_only(expression: str | None, scope: Scope) -> str | None:
    """The FTS5 query that alone answers a text-only search in this scope, if one does."""
    if not expression or scope.visibility is Visibility.ASSIGNED:
        return None
    return expression if scope.visibility is Visibility.ALL else basic_expression(expression)


def list_clients(
    conn: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE
) -> list[ClientRow]:
    expression = fts_expression(query.text)
    page = [query.limit, query.offset]
    fts_only = _fts_only(expression, scope)
    if fts_only and query.sort == SortKey.RELEVANCE and _text_only(query):
        ids = _ranked_ids(conn, fts_only, query.limit, query.offset)
        rows = conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM clients c WHERE c.id IN (SELECT value FROM json_each(?))",
            (_json(ids),),
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        return [_row(by_id[i], scope) for i in ids if i in by_id]
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
            own, order_params = scope.own()
            key = f"(CASE WHEN {own} THEN {key} END)"
        # Empty values (never contacted, no expected order) go last either way.
        order = f"{key} {direction} NULLS LAST, c.sort_key, c.id"
    sql = f"SELECT {_ROW_COLUMNS} FROM {source}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return [_row(r, scope) for r in conn.execute(sql, [*params, *order_params, *page])]


_VALUE_ADDED_SORTS = frozenset({SortKey.SPEND_12M, SortKey.NEXT_ORDER})


# Ranking costs about 2 ms per thousand hits; above this many, only name matches are
# ranked (search-as-you-type stays under 50 ms on 100,000 clients, see benchmarks/).
RANK_ALL_LIMIT = 10_000


def _ranked_ids(conn: Any, expression: str, limit: int, offset: int) -> list[int]:
    """The ids of one page of search hits, best first.

    Few hits: all are ranked (name, then basic details, then value-added text). Many
    hits (a short prefix): hits in the name come first, ranked; the others follow in
    the order they were added.
    """
    hits = _fts_count(conn, expression)
    if hits <= RANK_ALL_LIMIT:
        sql = "SELECT rowid FROM client_search WHERE client_search MATCH ? ORDER BY rank"
        return [r[0] for r in conn.execute(f"{sql} LIMIT ? OFFSET ?", (expression, limit, offset))]
    in_name = f"{{name}} : ({expression})"
    name_hits = _fts_count(conn, in_name)
    ids: list[int] = []
    if offset < name_hits:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM client_search WHERE client_search MATCH ?"
                " ORDER BY rank LIMIT ? OFFSET ?",
                (in_name, limit, offset),
            )
        ]
    if len(ids) < limit:
        ids += [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM client_search WHERE client_search MATCH ? AND rowid NOT IN"
                " (SELECT rowid FROM client_search WHERE client_search MATCH ?)"
                " ORDER BY rowid LIMIT ? OFFSET ?",
                (expression, in_name, limit - len(ids), max(0, offset - name_hits)),
            )
        ]
    return ids


def _fts_count(conn: Any, expression: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM client_search WHERE client_search MATCH ?", (expression,)
    ).fetchone()
    return int(row[0])


def count_clients(conn: Any, query: ClientQuery, today: dt.date, scope: Scope = FULL_SCOPE) -> int:
    fts_only = _fts_only(fts_expression(query.text), scope)
    if fts_only and _text_only(query):
        return _fts_count(conn, fts_only)
    source, where, params, _ = _where(query, today, scope)
    return int(conn.execute(f"SELECT count(*) FROM {source}{where}", params).fetchone()[0])


def _row(r: Sequence[Any], scope: Scope = FULL_SCOPE) -> ClientRow:
    emails, phones = json.loads(r[6]), json.loads(r[7])
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
        tags=json.loads(r[8]),
        last_contact=_date(r[9]),
        spend_12m=Decimal(r[10]).scaleb(-2) if full else None,
        next_order=_date(r[11]) if full else None,
        full=full,
    )


def refresh_spend(conn: Any, today: dt.date) -> None:
    """Recompute every client's 12-month spend for ``today`` (it drifts as days pass)."""
    conn.execute(
        "UPDATE clients SET spend_12m_cents = coalesce((SELECT sum(total_cents) FROM purchases p"
        " WHERE p.client_id = clients.id AND p.date > ? AND p.date <= ?), 0)",
        (one_year_before(today).isoformat(), today.isoformat()),
    )


def open_tasks(conn: Any, until: dt.date, limit: int) -> list[FollowUp]:
    """Open tasks due on or before ``until``, oldest first."""
    rows = conn.execute(
        "SELECT t.id, c.id, c.name, t.due, t.title, t.contact, c.phones FROM tasks t"
        " JOIN clients c ON c.id = t.client_id WHERE t.done = 0 AND t.due <= ?"
        " ORDER BY t.due, c.sort_key LIMIT ?",
        (until.isoformat(), limit),
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
    own, names = scope.own()
    rows = conn.execute(
        "SELECT c.id, c.name, k.name, k.birthday, k.phones, c.phones FROM contacts k"
        " JOIN clients c ON c.id = k.client_id"
        f" WHERE k.birthday_md IN (SELECT value FROM json_each(?)) AND {own}",
        (_json(keys), *names),
    ).fetchall()
    found = []
    for client_id, client_name, contact, born_text, phones, client_phones in rows:
        born = dt.date.fromisoformat(born_text)
        day = _next_birthday(born, today)
        turns = day.year - born.year if born.year > 1900 else None
        phone = _first(phones) or _first(client_phones)
        found.append(Birthday(client_id, client_name, contact, day, turns, phone))
    found.sort(key=lambda b: (b.date, fold(b.contact_name)))
    return found[:limit]


def _next_birthday(born: dt.date, today: dt.date) -> dt.date:
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = dt.date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable: a birthday comes within a year")


def _first(json_list: str) -> str:
    values = json.loads(json_list)
    return values[0] if values else ""


def preferences_for(
    conn: Any, client_ids: Sequence[int], scope: Scope = FULL_SCOPE
) -> dict[int, list[str]]:
    """Each client's preferences as "topic: detail" lines, for call lists."""
    found: dict[int, list[str]] = {}
    own, names = scope.own()
    for client_id, topic, detail in conn.execute(
        "SELECT p.client_id, p.topic, p.detail FROM preferences p JOIN clients c"
        " ON c.id = p.client_id WHERE p.client_id IN (SELECT value FROM json_each(?))"
        f" AND {own} ORDER BY p.client_id, p.position",
        (_json(list(client_ids)), *names),
    ):
        found.setdefault(client_id, []).append(f"{topic}: {detail}" if detail else topic)
    return found
