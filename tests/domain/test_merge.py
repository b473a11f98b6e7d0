"""Merging an imported client into an existing one: filled in, never overwritten."""

from __future__ import annotations

import datetime as dt

from crmdesk.domain import client_from_json
from crmdesk.domain.merge import merge_clients


def test_merge_clients_never_overwrites():
    old = client_from_json({"name": "A", "website": "a.example", "emails": ["x@a.example"]})
    new = client_from_json(
        {"name": "B", "website": "b.example", "emails": ["X@a.example", "y@a.example"]}
    )
    merged = merge_clients(old, new)
    assert (merged.name, merged.website) == ("A", "https://a.example")
    assert merged.emails == ["x@a.example", "y@a.example"]


def test_empty_fields_are_filled_and_lists_grow_without_repeats():
    old = client_from_json(
        {"name": "A", "tags": ["VIP"], "address": {"street": "1 Main St", "city": "Bath"}}
    )
    new = client_from_json(
        {
            "name": "A",
            "industry": "Bakery",
            "notes": "new note",
            "tags": ["vip", "wholesale"],
            "addresses": [
                {"street": " 1 main st ", "city": "BATH"},  # the same address, written otherwise
                {"street": "2 Side Rd", "city": "Bath"},
            ],
        }
    )
    merged = merge_clients(old, new)
    assert (merged.industry, merged.notes) == ("Bakery", "new note")
    assert merged.tags == ["VIP", "wholesale"]
    assert [a.street for a in merged.addresses] == ["1 Main St", "2 Side Rd"]
    assert old.tags == ["VIP"]  # the existing record itself is untouched


def test_a_contact_of_the_same_name_is_completed_not_repeated():
    old = client_from_json(
        {"name": "A", "contacts": [{"name": "Zoë Ward", "email": "zoe@a.example"}]}
    )
    old.contacts[0].id = 7
    new = client_from_json(
        {
            "name": "A",
            "contacts": [
                {"name": "zoe ward", "title": "Owner", "birthday": "1970-05-01",
                 "emails": ["ZOE@a.example", "z@b.example"]},
                {"name": "Lee Chan"},
            ],
        }
    )  # fmt: skip
    new.contacts[1].id = 9
    merged = merge_clients(old, new)
    zoe, lee = merged.contacts
    assert (zoe.name, zoe.title, zoe.birthday) == ("Zoë Ward", "Owner", dt.date(1970, 5, 1))
    assert zoe.emails == ["zoe@a.example", "z@b.example"] and zoe.id == 7
    assert lee.name == "Lee Chan" and lee.id is None  # a new contact gets a new id
