from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from crmdesk.domain.entities import Address, Client, Contact, LineItem, Purchase, Task
from crmdesk.domain.errors import ValidationError
from crmdesk.domain.json_codec import (
    CLIENT_KEYS,
    READ_ONLY_KEYS,
    apply_patch,
    client_from_json,
    client_to_json,
    validate_client,
)


def errors_of(fn, *args: Any, **kwargs: Any) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        fn(*args, **kwargs)
    return {e.path: e.message for e in caught.value.errors}


# -- decoding and round trips


def test_full_client_decodes_to_the_expected_entities(
    client_json: dict[str, Any], client: Client
) -> None:
    assert client_from_json(client_json) == client


def test_full_client_round_trips_through_json_text(client: Client) -> None:
    out = client_to_json(client)
    assert list(out) == list(CLIENT_KEYS)
    again = client_from_json(json.loads(json.dumps(out)))
    assert again == client


@pytest.mark.parametrize(
    "key",
    ["addresses", "contacts", "purchases", "pricing", "preferences", "seasonal_needs",
     "specifications", "interactions", "tasks"],
)  # fmt: skip
def test_each_child_entity_round_trips(client: Client, key: str) -> None:
    only = Client("Solo", **{key: getattr(client, key)})
    assert client_from_json(client_to_json(only)) == only


def test_output_uses_strings_for_money_and_dates(client: Client) -> None:
    out = client_to_json(client)
    assert out["email"] == "Orders@acme.example.com"
    assert out["phone"] == "+12025550173"
    assert out["address"] == {
        "street": "1 Main St", "city": "Springfield", "region": "IL",
        "postal_code": "62701", "country": "US",
    }  # fmt: skip
    assert out["purchases"][0]["items"][1] == {
        "product": "Tape", "quantity": "3", "unit_price": "2.00", "discount_percent": "12.5",
    }  # fmt: skip
    assert out["pricing"][0]["discount_percent"] is None
    assert out["contacts"][0]["birthday"] == "1985-07-14"
    assert out["seasonal_needs"][0]["months"] == [11, 12]
    assert out["tasks"][0] == {
        "due": "2024-02-08", "title": "Send Q2 quote", "done": False,
        "contact": "Zoë Łukasiewicz",
    }  # fmt: skip


def test_minimal_client_gets_defaults_and_empty_primaries() -> None:
    out = client_to_json(client_from_json({"name": "Bob"}))
    assert out["kind"] == "company" and out["status"] == "prospect"
    assert out["email"] is None and out["emails"] == []
    assert out["address"] is None and out["addresses"] == []
    assert "id" not in out and "version" not in out


def test_saved_client_emits_id_version_and_utc_timestamps_but_no_child_ids() -> None:
    saved = Client(
        "Acme",
        tasks=[Task(date(2024, 1, 1), "call", id=7)],
        id=42,
        version=3,
        created_at=datetime(2024, 1, 1, 9, 30, tzinfo=UTC),
        updated_at=datetime(2024, 2, 1, 10, 0, tzinfo=UTC),
    )
    out = client_to_json(saved)
    assert (out["id"], out["version"]) == (42, 3)
    assert out["created_at"] == "2024-01-01T09:30:00+00:00"
    assert out["updated_at"] == "2024-02-01T10:00:00+00:00"
    assert "id" not in out["tasks"][0]
    # An export can be re-imported when the caller asks to drop the read-only keys.
    imported = client_from_json(out, ignore_read_only=True)
    assert imported == dataclasses.replace(
        saved, id=None, version=0, created_at=None, updated_at=None,
        tasks=[Task(date(2024, 1, 1), "call")],
    )  # fmt: skip


# -- refusals


def test_every_error_of_one_input_is_reported_with_its_path() -> None:
    bad = {
        "name": "  ",
        "kind": "robot",
        "email": "bob@",
        "phones": ["(202) 555-0173", "12"],
        "website": "nowhere",
        "tags": "vip",
        "colour": "red",
        "contacts": [{"name": "Zoë", "email": "zoe@", "birthday": "1985-13-01"}, "Bob"],
        "purchases": [
            {"date": "2024-01-01", "items": [{"product": "x", "unit_price": "1.00"}]},
            {"date": "2024-01-02", "items": []},
            {
                "date": "2024-02-30",
                "items": [{"product": "", "quantity": "0", "unit_price": 19.9,
                           "discount_percent": "150"}],
            },
        ],
        "pricing": [{"product": "x"}, {"product": "y", "price": "1", "valid_from": "2024-05-01",
                                       "valid_to": "2024-04-30"}],
        "seasonal_needs": [{"months": [0], "need": ""}],
        "interactions": [{"date": "2024-01-01", "kind": "fax"}],
        "tasks": [{"title": "x", "done": "yes"}],
    }  # fmt: skip
    errors = errors_of(client_from_json, bad)
    assert set(errors) == {
        "colour",
        "name",
        "kind",
        "email",
        "phones[1]",
        "website",
        "tags",
        "contacts[0].email",
        "contacts[0].birthday",
        "contacts[1]",
        "purchases[2].date",
        "purchases[2].items[0].product",
        "purchases[2].items[0].quantity",
        "purchases[2].items[0].unit_price",
        "purchases[2].items[0].discount_percent",
        "pricing[0]",
        "pricing[1].valid_to",
        "seasonal_needs[0].months",
        "seasonal_needs[0].need",
        "interactions[0].kind",
        "tasks[0].due",
        "tasks[0].done",
    }
    assert errors["email"] == "not a valid email address: 'bob@'"
    assert errors["tags"] == "expected a list, got a string"
    assert errors["contacts[1]"] == "expected a contact as an object, got a string"
    assert errors["pricing[0]"] == "needs a price or a discount_percent (or both)"
    assert errors["pricing[1].valid_to"] == "is before valid_from (2024-05-01)"
    assert errors["interactions[0].kind"] == (
        "must be one of: call, meeting, email, visit, note (got 'fax')"
    )
    assert '"19.90"' in errors["purchases[2].items[0].unit_price"]


def test_unknown_key_message_lists_the_allowed_keys() -> None:
    errors = errors_of(client_from_json, {"name": "A", "contacts": [{"name": "B", "mail": "x"}]})
    assert errors == {
        "contacts[0].mail": "unknown key 'mail'; allowed keys are: name, title, email, emails, "
        "phone, phones, birthday, personal, notes"
    }


@pytest.mark.parametrize("data", [[], "Acme", None, 3])
def test_non_object_input_is_refused(data: object) -> None:
    assert list(errors_of(client_from_json, data)) == [""]


@pytest.mark.parametrize("key", READ_ONLY_KEYS)
def test_read_only_keys_are_refused_on_input(key: str) -> None:
    errors = errors_of(client_from_json, {"name": "A", key: 1})
    assert errors == {key: "is set by crmdesk and cannot be given; remove it"}


def test_redacted_export_cannot_be_imported() -> None:
    errors = errors_of(client_from_json, {"name": "A", "redacted": True}, ignore_read_only=True)
    assert "redacted export" in errors["redacted"]


def test_long_text_is_refused_with_the_limit() -> None:
    errors = errors_of(client_from_json, {"name": "A" * 201, "notes": "n" * 10_001})
    assert errors == {
        "name": "is too long (201 characters; at most 200)",
        "notes": "is too long (10001 characters; at most 10000)",
    }


# -- primary email / phone / address


def test_primary_alone_becomes_the_only_entry() -> None:
    c = client_from_json(
        {"name": "A", "email": "a@x.com", "phone": "+1 202 555 0173", "address": {"city": "Rome"}}
    )
    assert (c.emails, c.phones, c.addresses) == (
        ["a@x.com"],
        ["+12025550173"],
        [Address(city="Rome")],
    )


def test_primary_must_agree_with_the_list() -> None:
    ok = client_from_json({"name": "A", "email": "A@X.com", "emails": ["A@x.com", "b@x.com"]})
    assert ok.emails == ["A@x.com", "b@x.com"]
    errors = errors_of(client_from_json, {"name": "A", "email": "b@x.com", "emails": ["a@x.com"]})
    assert list(errors) == ["email"]
    assert "first entry of 'emails'" in errors["email"]


def test_duplicate_emails_and_tags_are_dropped_keeping_order() -> None:
    c = client_from_json(
        {"name": "A", "emails": ["a@x.com", "b@x.com", "a@X.COM"], "tags": ["VIP", "vip", " b "]}
    )
    assert c.emails == ["a@x.com", "b@x.com"]
    assert c.tags == ["VIP", "b"]


# -- patches


@pytest.fixture
def saved(client: Client) -> Client:
    return dataclasses.replace(client, id=5, version=2, created_at=datetime(2024, 1, 1, tzinfo=UTC))


def test_patch_replaces_only_given_keys_and_keeps_identity(saved: Client) -> None:
    patched = apply_patch(saved, {"status": "former", "tasks": []})
    assert patched == dataclasses.replace(saved, status="former", tasks=[])
    assert (patched.id, patched.version, patched.created_at) == (5, 2, saved.created_at)
    assert saved.status == "active"  # the original is untouched


def test_patch_primary_email_replaces_only_the_first(saved: Client) -> None:
    assert apply_patch(saved, {"email": "new@acme.example.com"}).emails == [
        "new@acme.example.com",
        "info@acme.example.com",
    ]
    assert apply_patch(saved, {"email": None}).emails == ["info@acme.example.com"]
    assert apply_patch(saved, {"emails": ["only@x.com"]}).emails == ["only@x.com"]
    assert apply_patch(saved, {"phone": "+1 (202) 555-0199"}).phones == [
        "+12025550199",
        "+442079460958",
    ]
    assert apply_patch(saved, {"address": {"city": "Oslo"}}).addresses == [
        Address(city="Oslo"),
        Address(city="Łódź", country="PL"),
    ]
    assert apply_patch(Client("New"), {"email": "a@b.com"}).emails == ["a@b.com"]


def test_patch_replaces_child_lists_wholesale(saved: Client) -> None:
    patched = apply_patch(
        saved,
        {"purchases": [{"date": "2024-06-01", "items": [{"product": "Lid", "unit_price": 1}]}]},
    )
    assert patched.purchases == [
        Purchase(date(2024, 6, 1), [LineItem("Lid", Decimal("1"), Decimal("1.00"))])
    ]


@pytest.mark.parametrize("key", READ_ONLY_KEYS)
def test_patch_refuses_read_only_keys(saved: Client, key: str) -> None:
    errors = errors_of(apply_patch, saved, {key: 1})
    assert errors == {key: "is set by crmdesk and cannot be changed with a patch; remove it"}


def test_patch_reports_all_errors(saved: Client) -> None:
    errors = errors_of(apply_patch, saved, {"name": "", "emails": ["x"], "contacts": [{}]})
    assert set(errors) == {"name", "emails[0]", "contacts[0].name"}


def test_edited_export_can_be_applied_as_a_patch(saved: Client) -> None:
    exported = client_to_json(saved)
    exported["notes"] = "changed"
    patched = apply_patch(saved, exported, ignore_read_only=True)
    assert patched == dataclasses.replace(saved, notes="changed")


# -- clients built in code


def test_validate_client_normalises_and_keeps_ids() -> None:
    raw = Client(
        " Acme ",
        phones=["(202) 555-0173"],
        contacts=[Contact("  Zoë ", emails=["Z@ACME.COM"], id=9)],
        id=1,
        version=4,
    )
    checked = validate_client(raw)
    assert checked == Client(
        "Acme",
        phones=["+12025550173"],
        contacts=[Contact("Zoë", emails=["Z@acme.com"], id=9)],
        id=1,
        version=4,
    )


def test_validate_client_reports_json_paths_for_bad_values() -> None:
    raw = Client(
        "Acme",
        purchases=[Purchase(date(2024, 1, 1), [LineItem("x", Decimal(1), 19.9)])],  # type: ignore[arg-type]
        tasks=[Task("tomorrow", "call")],  # type: ignore[arg-type]
    )
    errors = errors_of(validate_client, raw)
    assert set(errors) == {"purchases[0].items[0].unit_price", "tasks[0].due"}
