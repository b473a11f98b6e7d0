"""What a new record holds and what an edit changed, for the audit trail."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings

from crmdesk.demo import generate_clients
from crmdesk.domain import Client, client_from_json, client_to_json
from crmdesk.domain.changes import (
    EDITABLE_FIELDS,
    changed_fields,
    filled_fields,
    value_added_changes,
    value_added_sections,
)
from crmdesk.domain.classification import redact_value_added
from crmdesk.domain.entities import Contact, Interaction, PersonalProfile
from crmdesk.domain.need_to_know import shown_value_added
from tests.domain.test_domain_json_codec_properties import CLIENTS


def test_every_field_but_the_stored_ones_is_editable():
    stored = {"id", "version", "created_at", "updated_at"}
    assert set(EDITABLE_FIELDS) == {f.name for f in dataclasses.fields(Client)} - stored


def test_filled_fields_name_what_a_new_record_holds():
    client = client_from_json(
        {"name": "A", "notes": "x", "tasks": [{"due": "2026-01-02", "title": "Call"}]}
    )
    assert filled_fields(client) == ["name", "kind", "status", "notes", "tasks"]


def test_child_ids_are_no_change_but_content_is():
    old = client_from_json({"name": "A", "tasks": [{"due": "2026-01-02", "title": "Call"}]})
    old.tasks[0].id = 4
    same = client_from_json({"name": "A", "tasks": [{"due": "2026-01-02", "title": "Call"}]})
    assert changed_fields(old, same) == []
    other = dataclasses.replace(same, name="B", notes="n")
    assert changed_fields(old, other) == ["name", "notes"]


def test_value_added_changes_keep_old_and_new_and_list_entries_removed_and_added():
    old = client_from_json(
        {"name": "A", "notes": "old", "preferences": [{"topic": "x"}, {"topic": "y"}]}
    )
    new = client_from_json(
        {"name": "B", "notes": "new", "preferences": [{"topic": "y"}, {"topic": "z"}]}
    )
    fields = changed_fields(old, new)
    changes = value_added_changes(old, new, fields)["value_added_changes"]
    assert set(changes) == {"notes", "preferences"}  # the name is basic
    assert changes["notes"] == {"old": "old", "new": "new"}
    assert changes["preferences"] == {
        "removed": [{"topic": "x", "detail": ""}],
        "added": [{"topic": "z", "detail": ""}],
    }
    assert value_added_changes(old, dataclasses.replace(old, name="C"), ["name"]) == {}


def test_sections_shown_are_those_with_value_added_content():
    assert value_added_sections(client_from_json({"name": "A"})) == []
    client = client_from_json(
        {"name": "A", "notes": "n", "pricing": [{"product": "P", "price": "2"}]}
    )
    assert value_added_sections(client) == ["notes", "pricing"]


def _through_json(client: Client) -> list[str]:
    """What a view showed, worked out the long way: the record's JSON against its
    redaction (how it was done before, and the meaning the fast way must keep)."""
    full = client_to_json(client)
    return shown_value_added(full, redact_value_added(full))


@settings(max_examples=300, deadline=None)
@given(CLIENTS)
def test_sections_from_the_record_are_those_its_json_shows(client):
    assert value_added_sections(client) == _through_json(client)


def test_sections_of_demo_clients_are_those_their_json_shows():
    clients = list(generate_clients(300, seed=5, today=dt.date(2026, 11, 29)))
    seen = set()
    for client in clients:
        sections = value_added_sections(client)
        assert sections == _through_json(client)
        seen.update(sections)
    # The demo records exercise every kind of section.
    assert {"contacts", "interactions", "notes", "purchases", "pricing"} <= seen


def test_what_counts_as_shown_down_to_a_single_value():
    def contact(**kw):
        return Contact(name="Lee", **kw)

    cases = [
        (Client(name="A", notes=" "), ["notes"]),  # whitespace is still something
        (Client(name="A", contacts=[contact()]), []),
        (Client(name="A", contacts=[contact(personal=PersonalProfile())]), []),
        (
            Client(name="A", contacts=[contact(personal=PersonalProfile(family="two"))]),
            ["contacts"],
        ),
        (Client(name="A", contacts=[contact(birthday=dt.date(1980, 1, 2))]), ["contacts"]),
        (Client(name="A", contacts=[contact(), contact(notes="n")]), ["contacts"]),
        (Client(name="A", interactions=[Interaction(dt.date(2026, 1, 2), "call")]), []),
        (
            Client(name="A", interactions=[Interaction(dt.date(2026, 1, 2), "call", outcome="o")]),
            ["interactions"],
        ),
        (Client(name="A", tags=["vip"], emails=["a@b.example"]), []),
    ]
    for client, expected in cases:
        assert value_added_sections(client) == expected == _through_json(client), client
