"""A client as replication records and back (domain/replication/records.py): the round
trip, a laptop without the book, identities that survive edits, and the difference."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.domain.classification import NESTED_PREFIXES
from crmdesk.domain.entities import Client
from crmdesk.domain.json_codec import CLIENT_KEYS, READ_ONLY_KEYS, client_from_json, client_to_json
from crmdesk.domain.need_to_know import redact_client
from crmdesk.domain.replication.errors import ReplicationError
from crmdesk.domain.replication.records import (
    CHILD_TABLES,
    CLIENT,
    LOCAL_KEYS,
    POSITION,
    assign_uids,
    basic_only,
    child_row,
    client_of,
    diff,
    flatten,
    is_value_added,
    unflatten,
)
from tests.domain.test_domain_json_codec_properties import CLIENTS

CLIENT_UID = "c0ffee"
SETTINGS = settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def counter(prefix: str = "n"):
    """A deterministic uid maker: n0, n1, n2..."""
    numbers = itertools.count()
    return lambda: f"{prefix}{next(numbers)}"


def never() -> str:
    raise AssertionError("a new uid was made where none was needed")


def records_of(client_json: dict[str, Any], previous=None, **kwargs):
    uids = assign_uids(previous or {}, CLIENT_UID, client_json, new_uid=counter(), **kwargs)
    return uids, flatten(CLIENT_UID, client_json, uids)


def saved(client: Client) -> Client:
    """A client as crmdesk keeps it after a save: ids and timestamps set (never replicated)."""
    return dataclasses.replace(client, id=7, version=3)


def without_local(client: Client) -> Client:
    return dataclasses.replace(
        client,
        **{
            key: [dataclasses.replace(child, id=None) for child in getattr(client, key)]
            for key in CHILD_TABLES
        },
        id=None,
        version=0,
        created_at=None,
        updated_at=None,
    )


# -- the names -------------------------------------------------------------------------


def test_local_keys_are_the_keys_crmdesk_sets_itself() -> None:
    assert LOCAL_KEYS == READ_ONLY_KEYS


def test_child_tables_are_the_classifications_prefixes_of_every_child_list() -> None:
    lists = {
        k
        for k in CLIENT_KEYS
        if f"client.{k}" in NESTED_PREFIXES and "." not in NESTED_PREFIXES[f"client.{k}"]
    }
    assert set(CHILD_TABLES) == lists
    assert all(NESTED_PREFIXES[f"client.{k}"] == t for k, t in CHILD_TABLES.items())


def test_rows_name_their_client() -> None:
    assert child_row("abc", "def") == "abc/def"
    assert client_of(child_row("abc", "def")) == "abc"
    assert client_of("abc") == "abc"


@pytest.mark.parametrize(
    ("table", "column", "value_added"),
    [
        (CLIENT, "notes", True),
        (CLIENT, "name", False),
        (CLIENT, "emails", False),
        (CLIENT, "tags", False),
        (CLIENT, "addresses", False),
        ("contact", "birthday", True),
        ("contact", "notes", True),
        ("contact", "personal.hobbies", True),
        ("contact", "name", False),
        ("contact", POSITION, False),
        ("purchase", "notes", True),
        ("purchase", "items", True),
        ("purchase", POSITION, True),
        ("pricing", "price", True),
        ("preference", "topic", True),
        ("seasonal_need", "months", True),
        ("specification", "item", True),
        ("interaction", "summary", True),
        ("interaction", "outcome", True),
        ("interaction", "kind", False),
        ("interaction", POSITION, False),
        ("task", "title", False),
        ("task", "done", False),
        ("task", POSITION, False),
    ],
)
def test_value_added_as_the_classification_says(table, column, value_added) -> None:
    assert is_value_added(table, column) is value_added


def test_an_unclassified_field_does_not_travel() -> None:
    data = client_to_json(Client(name="Acme"))
    with pytest.raises(ReplicationError) as caught:
        flatten(CLIENT_UID, {**data, "favourite_colour": "red"}, {})
    assert caught.value.code == "sync.bad_change"
    assert "client.favourite_colour" in str(caught.value)
    contact = {"name": "Zoë", "personal": {"shoe_size": "38"}}
    with pytest.raises(ReplicationError, match="contact.personal.shoe_size"):
        flatten(CLIENT_UID, {**data, "contacts": [contact]}, {"contacts": ["u1"]})
    with pytest.raises(ReplicationError):
        is_value_added("invoice", "total")
    # A redacted export is no client to replicate: its mark is no field either.
    with pytest.raises(ReplicationError, match="client.redacted"):
        flatten(CLIENT_UID, {**data, "redacted": True}, {})


def test_a_primary_its_list_does_not_repeat_is_refused_not_dropped() -> None:
    data = client_to_json(Client(name="Acme", emails=["a@b.example"]))
    with pytest.raises(ReplicationError, match="email"):
        flatten(CLIENT_UID, {**data, "email": "other@b.example"}, {})


@SETTINGS
@given(CLIENTS)
def test_every_column_is_classified_json_and_local_keys_stay(client: Client) -> None:
    data = client_to_json(saved(client))
    data["patterns"], data["coverage"] = {"x": 1}, {"purchases": 1}
    _, records = records_of(data)
    assert (CLIENT, CLIENT_UID) in records
    for (table, row), columns in records.items():
        assert client_of(row) == CLIENT_UID
        assert not set(columns) & set(LOCAL_KEYS)
        for column, value in columns.items():
            is_value_added(table, column)  # raises when unclassified
            assert json.loads(json.dumps(value)) == value
        if table != CLIENT:
            assert isinstance(columns[POSITION], int)
    counts = {t: sum(1 for (tt, _) in records if tt == t) for t in CHILD_TABLES.values()}
    assert counts == {t: len(data[k]) for k, t in CHILD_TABLES.items()}


# -- round trips -----------------------------------------------------------------------


@SETTINGS
@given(CLIENTS)
def test_round_trip_gives_the_client_back(client: Client) -> None:
    data = client_to_json(saved(client))
    _, records = records_of(data)
    # Through JSON text, as the records travel.
    travelled = {(t, r): json.loads(json.dumps(columns)) for (t, r), columns in records.items()}
    back = unflatten(CLIENT_UID, travelled)
    assert back == {k: v for k, v in data.items() if k not in LOCAL_KEYS}
    assert client_from_json(back) == without_local(client)


@SETTINGS
@given(CLIENTS)
def test_basic_records_give_the_redacted_client(client: Client) -> None:
    _, records = records_of(client_to_json(client))
    basic = basic_only(records)
    for (table, _), columns in basic.items():
        assert not any(is_value_added(table, c) for c in columns)
    # A laptop without the book holds no record of purchases, pricing... at all.
    assert {t for (t, _) in basic} <= {CLIENT, "contact", "interaction", "task"}
    assert client_from_json(unflatten(CLIENT_UID, basic)) == redact_client(client)
    # The same with the emptied records left in place rather than left out.
    emptied = {
        key: {c: v for c, v in columns.items() if not is_value_added(key[0], c)}
        for key, columns in records.items()
    }
    assert client_from_json(unflatten(CLIENT_UID, emptied)) == redact_client(client)


def test_unflatten_orders_by_position_ignores_other_clients_and_fills_defaults() -> None:
    records = {
        (CLIENT, "a"): {"name": "Acme", "emails": ["x@acme.example"]},
        (CLIENT, "b"): {"name": "Other"},
        ("task", "a/2"): {"due": "2026-01-02", "title": "second", POSITION: 1},
        ("task", "a/1"): {"due": "2026-01-01", "title": "first", POSITION: 0},
        ("task", "b/9"): {"due": "2026-01-03", "title": "not Acme's", POSITION: 0},
        ("task", "a/0"): {"due": "2026-01-04", "title": "tie, by row", POSITION: 1},
        ("contact", "a/7"): {"name": "Zoë", "personal.family": "two kids", "later": 1},
        ("purchase", "a/8"): {POSITION: 0},  # its fields were withheld
    }
    back = unflatten("a", records)
    assert [t["title"] for t in back["tasks"]] == ["first", "tie, by row", "second"]
    assert back["email"] == "x@acme.example" and back["kind"] == "company"
    assert back["purchases"] == []
    (contact,) = back["contacts"]
    assert contact["personal"]["family"] == "two kids" and contact["personal"]["hobbies"] == ""
    assert "later" not in contact  # a column of a newer version: left out, still decodes
    client = client_from_json(back)
    assert client.tasks[0].done is False and client.contacts[0].notes == ""
    with pytest.raises(ReplicationError) as caught:
        unflatten("c", records)
    assert caught.value.code == "sync.no_record"


# -- identities ------------------------------------------------------------------------


@SETTINGS
@given(CLIENTS)
def test_an_unchanged_client_keeps_every_uid(client: Client) -> None:
    data = client_to_json(client)
    uids, records = records_of(data)
    assert assign_uids(records, CLIENT_UID, copy.deepcopy(data), new_uid=never) == uids
    assert diff(records, flatten(CLIENT_UID, data, uids)) == ([], [], [])


@SETTINGS
@given(CLIENTS.filter(lambda c: c.purchases), st.data())
def test_editing_a_purchases_notes_keeps_its_uid_and_changes_one_field(client, data) -> None:
    before = client_to_json(client)
    uids, records = records_of(before)
    index = data.draw(st.integers(0, len(client.purchases) - 1))
    after = copy.deepcopy(before)
    after["purchases"][index]["notes"] += " and then some"
    new_uids = assign_uids(records, CLIENT_UID, after, new_uid=never)
    assert new_uids == uids
    row = child_row(CLIENT_UID, uids["purchases"][index])
    assert diff(records, flatten(CLIENT_UID, after, new_uids)) == (
        [],
        [("purchase", row, "notes", after["purchases"][index]["notes"])],
        [],
    )


def _lists(client: Client) -> list[str]:
    return [k for k in CHILD_TABLES if getattr(client, k)]


@SETTINGS
@given(CLIENTS.filter(_lists), st.data())
def test_removing_an_item_keeps_the_others_uids(client: Client, data) -> None:
    before = client_to_json(client)
    uids, records = records_of(before)
    key = data.draw(st.sampled_from(_lists(client)))
    index = data.draw(st.integers(0, len(before[key]) - 1))
    after = copy.deepcopy(before)
    del after[key][index]
    new_uids = assign_uids(records, CLIENT_UID, after, new_uid=never)
    kept = uids[key][:index] + uids[key][index + 1 :]
    # Identical items are interchangeable: compare what each uid names.
    assert sorted(new_uids[key]) == sorted(kept) or _same_contents(records, new_uids, key, kept)
    assert {k: v for k, v in new_uids.items() if k != key} == {
        k: v for k, v in uids.items() if k != key
    }
    created, changed, deleted = diff(records, flatten(CLIENT_UID, after, new_uids))
    assert created == [] and len(deleted) == 1
    assert all(column == POSITION for (_, _, column, _) in changed)


def _same_contents(records, new_uids, key, kept) -> bool:
    table = CHILD_TABLES[key]

    def content(uid):
        columns = records[(table, child_row(CLIENT_UID, uid))]
        return json.dumps({c: v for c, v in columns.items() if c != POSITION}, sort_keys=True)

    return sorted(map(content, new_uids[key])) == sorted(map(content, kept))


@SETTINGS
@given(CLIENTS.filter(_lists), st.data())
def test_reordering_keeps_uids_and_changes_only_positions(client: Client, data) -> None:
    before = client_to_json(client)
    uids, records = records_of(before)
    key = data.draw(st.sampled_from(_lists(client)))
    order = data.draw(st.permutations(range(len(before[key]))))
    after = copy.deepcopy(before)
    after[key] = [before[key][i] for i in order]
    new_uids = assign_uids(records, CLIENT_UID, after, new_uid=never)
    assert sorted(new_uids[key]) == sorted(uids[key])
    new_records = flatten(CLIENT_UID, after, new_uids)
    # Each uid still names the same content.
    for uid in new_uids[key]:
        row = (CHILD_TABLES[key], child_row(CLIENT_UID, uid))
        old = {c: v for c, v in records[row].items() if c != POSITION}
        assert {c: v for c, v in new_records[row].items() if c != POSITION} == old
    created, changed, deleted = diff(records, new_records)
    assert created == [] and deleted == []
    assert all(column == POSITION for (_, _, column, _) in changed)
    if list(order) != sorted(order) and len(set(map(json.dumps, before[key]))) == len(order):
        assert changed  # distinct items really moved


@SETTINGS
@given(CLIENTS, st.sampled_from(list(CHILD_TABLES)), st.data())
def test_adding_an_item_gives_it_a_new_uid(client: Client, key: str, data) -> None:
    before = client_to_json(client)
    uids, records = records_of(before)
    item = data.draw(CLIENTS.filter(lambda c: getattr(c, key)))
    new_item = client_to_json(item)[key][0]
    index = data.draw(st.integers(0, len(before[key])))
    after = copy.deepcopy(before)
    after[key].insert(index, new_item)
    new_uids = assign_uids(records, CLIENT_UID, after, new_uid=counter("fresh"))
    assert sorted(new_uids[key]) == sorted([*uids[key], "fresh0"])
    if new_item not in before[key]:  # else an equal item may take either place
        assert new_uids[key][index] == "fresh0"
        assert new_uids[key][:index] + new_uids[key][index + 1 :] == uids[key]
    assert {k: v for k, v in new_uids.items() if k != key} == {
        k: v for k, v in uids.items() if k != key
    }
    created, _, deleted = diff(records, flatten(CLIENT_UID, after, new_uids))
    assert deleted == []
    assert created == [(CHILD_TABLES[key], child_row(CLIENT_UID, "fresh0"))]


def test_an_edit_in_place_keeps_its_uid_and_an_edit_plus_a_removal_too() -> None:
    data = client_to_json(
        client_from_json(
            {
                "name": "Acme",
                "tasks": [
                    {"due": "2026-01-01", "title": "call"},
                    {"due": "2026-01-02", "title": "visit"},
                    {"due": "2026-01-03", "title": "quote"},
                ],
            }
        )
    )
    uids, records = records_of(data)
    after = copy.deepcopy(data)
    after["tasks"][1]["title"] = "visit, with samples"
    assert assign_uids(records, CLIENT_UID, after, new_uid=never) == uids
    del after["tasks"][0]
    assert assign_uids(records, CLIENT_UID, after, new_uid=never)["tasks"] == uids["tasks"][1:]


def test_local_ids_win_over_content_and_position() -> None:
    contacts = [{"name": "Ann", "title": "Buyer"}, {"name": "Bob", "title": "Owner"}]
    data = client_to_json(client_from_json({"name": "Acme", "contacts": contacts}))
    uids, records = records_of(data, local_ids={"contacts": [11, 12]})
    known = {"contacts": dict(zip([11, 12], uids["contacts"], strict=True))}
    # Swapped and both edited: by position each would take the other's uid.
    after = copy.deepcopy(data)
    after["contacts"] = [
        {**data["contacts"][1], "title": "Owner & CEO"},
        {**data["contacts"][0], "title": "Head buyer"},
    ]
    new = assign_uids(
        records,
        CLIENT_UID,
        after,
        local_ids={"contacts": [12, 11]},
        previous_local_ids=known,
        new_uid=never,
    )
    assert new["contacts"] == [uids["contacts"][1], uids["contacts"][0]]
    # A local id the previous records no longer hold gets no uid from them.
    fresh = assign_uids(
        {},
        CLIENT_UID,
        after,
        local_ids={"contacts": [12, 11]},
        previous_local_ids=known,
        new_uid=counter(),
    )
    assert fresh["contacts"] == ["n0", "n1"]


def test_a_new_uid_never_repeats_one_in_use() -> None:
    data = client_to_json(
        client_from_json({"name": "Acme", "tasks": [{"due": "2026-01-01", "title": "call"}]})
    )
    uids, records = records_of(data)
    after = copy.deepcopy(data)
    after["tasks"].insert(0, {**data["tasks"][0], "title": "visit"})
    after["tasks"].append({**data["tasks"][0], "title": "quote"})
    repeating = iter([uids["tasks"][0], "x", "x", "y"]).__next__
    new = assign_uids(records, CLIENT_UID, after, new_uid=repeating)
    assert sorted(new["tasks"]) == sorted([uids["tasks"][0], "x", "y"])
    with pytest.raises(ReplicationError):
        assign_uids(records, CLIENT_UID, after, new_uid=lambda: uids["tasks"][0])


@SETTINGS
@given(CLIENTS, CLIENTS, st.data())
def test_no_uid_is_given_twice_and_the_result_is_deterministic(first, second, data) -> None:
    before, after = client_to_json(first), client_to_json(second)
    uids, records = records_of(before)
    local_ids = {
        key: data.draw(st.lists(st.none() | st.integers(0, 4), min_size=n, max_size=n))
        for key, n in ((k, len(after[k])) for k in ("contacts", "interactions"))
    }
    previous_local_ids = {
        key: data.draw(st.dictionaries(st.integers(0, 4), st.sampled_from(uids[key])))
        for key in ("contacts", "interactions")
        if uids[key]
    }
    pool = [u for key in CHILD_TABLES for u in uids[key]] + ["a", "b", "a"]
    made = data.draw(st.lists(st.sampled_from(pool), min_size=40, max_size=40))

    def run() -> dict[str, list[str]]:
        supply = iter([*made, *(f"z{i}" for i in range(100))]).__next__
        return assign_uids(records, CLIENT_UID, after, local_ids, previous_local_ids, supply)

    new = run()
    assert new == run()
    for key in CHILD_TABLES:
        assert len(new[key]) == len(after[key])
        assert len(set(new[key])) == len(new[key])
        old = set(uids[key])
        # A uid is either one this list had, or one no record of the client used.
        every_old = {u for k in CHILD_TABLES for u in uids[k]}
        assert all(u in old or u not in every_old for u in new[key])
    flatten(CLIENT_UID, after, new)  # and flatten accepts them


# -- differences -----------------------------------------------------------------------


def test_diff_lists_created_changed_and_deleted_records() -> None:
    old = {
        (CLIENT, "a"): {"name": "Acme", "tags": ["vip"]},
        ("task", "a/1"): {"title": "call", "done": False, POSITION: 0},
        ("task", "a/2"): {"title": "visit", POSITION: 1},
    }
    new = {
        ("task", "a/1"): {"title": "call", "done": 0, POSITION: 0},  # 0 is not false
        (CLIENT, "a"): {"name": "Acme", "tags": ["vip", "north"]},
        ("task", "a/3"): {"title": "quote", POSITION: 1},
    }
    assert diff(old, new) == (
        [("task", "a/3")],
        [
            (CLIENT, "a", "tags", ["vip", "north"]),
            ("task", "a/1", "done", 0),
            ("task", "a/3", POSITION, 1),
            ("task", "a/3", "title", "quote"),
        ],
        [("task", "a/2")],
    )
    assert diff(new, new) == ([], [], [])
