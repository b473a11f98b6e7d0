"""Coverage through the store and the services: SQL that agrees with the domain, the list's
sort and filter, the book's figures and since when, on known data."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from crmdesk.domain.classification import COVERAGE_CATEGORIES, COVERAGE_KEYS
from crmdesk.domain.coverage import Coverage, client_coverage
from crmdesk.errors import BadInput
from crmdesk.services import client_store as store
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.client_store import coverage as sql
from crmdesk.services.coverage import CoverageService, client_facts, written_dates
from crmdesk.services.demo import create_demo_clients
from crmdesk.vault import books
from crmdesk.vault.books import HOUSE
from tests.services.conftest import TODAY, full_client

PRICE = [{"product": "Widget", "price": "9.50"}]


def known_clients(clients) -> dict[str, int]:
    """Four clients holding 0, 1, 2 and 7 kinds of value-added information."""
    return {
        "Bare": clients.add(
            {
                "name": "Bare Co",
                "contacts": [{"name": "Pat", "email": "pat@example.com"}],
                "interactions": [{"date": "2026-01-02", "kind": "call", "contact": "Pat"}],
            }
        ),
        "One": clients.add({"name": "One Co", "pricing": PRICE}),
        "Two": clients.add(
            {
                "name": "Two Co",
                "contacts": [{"name": "Lee", "personal": {"hobbies": "chess"}}],
                "preferences": [{"topic": "Delivery", "detail": "mornings"}],
            }
        ),
        "Full": clients.add(full_client()),
    }


def test_sql_coverage_agrees_with_the_domain_on_demo_clients(session, clients):
    create_demo_clients(session, 150, today=TODAY)
    with session.vault.reading() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM clients")]
        found = sql.coverage_of(session.vault, ids)
        for client_id in ids:
            client = store.load_client(session.vault, client_id)
            assert found[client_id] == client_coverage(client), client_id
    # Demo data is varied enough for the check to mean something.
    assert {len(c.held) for c in found.values()} >= {3, 4, 5, 6, 7}


def test_the_known_clients_coverage(clients):
    ids = known_clients(clients)
    found = clients.coverage(list(ids.values()))
    assert found[ids["Bare"]] == Coverage(frozenset())
    assert found[ids["One"]].held == {"pricing"}
    assert found[ids["Two"]].held == {"personal_profiles", "preferences"}
    assert found[ids["Full"]].held == frozenset(COVERAGE_KEYS)
    shown = clients.get_json(ids["Two"])["coverage"]
    assert shown["held"] == 2 and shown["categories"]["pricing"] == "missing"


def test_the_list_sorts_by_coverage_and_rows_carry_it(clients):
    ids = known_clients(clients)
    rows = clients.list(ClientQuery(sort=SortKey.COVERAGE))
    assert [r.name for r in rows] == ["Bare Co", "One Co", "Two Co", "Zoë's Bakery"]
    assert [r.coverage.count for r in rows] == [0, 1, 2, 7]
    down = clients.list(ClientQuery(sort=SortKey.COVERAGE, descending=True))
    assert [r.id for r in down] == [ids["Full"], ids["Two"], ids["One"], ids["Bare"]]


def test_a_list_without_coverage_leaves_it_withheld_and_the_rest_as_it_was(clients):
    known_clients(clients)  # the printed list asks for its rows so: it does not print it
    query = ClientQuery(sort=SortKey.COVERAGE)
    rows = clients.list(query)
    bare = clients.list(query, with_coverage=False)
    assert [r.coverage for r in bare] == [Coverage.hidden()] * len(rows)
    assert [replace(r, coverage=Coverage.hidden()) for r in rows] == bare


@pytest.mark.parametrize(
    ("missing", "names"),
    [
        (("pricing",), ["Bare Co", "Two Co"]),
        (("personal_profiles",), ["Bare Co", "One Co"]),
        (("pricing", "preferences"), ["Bare Co"]),
        (("interactions",), ["Bare Co", "One Co", "Two Co"]),
    ],
)
def test_the_missing_filter(clients, missing, names):
    known_clients(clients)
    query = ClientQuery(missing=missing)
    assert [r.name for r in clients.list(query)] == names
    assert clients.count(query) == len(names)
    assert [name for _, name in clients.list_ids(query)] == names


def test_an_unknown_kind_is_refused_naming_the_choices(clients):
    with pytest.raises(BadInput, match="unknown kind of information 'shoes'.*personal_profiles"):
        clients.list(ClientQuery(missing=("shoes",)))


def test_the_mixed_tables_are_answered_from_the_coverage_indexes(session):
    """A book's partial indexes carry exactly the store's conditions: otherwise SQLite
    would not use them, and coverage of 100,000 clients would read every profile and
    every interaction's notes."""
    statements = " ".join(s for m in books.BOOK_MIGRATIONS for s in m.statements)
    for c in COVERAGE_CATEGORIES:
        if not c.whole_record():
            assert f"WHERE {sql._content(c)}" in statements.replace('"', "'"), c.key
    schema = store.books.held_books(session.vault)[HOUSE]
    with session.vault.reading() as conn:
        for key, index in (("personal_profiles", "contact_profiles_held"),
                           ("interactions", "interaction_notes_told")):  # fmt: skip
            category = next(c for c in COVERAGE_CATEGORIES if c.key == key)
            plan = conn.execute(
                f"EXPLAIN QUERY PLAN SELECT {sql.holds_sql(category, schema)} FROM clients c"
            ).fetchall()
            assert any(index in str(row) for row in plan), plan


# -- the book --------------------------------------------------------------------------------


def test_the_books_figures_on_known_data(session, clients):
    ids = known_clients(clients)
    clients.add({"name": "Sam's Co", "salesperson": "sam", "pricing": PRICE})
    book = CoverageService(session, today=lambda: TODAY).book()
    assert book.book.clients == 5 and book.scope == "every client"
    counts = {k: s.count for k, s in book.book.shares.items()}
    assert counts == {
        "personal_profiles": 2, "purchases": 1, "pricing": 3, "preferences": 2,
        "seasonal_needs": 1, "specifications": 1, "interactions": 1,
    }  # fmt: skip
    assert str(book.book.shares["pricing"].percent) == "60.0"
    # (0 + 1 + 2 + 7 + 1) kinds over 5 clients
    assert (book.book.any_value_added.count, str(book.book.average_held)) == (4, "2.2")
    assert [(g.name, g.clients) for g in book.by_salesperson] == [
        ("sam", 1), ("zoe", 1), ("", 3),
    ]  # fmt: skip
    # Since when: the earliest order of Zoë's Bakery (its own date), and for kinds
    # without dates, the day the audit trail recorded the client's creation.
    assert book.since["purchases"] == dt.date(2025, 12, 1)
    assert book.since["interactions"] == dt.date(2026, 10, 20)
    created = _audit_day(session, "client.created", ids["Two"])
    assert book.since["preferences"] == created
    last = book.months[-1]
    assert last.clients == 5 and last.counts == counts
    assert book.months[0].month == "2025-12"
    # Only Zoë's Bakery bought in the last 12 months, and it holds everything.
    assert book.gaps == []
    data = json.loads(json.dumps(book.to_json()))
    assert data["book"]["categories"]["pricing"] == {"clients": 3, "percent": "60.0"}


def _audit_day(session, action: str, client_id: int) -> dt.date:
    ts = session.vault.connection.execute(
        "SELECT ts FROM audit_events WHERE action = ? AND object = ?",
        (action, f"client:{client_id}"),
    ).fetchone()[0]
    return dt.datetime.fromisoformat(ts).date()


def test_the_trail_says_what_a_client_held_when_created_and_what_came_later(session, clients):
    client_id = clients.add({"name": "Later Co", "pricing": PRICE})
    details = json.loads(
        session.vault.connection.execute(
            "SELECT details FROM audit_events WHERE action = 'client.created'"
        ).fetchone()[0]
    )
    assert details["coverage"] == ["pricing"]
    clients.update(client_id, {"preferences": [{"topic": "Calls", "detail": "after 3 pm"}]})
    with session.vault.reading() as conn:
        written = written_dates(conn, {client_id})[client_id]
    today = _audit_day(session, "client.created", client_id)
    assert written.created == today and written.created_with == {"pricing"}
    assert written.added == {"preferences": _audit_day(session, "client.updated", client_id)}


def _row(held, created, updated, records=None):
    return sql.BookRow(
        1, "A", "sam", Decimal("10.00"),
        dt.datetime.combine(created, dt.time(9), dt.UTC),
        dt.datetime.combine(updated, dt.time(9), dt.UTC),
        Coverage.from_keys(held), records or {},
    )  # fmt: skip


def test_since_when_takes_the_earlier_of_the_record_and_the_trail():
    from crmdesk.services.coverage import _Written

    created, later, updated = dt.date(2026, 3, 1), dt.date(2026, 6, 1), dt.date(2026, 9, 1)
    row = _row(
        {"purchases", "pricing", "preferences", "specifications"},
        created,
        updated,
        {"purchases": dt.date(2024, 5, 5), "pricing": dt.date(2026, 12, 1)},
    )
    written = _Written(created, frozenset({"purchases", "pricing"}), {"preferences": later})
    facts = client_facts(row, written)
    assert facts.since == {
        "purchases": dt.date(2024, 5, 5),  # the order's date, before crmdesk had it
        "pricing": created,  # a price starting later was known when written
        "preferences": later,  # added by a later change
        "specifications": updated,  # nothing dates it: the client's last change
    }
    assert facts.added == dt.date(2024, 5, 5)
    # Created in a batch (an import, demo data): the batch wrote the whole record.
    assert client_facts(row, None).since["preferences"] == created


def test_many_clients_book_at_once_stays_consistent(session):
    create_demo_clients(session, 120, today=TODAY)
    book = CoverageService(session, today=lambda: TODAY).book()
    assert book.book.clients == 120
    assert sum(g.clients for g in book.by_salesperson) == 120
    clients_by_month = [m.clients for m in book.months]
    assert clients_by_month == sorted(clients_by_month) and clients_by_month[-1] == 120
    assert book.months[-1].counts == {k: s.count for k, s in book.book.shares.items()}
    for a, b in zip(book.months, book.months[1:], strict=False):
        assert all(a.counts[k] <= b.counts[k] for k in COVERAGE_KEYS)
    held = [len(f.coverage.held) for f in book.gaps]
    assert held == sorted(held) and all(f.spend_12m > 0 for f in book.gaps)
