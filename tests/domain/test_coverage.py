"""Coverage in the domain: the categories, one client's coverage, and a book's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crmdesk.domain import Section, client_from_json
from crmdesk.domain.classification import (
    COVERAGE_CATEGORIES,
    COVERAGE_KEYS,
    FieldClass,
    classify,
    coverage_category,
)
from crmdesk.domain.coverage import (
    ClientFacts,
    Coverage,
    book_coverage,
    client_coverage,
    holds_json,
    most_worth_filling,
    prompt_text,
)
from tests.services.conftest import full_client

D = dt.date


def test_the_categories_are_the_value_added_sections_the_issue_names():
    assert COVERAGE_KEYS == (
        "personal_profiles", "purchases", "pricing", "preferences", "seasonal_needs",
        "specifications", "interactions",
    )  # fmt: skip
    by_key = {c.key: c for c in COVERAGE_CATEGORIES}
    assert by_key["personal_profiles"].list_field == "contacts"
    assert by_key["interactions"].list_field == "interactions"
    assert by_key["seasonal_needs"].list_field == "seasonal_needs"
    # Every path a category counts is value-added and in its section.
    for c in COVERAGE_CATEGORIES:
        assert c.paths(), c.key
        assert all(classify(p) is FieldClass.VALUE_ADDED for p in c.paths())
    assert set(by_key["personal_profiles"].paths()) == {
        "contact.birthday", "contact.notes", "contact.personal.hobbies",
        "contact.personal.activities", "contact.personal.education",
        "contact.personal.memberships", "contact.personal.family",
    }  # fmt: skip
    assert by_key["interactions"].paths() == ("interaction.summary", "interaction.outcome")
    wholly = {c.key for c in COVERAGE_CATEGORIES if c.whole_record()}
    assert wholly == {"purchases", "pricing", "preferences", "seasonal_needs", "specifications"}
    assert by_key["interactions"].section is Section.INTERACTIONS


@pytest.mark.parametrize(
    ("text", "key"),
    [("pricing", "pricing"), ("personal-profiles", "personal_profiles"),
     ("Personal profiles", "personal_profiles"), ("seasonal needs", "seasonal_needs"),
     ("history", "interactions"), ("Interaction history", "interactions"),
     ("spec", "specifications"), ("PREFS", "preferences")],
)  # fmt: skip
def test_a_category_is_found_by_what_people_type(text, key):
    assert coverage_category(text).key == key


@pytest.mark.parametrize("text", ["shoes", "p", "pr"])
def test_an_unknown_or_ambiguous_category_names_the_choices(text):
    with pytest.raises(ValueError, match="personal_profiles, purchases, pricing"):
        coverage_category(text)


def test_a_full_client_holds_every_kind_and_a_bare_one_none():
    assert client_coverage(client_from_json(full_client())).held == frozenset(COVERAGE_KEYS)
    bare = client_from_json(
        {
            "name": "Bare Co",
            "contacts": [{"name": "Pat", "title": "Buyer", "email": "pat@example.com"}],
            "interactions": [{"date": "2026-01-02", "kind": "call", "contact": "Pat"}],
            "tasks": [{"due": "2026-01-05", "title": "Call back"}],
        }
    )
    # A contact without a personal detail and a call without a summary are a directory.
    assert client_coverage(bare) == Coverage(frozenset())


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"contacts": [{"name": "Pat", "birthday": "1970-01-01"}]}, {"personal_profiles"}),
        ({"contacts": [{"name": "Pat", "notes": "likes golf"}]}, {"personal_profiles"}),
        ({"contacts": [{"name": "Pat", "personal": {"family": "two sons"}}]},
         {"personal_profiles"}),
        ({"interactions": [{"date": "2026-01-02", "kind": "call", "outcome": "quote"}]},
         {"interactions"}),
        ({"pricing": [{"product": "Widget", "price": "1.00"}]}, {"pricing"}),
        ({"seasonal_needs": [{"months": [12], "need": "stock"}]}, {"seasonal_needs"}),
    ],
)  # fmt: skip
def test_one_value_added_field_is_enough(patch, expected):
    assert client_coverage(client_from_json({"name": "A", **patch})).held == expected


def test_holds_json_reads_the_records_the_audit_trail_keeps():
    people = coverage_category("personal profiles")
    assert holds_json(people, {"name": "Pat", "personal": {"hobbies": "golf"}})
    assert not holds_json(people, {"name": "Pat", "personal": {"hobbies": ""}, "notes": ""})
    assert holds_json(coverage_category("pricing"), {"product": "X"})
    assert not holds_json(coverage_category("pricing"), "not a record")


def test_withheld_is_never_missing():
    hidden = Coverage.hidden()
    assert hidden.missing() == [] and hidden.count is None
    data = hidden.to_json()
    assert set(data["categories"].values()) == {"withheld"}
    assert data["held"] is None and data["withheld"] == "not your client"
    assert hidden.summary() == "Withheld: not your client"
    assert most_worth_filling(hidden) is None


def test_to_json_and_summary_say_what_is_on_file():
    coverage = Coverage.from_keys({"purchases", "interactions", "personal_profiles"})
    data = coverage.to_json()
    assert data["held"] == 3 and data["of"] == 7 and data["withheld"] is None
    assert data["categories"]["pricing"] == "missing"
    assert data["categories"]["purchases"] == "held"
    assert coverage.summary() == (
        "3 of 7 on file; missing pricing, preferences, seasonal needs, specifications"
    )
    with pytest.raises(ValueError, match="shoes"):
        Coverage.from_keys({"shoes"})


def test_the_prompt_suggests_what_a_call_or_an_order_is_most_likely_to_fill():
    coverage = Coverage.from_keys({"purchases", "interactions"})
    after_call = most_worth_filling(coverage, "call")
    assert after_call is not None
    assert prompt_text(after_call, "Zoë's Bakery") == "No preferences on file for Zoë's Bakery"
    after_order = most_worth_filling(coverage, "purchase")
    assert after_order is not None and after_order.key == "pricing"
    everything = Coverage.from_keys(COVERAGE_KEYS)
    assert most_worth_filling(everything, "call") is None


# -- a book --------------------------------------------------------------------------------


def facts(n, name, person, spend, keys, since, added):
    return ClientFacts(n, name, person, Decimal(spend), Coverage.from_keys(keys), since, added)


def known_book():
    """Four clients of two salespeople, added in September to November 2026."""
    return [
        # Added 10 Sep with purchases since 1 Aug (known before it was added: counts
        # from September) and a profile written in October.
        facts(1, "Alpha", "sam", "900.00", {"purchases", "personal_profiles"},
              {"purchases": D(2026, 8, 1), "personal_profiles": D(2026, 10, 5)}, D(2026, 9, 10)),
        facts(2, "Beta", "sam", "50.00", {"purchases"}, {"purchases": D(2026, 9, 20)},
              D(2026, 9, 20)),
        facts(3, "Gamma", "zoe", "0.00", set(), {}, D(2026, 10, 1)),
        facts(4, "Delta", "zoe", "700.00", set(COVERAGE_KEYS),
              dict.fromkeys(COVERAGE_KEYS, D(2026, 11, 2)), D(2026, 11, 2)),
    ]  # fmt: skip


def test_a_books_shares_are_exact():
    book = book_coverage(known_book(), D(2026, 11, 29), "every client")
    assert book.book.clients == 4
    shares = {k: (s.count, str(s.percent)) for k, s in book.book.shares.items()}
    assert shares["purchases"] == (3, "75.0")
    assert shares["personal_profiles"] == (2, "50.0")
    assert shares["pricing"] == (1, "25.0")
    assert (book.book.any_value_added.count, str(book.book.any_value_added.percent)) == (3, "75.0")
    assert str(book.book.average_held) == "2.5"  # (2 + 1 + 0 + 7) / 4
    sam, zoe = book.by_salesperson
    assert (sam.name, sam.clients, sam.shares["purchases"].count) == ("sam", 2, 2)
    assert (zoe.name, zoe.clients, str(zoe.shares["pricing"].percent)) == ("zoe", 2, "50.0")
    assert book.since["purchases"] == D(2026, 8, 1)
    assert book.since["personal_profiles"] == D(2026, 10, 5)
    assert book.first_client == D(2026, 9, 10)


def test_a_books_months_count_clients_and_kinds_as_they_came():
    book = book_coverage(known_book(), D(2026, 11, 29), "every client")
    months = {m.month: m for m in book.months}
    assert list(months) == ["2026-09", "2026-10", "2026-11"]
    assert (months["2026-09"].clients, months["2026-09"].counts["purchases"]) == (2, 2)
    assert months["2026-09"].counts["personal_profiles"] == 0
    assert months["2026-09"].any_value_added == 2
    assert (months["2026-10"].clients, months["2026-10"].counts["personal_profiles"]) == (3, 1)
    assert str(months["2026-10"].share("purchases").percent) == "66.7"
    assert months["2026-11"].clients == 4
    assert months["2026-11"].counts == {k: s.count for k, s in book.book.shares.items()}
    assert months["2026-11"].any_value_added == 3


def test_most_business_least_information_leaves_out_the_complete_and_the_idle():
    book = book_coverage(known_book(), D(2026, 11, 29), "every client", gaps=10)
    # Delta holds everything, Gamma bought nothing: only Beta (1 kind) then Alpha (2).
    assert [f.name for f in book.gaps] == ["Beta", "Alpha"]
    json_gaps = book.to_json()["most_business_least_information"]
    assert json_gaps[0] == {
        "id": 2,
        "name": "Beta",
        "salesperson": "sam",
        "spend_12m": "50.00",
        "coverage": Coverage.from_keys({"purchases"}).to_json(),
    }


def test_an_empty_book():
    book = book_coverage([], D(2026, 11, 29), "every client")
    assert book.book.clients == 0 and book.months == [] and book.gaps == []
    assert book.to_json()["since"] == dict.fromkeys(COVERAGE_KEYS)
