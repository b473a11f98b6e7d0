"""What a new record holds and what an edit changed, for the audit trail."""

from __future__ import annotations

import dataclasses

from crmdesk.domain import Client, client_from_json
from crmdesk.domain.changes import (
    EDITABLE_FIELDS,
    changed_fields,
    filled_fields,
    value_added_changes,
    value_added_sections,
)


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
