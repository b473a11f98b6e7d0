"""Decoy contacts: realistic, at the owner's domain, unique, placed inside the list."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys

import phonenumbers
import pytest

from crmdesk.demo.places import phone_plans as demo_phone_plans
from crmdesk.domain.decoy_identities import person_names, phone_plans
from crmdesk.domain.decoys import (
    MAX_PER_EXPORT,
    ContactPoints,
    decoy_positions,
    identity_keys,
    interleave,
    make_decoys,
    normalise_domain,
    positions_by_key,
    resemble,
)
from crmdesk.domain.entities import Client, Contact
from crmdesk.domain.json_codec import client_to_json, validate_client
from crmdesk.domain.need_to_know import redact_client

TODAY = dt.date(2026, 11, 29)
LOCAL = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)?[0-9]{2,3}")


def decoys(count: int = 3, seed: int = 1, taken: set[str] | None = None, **kwargs):
    return make_decoys(
        count, "Canary.Example.ORG", taken=taken or set(), today=TODAY,
        rng=random.Random(seed), **kwargs,
    )  # fmt: skip


def _fictional(number: str) -> bool:
    return any(
        number.startswith(prefix) and low <= int(number[len(prefix) :]) <= high
        for prefix, low, high, digits in demo_phone_plans()
        if len(number) - len(prefix) == digits
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("example.com", "example.com"),
        ("  Mail.Example.CO.UK. ", "mail.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("my-shop.example", "my-shop.example"),
    ],
)
def test_domains_are_normalised(typed, expected):
    assert normalise_domain(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "localhost", "a..example", "-shop.example", "shop-.example", "ex_ample.com",
     "jane@example.com", "https://example.com", "example.com/path", "example.c0m",
     "x" * 64 + ".example", "has space.example"],
)  # fmt: skip
def test_what_is_not_a_domain_is_refused_with_a_reason(typed):
    with pytest.raises(ValueError, match="domain"):
        normalise_domain(typed)


def test_decoys_look_like_small_businesses_with_a_person():
    for decoy in decoys(5):
        client = decoy.client
        assert client.kind == "company" and client.name == decoy.company
        assert client.contacts[0].name == decoy.name and len(decoy.name.split()) >= 2
        # The business's own address, never the person's: that gave decoys away.
        assert client.contacts[0].emails == [decoy.email] != client.emails
        assert client.emails[0].endswith("@canary.example.org")
        assert client.contacts[0].phones == [decoy.phone] and len(client.phones) == 1
        assert client.addresses and client.addresses[0].city and client.industry
        # Passes the same validation as a client typed in (normalised already).
        assert client_to_json(validate_client(client)) == client_to_json(client)


def test_addresses_are_at_the_owners_domain_with_a_natural_unique_local_part():
    made = decoys(5)
    for decoy in made:
        local, _, domain = decoy.email.partition("@")
        assert domain == "canary.example.org"
        assert LOCAL.fullmatch(local), local
    assert len({d.email for d in made}) == 5


def test_phone_numbers_come_from_ranges_reserved_for_fiction():
    for seed in range(20):
        for decoy in decoys(3, seed=seed):
            assert phonenumbers.is_valid_number(phonenumbers.parse(decoy.phone))
            assert _fictional(decoy.phone), decoy.phone


def test_every_decoy_phone_range_is_one_the_demo_data_checks_as_fictional():
    # tests/demo checks every demo range is valid; decoys keep their own copy of some.
    assert phone_plans() and phone_plans() <= set(demo_phone_plans())


def test_person_names_are_plentiful():
    # No two decoys of a vault share a person name: the names bound how many it can have.
    assert len(person_names()) > 10_000


def test_making_decoys_loads_no_demo_data():
    code = (
        "import datetime, random, sys\n"
        "from crmdesk.domain.decoys import make_decoys\n"
        "made = make_decoys(5, 'example.org', taken=set(), today=datetime.date(2026, 1, 1),"
        " rng=random.Random(1))\n"
        "print(len(made), 'crmdesk.demo' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.split() == ["5", "False"], found.stderr


def test_decoys_carry_nothing_value_added():
    for decoy in decoys(3):
        assert redact_client(decoy.client) == decoy.client
        assert not decoy.client.notes and not decoy.client.purchases


def test_decoys_never_repeat_those_handed_out_before():
    taken: set[str] = set()
    seen: list[str] = []
    for seed in range(40):
        # The same seed again and again would repeat candidates: uniqueness must hold.
        for decoy in decoys(MAX_PER_EXPORT, seed=seed % 3, taken=taken):
            keys = identity_keys(decoy.name, decoy.company, decoy.email)
            assert not keys & taken
            taken |= keys
            seen.append(decoy.email)
    assert len(seen) == len(set(seen)) == 40 * MAX_PER_EXPORT


def test_a_decoy_gets_a_salesperson_the_export_already_shows():
    assert {d.client.salesperson for d in decoys(5, salespeople=["Jane Doe", "omar"])} <= {
        "Jane Doe",
        "omar",
    }


def test_the_count_is_limited():
    assert decoys(0) == []
    with pytest.raises(ValueError):
        decoys(MAX_PER_EXPORT + 1)


@pytest.mark.parametrize("real", [2, 3, 10, 1000])
@pytest.mark.parametrize("count", [1, 3, 5])
def test_positions_are_never_first_or_last(real, count):
    rng = random.Random(real * 10 + count)
    for _ in range(50):
        after = decoy_positions(real, count, rng)
        assert after == sorted(after) and len(after) == count
        assert all(1 <= a <= real - 1 for a in after)
        if count <= real - 1:
            assert len(set(after)) == count  # different gaps while there are enough
        merged = list(interleave(range(real), ["d"] * count, after))
        assert merged[0] != "d" and merged[-1] != "d" and merged.count("d") == count


def test_positions_spread_over_the_whole_list():
    rng = random.Random(7)
    seen = {decoy_positions(10, 1, rng)[0] for _ in range(500)}
    assert seen == set(range(1, 10))


def test_with_fewer_than_two_real_items_decoys_follow_them():
    assert decoy_positions(1, 2, random.Random(1)) == [1, 1]
    assert list(interleave(["a"], ["x", "y"], [1, 1])) == ["a", "x", "y"]
    assert decoy_positions(5, 0, random.Random(1)) == []


def test_interleave_keeps_the_order_of_both():
    assert list(interleave("abcd", [1, 2, 3], [1, 1, 3])) == ["a", 1, 2, "b", "c", 3, "d"]


def test_in_a_sorted_list_a_decoy_goes_where_its_name_sorts():
    keys = ["anna", "bob", "carl", "dora", "emil"]
    assert positions_by_key(keys, ["bobby", "cat", "dora"]) == [2, 3, 4]
    assert positions_by_key(keys[::-1], ["bobby", "cat"], descending=True) == [3, 2]
    # Never first or last: kept just inside.
    assert positions_by_key(keys, ["aaron", "zoe"]) == [1, 4]
    assert positions_by_key(keys[::-1], ["aaron", "zoe"], descending=True) == [4, 1]
    assert positions_by_key(["only"], ["x"]) == [1]


@pytest.mark.parametrize("born", [dt.date(1975, 12, 2), dt.date(1984, 2, 29), None])
def test_a_decoy_resembles_a_real_client_of_its_export(born):
    template = Client(
        "Real Co", status="former", salesperson="Jane Doe", tags=["VIP", "wholesale"],
        contacts=[Contact("Real Person", birthday=born)],
    )  # fmt: skip
    decoy = resemble(decoys(1)[0], template, random.Random(3))
    client = decoy.client
    assert (client.status, client.salesperson, client.tags) == template_fields(template)
    got = client.contacts[0].birthday
    if born is None:
        assert got is None
    else:
        assert (got.month, got.day) == (born.month, born.day) and got.year != born.year
    assert client.contacts[0].name == decoy.name
    assert client.contacts[0].emails == [decoy.email] != client.emails


def template_fields(template: Client) -> tuple:
    return template.status, template.salesperson, template.tags


def test_decoys_use_the_owners_contact_points():
    points = ContactPoints(
        domains=("one.example", "two.example", "three.example"),
        addresses=("sales.desk@owner.example",),
        phones=("+1 202 555 0142", "+1 202 555 0143"),
    )
    made = make_decoys(
        4, "canary.example.org", taken=set(), today=dt.date(2026, 12, 4),
        rng=random.Random(5), points=points,
    )  # fmt: skip
    emails = [d.email for d in made]
    assert emails[0] == "sales.desk@owner.example"  # listed addresses first
    # A domain of its own for each decoy while there are enough: website, office mail.
    owns = [d.client.emails[0].rsplit("@", 1)[1] for d in made]
    assert owns[:3] == ["one.example", "two.example", "three.example"]
    assert [d.client.website for d in made[:3]] == [f"https://www.{d}" for d in owns[:3]]
    assert [e.rsplit("@", 1)[1] for e in emails[1:3]] == owns[1:3]
    assert [d.phone for d in made[:2]] == ["+1 202 555 0142", "+1 202 555 0143"]
    # Taken ones are not handed out again.
    again = make_decoys(
        1, "canary.example.org", taken={"sales.desk@owner.example", "+1 202 555 0142"},
        today=dt.date(2026, 12, 4), rng=random.Random(6),
        points=ContactPoints(addresses=("sales.desk@owner.example",), phones=("+1 202 555 0142",)),
    )  # fmt: skip
    assert again[0].email.endswith("@canary.example.org") and again[0].phone != "+1 202 555 0142"


def test_a_decoy_has_notes_and_a_website_like_its_model():
    plain = Client("Plain Co", contacts=[Contact("P")])
    noted = Client("Noted Co", notes="Decides in January", website="https://noted.example",
                   contacts=[Contact("N")])  # fmt: skip
    (decoy,) = make_decoys(
        1, "canary.example.org", taken=set(), today=dt.date(2026, 12, 4),
        rng=random.Random(2), points=ContactPoints(domains=("own.example",)),
    )  # fmt: skip
    assert resemble(decoy, noted, random.Random(1)).client.notes
    assert resemble(decoy, noted, random.Random(1)).client.website == "https://www.own.example"
    assert resemble(decoy, plain, random.Random(1)).client.notes == ""
    assert resemble(decoy, plain, random.Random(1)).client.website == ""
