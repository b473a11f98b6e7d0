"""The client store: its columns are the domain's fields, its tables split as the
classification says, and nothing outside it names a client table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from crmdesk.demo import generate_clients
from crmdesk.domain import Client, Contact, PersonalProfile, client_from_json
from crmdesk.services import client_store
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.client_store import search, tables
from crmdesk.services.client_store.rows import codec
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from tests.services.conftest import TODAY, full_client
from tests.services.office import fast_passwords, make_office, secret_client  # noqa: F401

SRC = Path(__file__).resolve().parents[2] / "src" / "crmdesk"
NOW = dt.datetime(2026, 11, 29, 9, 30, tzinfo=dt.UTC)


def _schema(vault, table: str, schema: str = "main") -> set[str]:
    return {r[1] for r in vault.connection.execute(f"PRAGMA {schema}.table_info({table})")}


def _house(vault) -> str:
    return vault.book_schema("house")


def test_child_tables_have_exactly_the_columns_the_dataclasses_give(vault):
    book = _house(vault)
    for table in (*tables.CLIENT_CHILDREN, tables.PURCHASE_ITEMS):
        kept = {"id", table.parent, *(["position"] if table.positioned else [])}
        if table is tables.PURCHASE_ITEMS or table.value_added:
            # Wholly value-added: in the book, none of it in main.
            assert _schema(vault, table.name) == set()
            columns = kept | set(table.shape.names) | set(table.derived)
            assert _schema(vault, table.name, book) == columns
        else:
            assert _schema(vault, table.name) == kept | set(table.split.main_names)
            if table.book_table:
                assert _schema(vault, table.book_table, book) == {
                    table.book_key,
                    "client_id",
                    *table.split.book_names,
                    *table.book_derived,
                }


def test_the_client_row_is_the_fields_plus_what_lists_need(vault):
    assert _schema(vault, tables.CLIENTS) == {
        "id",
        "sort_key",
        "book_id",
        "last_contact",
        *tables.CLIENT_ROW_SPLIT.main_names,
    }
    assert _schema(vault, tables.BOOK_CLIENTS, _house(vault)) == {
        "client_id",
        "va_version",
        *tables.CLIENT_ROW_SPLIT.book_names,
        *tables.VALUE_ADDED_SUMMARIES,
    }
    assert set(tables.CLIENT_ROW.names) - set(tables.CLIENT_FIELDS.names) == {
        "version",
        "created_at",
        "updated_at",
    }


def test_the_main_database_has_no_value_added_column(vault):
    value_added = {
        c.name
        for shape in (tables.CLIENT_ROW, *(t.shape for t in tables.CLIENT_CHILDREN))
        for c in shape.columns
        if c.value_added
    } | {"birthday_md", *tables.VALUE_ADDED_SUMMARIES, "value_added"}
    # Names that are basic somewhere and value-added elsewhere (a task has no notes).
    value_added -= {"date", "product"}
    conn = vault.connection
    for (name,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'"):
        if name.startswith(("sqlite_", "audit", "client_search_")) or name in (
            "vault_info",
            "users",
            "person_keys",
            "policies",
            "policy_acceptances",
            "signin_failures",
            "reports",
            "exports",
            "decoys",
            "books",
            "audit_keys",
            "book_redo",
        ):
            continue
        assert not (_schema(vault, name) & value_added), name


def test_every_field_of_a_record_is_a_column_or_a_list_with_a_table():
    lists = {t.field for t in tables.CLIENT_CHILDREN}
    assert {f.name for f in dataclasses.fields(Client)} == {
        "id",
        *tables.CLIENT_ROW.names,
        *lists,
    }
    # A contact's personal profile is stored as its own fields' columns.
    profile = [f.name for f in dataclasses.fields(PersonalProfile)]
    assert [c.path for c in tables.CONTACTS.shape.columns if "." in c.path] == [
        f"personal.{name}" for name in profile
    ]
    assert "id" not in tables.CONTACTS.shape.names and "items" not in tables.PURCHASES.shape.names


def test_basic_and_value_added_tables_follow_the_classification():
    assert [t.name for t in tables.BASIC_TABLES] == ["contacts", "interactions", "tasks"]
    assert [t.name for t in tables.VALUE_ADDED_TABLES] == [
        "purchases",
        "pricing",
        "preferences",
        "seasonal_needs",
        "specifications",
    ]

    def value_added(shape):
        return [c.name for c in shape.columns if c.value_added]

    # Basic tables whose value-added columns are kept in a book's table.
    assert value_added(tables.CLIENT_ROW) == ["notes"] == list(tables.CLIENT_ROW_SPLIT.book_names)
    assert value_added(tables.CONTACTS.shape) == [
        "birthday",
        "hobbies",
        "activities",
        "education",
        "memberships",
        "family",
        "notes",
    ]
    assert list(tables.CONTACTS.split.book_names) == value_added(tables.CONTACTS.shape)
    assert value_added(tables.INTERACTIONS.shape) == ["summary", "outcome"]
    assert list(tables.INTERACTIONS.split.book_names) == ["summary", "outcome"]
    assert value_added(tables.TASKS.shape) == [] and tables.TASKS.book_table is None
    for table in (*tables.VALUE_ADDED_TABLES, tables.PURCHASE_ITEMS):
        assert all(c.value_added for c in table.shape.columns), table.name


def test_a_field_type_without_a_column_type_is_refused():
    with pytest.raises(TypeError, match="no column type"):
        codec(dict[str, int])


def test_no_client_table_is_named_outside_the_store():
    names = "|".join(
        [tables.CLIENTS, tables.CLIENT_TAGS, tables.CLIENT_SEARCH, tables.BOOK_CLIENTS]
        + [tables.BOOK_SEARCH, tables.BOOK_REDO, "contact_profiles", "interaction_notes"]
        + [t.name for t in (*tables.CLIENT_CHILDREN, tables.PURCHASE_ITEMS)]
    )
    sql = re.compile(rf"\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+(\w+\.)?({names})\b")
    store = SRC / "services" / "client_store"
    offences = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in SRC.rglob("*.py")
        # The vault creates and migrates the schema; the store is the rest.
        if store not in path.parents and path.relative_to(SRC).parts[0] != "vault"
        for match in sql.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offences == []


# -- reading and writing ------------------------------------------------------------------


def _stored(vault, client):
    with vault.transaction():
        (client_id,) = client_store.insert_clients(vault, [client], NOW, TODAY)
    with vault.reading():
        return client_store.load_client(vault, client_id)


def _without_ids(value):
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if dataclasses.is_dataclass(value):
        changes = {f.name: _without_ids(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if "id" in changes:
            changes["id"] = None
        return dataclasses.replace(value, **changes)
    return value


def test_a_record_reads_back_as_it_was_written(vault):
    client = client_from_json(full_client())
    stored = _stored(vault, client)
    assert (stored.version, stored.created_at, stored.updated_at) == (1, NOW, NOW)
    assert _without_ids(
        dataclasses.replace(stored, version=0, created_at=None, updated_at=None)
    ) == (_without_ids(dataclasses.replace(client, id=None)))
    assert all(c.id for c in stored.contacts + stored.purchases + stored.tasks)


def test_cards_hold_the_client_row_and_its_contacts_without_their_profile(vault):
    data = full_client()
    data["contacts"].append({"name": "Second Person", "email": "second@zoes-bakery.example"})
    stored = _stored(vault, client_from_json(data))
    with vault.reading():
        (card,) = client_store.load_cards(vault, [stored.id, 999]).values()
        (first_only,) = client_store.load_cards(vault, [stored.id], every_contact=False).values()
    assert card.id == stored.id and card.version == 0 and card.created_at is None
    fields = [f.name for f in dataclasses.fields(Client) if f.name in tables.CLIENT_FIELDS.names]
    assert [getattr(card, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert card.purchases == [] and card.tasks == [] and card.pricing == []
    expected = [
        dataclasses.replace(c, id=None, personal=PersonalProfile()) for c in stored.contacts
    ]
    assert card.contacts == expected and len(expected) == 2
    assert first_only.contacts == expected[:1]
    assert isinstance(card.contacts[0], Contact)


def test_clients_loaded_in_bulk_are_those_loaded_one_by_one(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)  # the house book and Sam's
    UserService(office.owner).add("eve", "Eve Stone", "salesperson", "initial password 1")
    clients = ClientService(office.owner)
    full = full_client()
    full["contacts"].append({"name": "Second Person", "email": "second@zoes-bakery.example"})
    ids = [office.sams_client, office.zoes_client, clients.add(full)]
    for n, salesperson in enumerate(["Eve Stone", "Sam Reed", "Eve Stone"]):
        data = secret_client(salesperson, f"Client {n} Ltd")
        data["contacts"].append({"name": f"Other {n}", "phone": "+1 202 555 0199"})
        data["interactions"].append({"date": "2026-09-01", "kind": "email", "summary": "hi"})
        data["tasks"].append({"due": "2026-10-20", "title": "Write", "done": True})
        data["purchases"].append({"date": "2026-01-05", "items": [
            {"product": "Bolt", "quantity": "2", "unit_price": "1.50"},
            {"product": "Nut", "quantity": "5", "unit_price": "0.25", "discount_percent": "10"},
        ]})  # fmt: skip
        ids.append(clients.add(data))
    ids.append(clients.add({"name": "Bare Minimum"}))
    for session in (office.owner, office.session("sam"), office.session("ann")):
        shown = session.vault
        with shown.reading():
            one_by_one = {i: client_store.load_client(shown, i) for i in ids}
            in_bulk = client_store.load_clients(shown, [*reversed(ids), 999, ids[0]])
        assert list(in_bulk) == sorted(ids)
        assert in_bulk == one_by_one
    # Each person saw what they hold: the owner every book, Sam his, Ann none.
    assert in_bulk[office.sams_client].notes == ""
    with office.owner.vault.reading():
        everything = client_store.load_clients(office.owner.vault, ids)
    assert everything[office.sams_client].notes and everything[ids[3]].purchases
    assert len(everything[ids[2]].contacts) == 2 and len(everything[ids[3]].tasks) == 2


def test_open_tasks_and_names_of_some_clients(vault):
    stored = _stored(vault, client_from_json(full_client()))
    with vault.reading() as conn:
        assert client_store.open_tasks_of(conn, [stored.id, 999]) == {stored.id: stored.tasks}
        assert client_store.client_names(conn, [999, stored.id]) == {stored.id: stored.name}
        assert client_store.client_name(conn, 999) == ""
        reach = list(client_store.reachability(conn))
    assert reach[0] == (stored.id, stored.name, stored.emails, stored.phones)
    assert reach[1] == (stored.id, "", stored.contacts[0].emails, stored.contacts[0].phones)


# -- a whole list in one pass -------------------------------------------------------------


@pytest.fixture
def many(clients):
    clients.add_many(
        generate_clients(120, seed=5, today=TODAY, salespeople=("zoe", "omar")), source="test"
    )
    return clients


def _paged(clients, query, size=7):
    ids, offset = [], 0
    while page := clients.list(dataclasses.replace(query, limit=size, offset=offset)):
        ids += [(r.id, r.name) for r in page]
        offset += size
    return ids


@pytest.mark.parametrize(
    "query",
    [
        ClientQuery(),
        ClientQuery(sort=SortKey.NAME, descending=True),
        ClientQuery(sort=SortKey.SPEND_12M, descending=True),
        ClientQuery(sort=SortKey.LAST_CONTACT),
        ClientQuery(sort=SortKey.STATUS, status="active"),
        ClientQuery(text="a", sort=SortKey.RELEVANCE),
        ClientQuery(text="a", sort=SortKey.NAME, salesperson="omar"),
    ],
    ids=lambda q: f"{q.sort}-{q.text}-{q.descending}-{q.status}-{q.salesperson}",
)
def test_every_id_of_a_list_comes_in_its_order_in_one_pass(many, query, monkeypatch):
    assert many.list_ids(dataclasses.replace(query, limit=3, offset=50)) == _paged(many, query)
    # Beyond the ranking limit, name matches come first, then the others as added.
    monkeypatch.setattr(search, "RANK_ALL_LIMIT", 1)
    assert many.list_ids(query) == _paged(many, query)
    # And beyond the name ranking limit, name matches too come as added.
    monkeypatch.setattr(search, "NAME_RANK_LIMIT", 0)
    assert many.list_ids(query) == _paged(many, query)
