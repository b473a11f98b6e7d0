"""What makes two clients likely the same."""

from __future__ import annotations

from crmdesk.domain import client_from_json
from crmdesk.domain.duplicates import duplicate_keys, name_key, stored_keys


def test_names_compare_without_case_accents_or_punctuation():
    assert name_key("  Zoë's   Bakery, Ltd. ") == name_key("zoe s bakery ltd") == "zoe s bakery ltd"
    assert name_key("Zoë's Bakery") != name_key("Zoë's Bakery 2")
    assert name_key("...") == ""


def test_keys_cover_the_client_and_its_contacts_and_say_what_matched():
    client = client_from_json(
        {
            "name": "Harbour Foods",
            "email": "Info@Harbour.example",
            "phone": "+1 202 555 0100",
            "contacts": [{"name": "Pat", "email": "pat@harbour.example"}],
        }
    )
    keys = duplicate_keys(client)
    assert [(what, value) for _, what, value in keys] == [
        ("email", "Info@harbour.example"),  # the domain as validation keeps it
        ("email", "pat@harbour.example"),
        ("phone", "+12025550100"),
        ("name", "Harbour Foods"),
    ]
    # A stored client is found by the same keys; emails match whatever their case.
    stored = stored_keys(["info@harbour.example"], ["+12025550100"], "HARBOUR  foods")
    assert set(stored) == {keys[0][0], keys[2][0], keys[3][0]}


def test_a_nameless_contact_adds_no_name_key():
    assert stored_keys(["a@b.example"], [], "") == stored_keys(["a@b.example"], [])
    assert len(stored_keys([], [], "!!")) == 0
