from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from crmdesk.domain.classification import (
    ENTITY_PREFIXES,
    FIELDS,
    NESTED_PREFIXES,
    SECTION_CLASS,
    FieldClass,
    Section,
    classify,
    field_path,
    paths_in,
    redact_value_added,
    section_of,
    value_added_paths,
)
from crmdesk.domain.coverage import client_coverage
from crmdesk.domain.entities import (
    ENTITY_TYPES,
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
)
from crmdesk.domain.json_codec import client_to_json
from crmdesk.domain.patterns import compute_patterns, patterns_to_json

BASIC, VALUE_ADDED = FieldClass.BASIC, FieldClass.VALUE_ADDED


def marked_client() -> Client:
    """Every field filled; basic text says BASIC, value-added text says SECRET, and
    value-added dates/amounts use values (1999, 987.65...) found nowhere else."""
    return Client(
        name="BASIC name", kind="individual", status="active", industry="BASIC industry",
        salesperson="BASIC login", website="https://basic.example.com",
        emails=["basic@example.com"], phones=["+12025550173"],
        addresses=[Address("BASIC street", "BASIC city", "BASIC region", "BASIC 12345",
                           "BASIC country")],
        tags=["BASIC tag"], source="BASIC source", notes="SECRET client notes",
        contacts=[Contact("BASIC contact", "BASIC title", ["contact@example.com"],
                          ["+442079460958"], date(1999, 1, 2),
                          PersonalProfile("SECRET hobbies", "SECRET activities", "SECRET education",
                                          "SECRET memberships", "SECRET family"),
                          "SECRET contact notes", id=11)],
        purchases=[Purchase(date(1999, 3, 4),
                            [LineItem("SECRET product", Decimal("77"), Decimal("987.65"),
                                      Decimal("33.3"))],
                            "SECRET purchase notes", id=12)],
        pricing=[PricingAgreement("SECRET priced", Decimal("876.54"), Decimal("44.4"),
                                  date(1999, 5, 6), date(1999, 7, 8), "SECRET terms", id=13)],
        preferences=[Preference("SECRET topic", "SECRET detail", id=14)],
        seasonal_needs=[SeasonalNeed((2, 7), "SECRET need", id=15)],
        specifications=[Specification("SECRET item", "SECRET spec", id=16)],
        interactions=[Interaction(date(2024, 1, 1), "visit", "BASIC who", "SECRET summary",
                                  "SECRET outcome", id=17)],
        tasks=[Task(date(2024, 2, 2), "BASIC task", True, "BASIC task contact", id=18)],
        id=1, version=2, created_at=datetime(2024, 1, 1, tzinfo=UTC),
        updated_at=datetime(2024, 3, 1, tzinfo=UTC),
    )  # fmt: skip


def marked_json() -> dict[str, Any]:
    client = marked_client()
    out = client_to_json(client)
    # The service adds computed patterns and coverage to its output; they derive from
    # the value-added lists.
    out["patterns"] = patterns_to_json(compute_patterns(client.purchases, date(2024, 6, 1)))
    out["coverage"] = client_coverage(client).to_json()
    return out


def walk(obj: dict[str, Any], prefix: str = "client"):  # type: ignore[no-untyped-def]
    """Yield (field path, key, value, holder) for every key, descending into children."""
    for key, value in obj.items():
        path = f"{prefix}.{key}"
        yield path, key, value, obj
        child = NESTED_PREFIXES.get(path)
        if child and classify(path) is BASIC:
            for sub in value if isinstance(value, list) else [value]:
                yield from walk(sub, child)


# -- completeness


@pytest.mark.parametrize("entity", ENTITY_TYPES, ids=lambda t: t.__name__)
def test_every_dataclass_field_is_classified(entity: type) -> None:
    prefix = ENTITY_PREFIXES[entity]
    for f in dataclasses.fields(entity):
        assert isinstance(classify(f"{prefix}.{f.name}"), FieldClass), f.name


def test_every_json_key_is_classified_and_nothing_else_is() -> None:
    dataclass_paths = {
        f"{ENTITY_PREFIXES[t]}.{f.name}" for t in ENTITY_TYPES for f in dataclasses.fields(t)
    }
    json_paths = {path for path, *_ in walk(marked_json())}
    # Children of value-added containers are not walked above; add them from the dataclasses.
    assert set(FIELDS) == dataclass_paths | json_paths


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("client.name", BASIC), ("client.salesperson", BASIC), ("client.emails", BASIC),
        ("client.addresses", BASIC), ("client.address.city", BASIC), ("client.tags", BASIC),
        ("client.created_at", BASIC), ("client.notes", VALUE_ADDED),
        ("contact.name", BASIC), ("contact.phones", BASIC), ("contact.birthday", VALUE_ADDED),
        ("contact.personal.hobbies", VALUE_ADDED), ("contact.notes", VALUE_ADDED),
        ("purchase.items.unit_price", VALUE_ADDED), ("purchase.date", VALUE_ADDED),
        ("pricing.terms", VALUE_ADDED), ("preference.topic", VALUE_ADDED),
        ("seasonal_need.months", VALUE_ADDED), ("specification.detail", VALUE_ADDED),
        ("interaction.date", BASIC), ("interaction.contact", BASIC),
        ("interaction.summary", VALUE_ADDED), ("interaction.outcome", VALUE_ADDED),
        ("task.title", BASIC), ("task.done", BASIC),
    ],
)  # fmt: skip
def test_classification_matches_the_policy(path: str, expected: FieldClass) -> None:
    assert classify(path) is expected
    assert (path in value_added_paths()) == (expected is VALUE_ADDED)


def test_unknown_path_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="client.shoe_size"):
        classify("client.shoe_size")


def test_sections() -> None:
    assert set(SECTION_CLASS) == set(Section)
    for section in Section:
        paths = paths_in(section)
        assert paths, section
        if SECTION_CLASS[section] is VALUE_ADDED:
            assert all(classify(p) is VALUE_ADDED for p in paths), section
        else:
            assert any(classify(p) is BASIC for p in paths), section
    assert section_of("contact.personal.family") is Section.PERSONAL_PROFILES
    assert section_of("purchase.items.quantity") is Section.PURCHASES


@pytest.mark.parametrize(
    ("json_path", "path"),
    [("name", "client.name"), ("contacts[0].personal.hobbies", "contact.personal.hobbies"),
     ("purchases[2].items[0].unit_price", "purchase.items.unit_price"),
     ("addresses[1].city", "client.address.city"), ("address.city", "client.address.city")],
)  # fmt: skip
def test_error_paths_map_to_field_paths(json_path: str, path: str) -> None:
    assert field_path(json_path) == path
    classify(path)


# -- redaction


def test_redaction_removes_every_value_added_value_and_keeps_every_basic_one() -> None:
    original = marked_json()
    pristine = copy.deepcopy(original)
    redacted = redact_value_added(original)

    assert original == pristine  # input untouched
    assert redacted["redacted"] is True
    text = json.dumps(redacted, ensure_ascii=False)
    for secret in ("SECRET", "1999-", "987.65", "876.54", "33.3", "44.4", "lifetime"):
        assert secret not in text
    original_text = json.dumps(original, ensure_ascii=False)
    assert text.count("BASIC") == original_text.count("BASIC") > 15

    del redacted["redacted"]
    seen_va = 0
    for (path, key, value, _), (rpath, rkey, rvalue, _) in zip(
        walk(original), walk(redacted), strict=True
    ):
        assert (path, key) == (rpath, rkey)
        assert value not in ("", [], None), f"{path} was not filled in by the test"
        if classify(path) is VALUE_ADDED:
            seen_va += 1
            assert rvalue == ([] if isinstance(value, list) else None), path
        elif path not in NESTED_PREFIXES:
            assert rvalue == value, path
    # client notes, patterns and coverage; contact birthday, personal, notes; five
    # value-added lists; interaction summary and outcome.
    assert seen_va == 3 + 3 + 5 + 2


def test_redaction_shapes() -> None:
    redacted = redact_value_added(marked_json())
    contact = redacted["contacts"][0]
    assert (contact["birthday"], contact["personal"], contact["notes"]) == (None, None, None)
    assert contact["email"] == "contact@example.com"
    assert redacted["interactions"][0] == {
        "date": "2024-01-01", "kind": "visit", "contact": "BASIC who",
        "summary": None, "outcome": None,
    }  # fmt: skip
    for key in ("purchases", "pricing", "preferences", "seasonal_needs", "specifications"):
        assert redacted[key] == []
    assert redacted["notes"] is None and redacted["patterns"] is None
    assert redacted["tasks"][0]["title"] == "BASIC task"


def test_redaction_refuses_unclassified_keys_rather_than_leak_them() -> None:
    data = marked_json()
    data["contacts"][0]["shoe_size"] = "SECRET 44"
    with pytest.raises(ValueError, match=r"contact\.shoe_size"):
        redact_value_added(data)
