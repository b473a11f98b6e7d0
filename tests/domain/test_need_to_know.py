"""Records as seen and saved by someone limited to basic contact information."""

from __future__ import annotations

from crmdesk.domain import client_from_json, client_to_json, redact_value_added
from crmdesk.domain.need_to_know import merge_withheld, redact_client, shown_value_added

FULL = {
    "name": "Reed Supplies",
    "salesperson": "Sam Reed",
    "notes": "Decides in January",
    "contacts": [
        {"name": "Pat Doe", "phone": "+1 202 555 0100", "birthday": "1970-12-03",
         "personal": {"hobbies": "golf"}, "notes": "likes mornings"},
        {"name": "Lee Wong", "phone": "+1 202 555 0101"},
    ],
    "pricing": [{"product": "Widget", "price": "17.50"}],
    "interactions": [{"date": "2026-11-01", "kind": "call", "contact": "Pat Doe",
                      "summary": "wants a rebate", "outcome": "quote sent"}],
    "tasks": [{"due": "2026-11-20", "title": "Call Pat"}],
}  # fmt: skip


def _stored() -> dict:
    return client_to_json(client_from_json(FULL))


def test_redact_client_blanks_every_value_added_field_and_keeps_basics():
    client = client_from_json(FULL)
    seen = redact_client(client)
    assert seen.name == "Reed Supplies" and seen.contacts[0].phones == ["+12025550100"]
    assert seen.notes == "" and seen.pricing == [] and seen.contacts[0].birthday is None
    assert seen.contacts[0].personal.hobbies == "" and seen.contacts[0].notes == ""
    assert seen.interactions[0].summary == "" and seen.interactions[0].kind == "call"
    assert seen.tasks == client.tasks
    assert client.notes == "Decides in January"  # the original is untouched


def test_saving_what_was_seen_keeps_every_withheld_value():
    shown = redact_value_added(_stored())
    shown["contacts"][1]["phone"] = "+1 202 555 0199"  # a basic edit
    patch, refused = merge_withheld(_stored(), shown)
    assert refused == []
    assert "notes" not in patch and "pricing" not in patch  # left unchanged
    assert patch["contacts"][0]["personal"]["hobbies"] == "golf"
    assert patch["contacts"][0]["birthday"] == "1970-12-03"
    assert patch["contacts"][1]["phone"] == "+1 202 555 0199"
    assert patch["interactions"][0]["summary"] == "wants a rebate"


def test_a_renamed_contact_keeps_its_withheld_values_by_position():
    shown = redact_value_added(_stored())
    shown["contacts"][0]["name"] = "Patricia Doe"
    patch, refused = merge_withheld(_stored(), shown)
    assert refused == [] and patch["contacts"][0]["personal"]["hobbies"] == "golf"


def test_writing_value_added_values_is_refused():
    shown = redact_value_added(_stored())
    shown["notes"] = "my own note"
    shown["contacts"][0]["personal"] = {"hobbies": "chess"}
    _, refused = merge_withheld(_stored(), shown)
    assert refused == ["notes", "contacts[0].personal"]


def test_removing_a_contact_with_withheld_details_is_refused_but_a_plain_one_is_not():
    shown = redact_value_added(_stored())
    _, refused = merge_withheld(_stored(), {**shown, "contacts": shown["contacts"][1:]})
    assert refused == ["contacts[0]"]
    _, refused = merge_withheld(_stored(), {**shown, "contacts": shown["contacts"][:1]})
    assert refused == []


def test_a_new_interaction_may_carry_a_summary():
    shown = redact_value_added(_stored())
    new = {"date": "2026-11-28", "kind": "call", "contact": "Lee Wong", "summary": "asked"}
    patch, refused = merge_withheld(_stored(), {"interactions": [*shown["interactions"], new]})
    assert refused == []
    assert patch["interactions"][1]["summary"] == "asked"
    assert patch["interactions"][0]["summary"] == "wants a rebate"


def test_a_view_shows_value_added_content_only_where_there_is_some():
    stored = _stored()
    assert shown_value_added(stored, redact_value_added(stored)) == [
        "contacts",
        "interactions",
        "notes",
        "pricing",
    ]
    bare = client_to_json(client_from_json({"name": "A", "contacts": [{"name": "B"}]}))
    assert shown_value_added(bare, redact_value_added(bare)) == []
