"""The demo data generator: deterministic, valid, realistic in the ways a user notices."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
import pytest

from crmdesk.demo import generate_clients
from crmdesk.demo.industries import industries
from crmdesk.demo.places import phone_plans
from crmdesk.domain.entities import Client
from crmdesk.domain.json_codec import (
    READ_ONLY_KEYS,
    client_from_json,
    client_to_json,
    validate_client,
)

TODAY = date(2026, 3, 15)
SAMPLE = 2000


@pytest.fixture(scope="module")
def clients() -> list[Client]:
    return list(generate_clients(SAMPLE, seed=1, today=TODAY))


def _all_phones(client: Client) -> list[str]:
    return client.phones + [p for c in client.contacts for p in c.phones]


def _all_emails(client: Client) -> list[str]:
    return client.emails + [e for c in client.contacts for e in c.emails]


# ---------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_clients() -> None:
    first = [client_to_json(c) for c in generate_clients(50, seed=7, today=TODAY)]
    again = [client_to_json(c) for c in generate_clients(50, seed=7, today=TODAY)]
    assert first == again
    # The first clients do not depend on how many are asked for.
    longer = [client_to_json(c) for c in generate_clients(120, seed=7, today=TODAY)]
    assert longer[:50] == first


def test_different_seed_gives_different_clients() -> None:
    one = [client_to_json(c) for c in generate_clients(50, seed=1, today=TODAY)]
    two = [client_to_json(c) for c in generate_clients(50, seed=2, today=TODAY)]
    assert one != two
    assert len({c["name"] for c in one} & {c["name"] for c in two}) < 10


def test_count_and_unsaved_state(clients: list[Client]) -> None:
    assert len(clients) == SAMPLE
    assert list(generate_clients(0, today=TODAY)) == []
    with pytest.raises(ValueError):
        list(generate_clients(-1, today=TODAY))
    for client in clients[:200]:
        assert (client.id, client.version, client.created_at, client.updated_at) == (
            None,
            0,
            None,
            None,
        )
        children = [
            *client.contacts,
            *client.purchases,
            *client.pricing,
            *client.preferences,
            *client.seasonal_needs,
            *client.specifications,
            *client.interactions,
            *client.tasks,
        ]
        assert all(child.id is None for child in children)


# ---------------------------------------------------------------------------- validity


def test_sample_passes_validation_unchanged(clients: list[Client]) -> None:
    for client in clients[:300]:
        as_json = client_to_json(client)
        # Already normalised: validation changes nothing a user could see.
        assert client_to_json(validate_client(client)) == as_json
        body = {k: v for k, v in as_json.items() if k not in READ_ONLY_KEYS}
        assert client_to_json(client_from_json(body)) == as_json


def test_phones_are_valid_e164(clients: list[Client]) -> None:
    numbers = [n for c in clients[:300] for n in _all_phones(c)]
    assert len(numbers) > 600
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    for client in clients:
        for owner in (client, *client.contacts):
            assert len(set(owner.phones)) == len(owner.phones)


def test_every_phone_range_is_valid() -> None:
    """Spot-check each fictional range across its whole span, ends included."""
    for prefix, low, high, digits in phone_plans():
        for n in {low, high, *range(low, high + 1, 97)}:
            number = f"{prefix}{n:0{digits}d}"
            assert phonenumbers.is_valid_number(phonenumbers.parse(number, None)), number


def test_emails_and_websites_use_reserved_domains(clients: list[Client]) -> None:
    reserved = ("@example.com", "@example.org", "@example.net")
    for client in clients:
        for email in _all_emails(client):
            assert email.endswith(reserved) or email.endswith(".example"), email
            assert email == email.strip() and " " not in email
        if client.website:
            assert client.website.startswith("https://www.")
            assert client.website.endswith(".example")
        for owner in (client, *client.contacts):
            assert len(set(owner.emails)) == len(owner.emails)


def test_money_and_quantities(clients: list[Client]) -> None:
    for client in clients:
        for purchase in client.purchases:
            assert purchase.items
            for item in purchase.items:
                assert item.unit_price == item.unit_price.quantize(Decimal("0.01"))
                assert item.unit_price.as_tuple().exponent == -2
                assert Decimal(0) < item.quantity < 10_000
                assert Decimal(0) <= item.discount_percent <= 30
            assert purchase.total > 0
        for agreement in client.pricing:
            assert agreement.price is not None or agreement.discount_percent is not None
            if agreement.price is not None:
                assert agreement.price.as_tuple().exponent == -2
            if agreement.valid_from and agreement.valid_to:
                assert agreement.valid_from <= agreement.valid_to


# ---------------------------------------------------------------------------- realism


def test_averages_match_the_benchmark_targets(clients: list[Client]) -> None:
    contacts = [len(c.contacts) for c in clients]
    orders = [len(c.purchases) for c in clients]
    lines = [sum(len(p.items) for p in c.purchases) for c in clients]
    interactions = [len(c.interactions) for c in clients]
    assert 2.6 <= statistics.mean(contacts) <= 3.4
    assert 3.0 <= statistics.mean(orders) <= 5.0
    assert 8.5 <= statistics.mean(lines) <= 12.0
    assert 8.5 <= statistics.mean(interactions) <= 12.0
    assert (min(contacts), max(contacts)) == (1, 6)
    assert max(interactions) <= 30
    assert max(orders) >= 40
    for client in clients:
        assert len(client.pricing) <= 4
        assert len(client.preferences) <= 5
        assert len(client.seasonal_needs) <= 3
        assert len(client.specifications) <= 4
        assert len(client.tasks) <= 4
    # Each of the optional sections is used by a fair share of clients.
    for section in ("pricing", "preferences", "seasonal_needs", "specifications", "tasks"):
        used = sum(1 for c in clients if getattr(c, section))
        assert used > SAMPLE * 0.25, section


def test_status_kind_and_salesperson_mix(clients: list[Client]) -> None:
    statuses = Counter(c.status for c in clients)
    assert 0.48 <= statuses["active"] / SAMPLE <= 0.62
    assert 0.24 <= statuses["prospect"] / SAMPLE <= 0.36
    assert 0.10 <= statuses["former"] / SAMPLE <= 0.20
    companies = sum(c.kind == "company" for c in clients)
    assert 0.74 <= companies / SAMPLE <= 0.86
    prospects = [c for c in clients if c.status == "prospect"]
    assert sum(not c.purchases for c in prospects) >= 0.75 * len(prospects)
    heavy = [c for c in clients if len(c.purchases) >= 20]
    assert heavy and all(c.status == "active" for c in heavy)
    salespeople = Counter(c.salesperson for c in clients)
    assert set(salespeople) == {"jane", "omar", "li"}
    assert min(salespeople.values()) > SAMPLE / 4
    assert len({c.industry for c in clients}) >= 20
    assert len({c.source for c in clients}) >= 4
    assert any(f"new {TODAY.year}" in c.tags for c in clients)
    assert all(c.addresses and c.addresses[0].city and c.addresses[0].country for c in clients)


def test_no_salespeople_leaves_the_field_empty() -> None:
    assert {c.salesperson for c in generate_clients(20, today=TODAY, salespeople=())} == {""}


def test_names_are_international_and_varied(clients: list[Client]) -> None:
    contact_names = [p.name for c in clients for p in c.contacts]
    non_ascii = [n for n in contact_names if not n.isascii()]
    assert len(non_ascii) > 0.15 * len(contact_names)
    assert len(set(contact_names)) > 0.5 * len(contact_names)
    company_names = [c.name for c in clients if c.kind == "company"]
    assert len(set(company_names)) > 0.95 * len(company_names)
    for client in clients:
        names = [p.name for p in client.contacts]
        assert len(set(names)) == len(names)
        if client.kind == "individual":
            assert client.name == names[0]
    profiles = [dataclasses.astuple(p.personal) for c in clients for p in c.contacts]
    assert sum(any(fields) for fields in profiles) > 0.7 * len(profiles)


def test_purchases_come_from_the_industry_catalogue(clients: list[Client]) -> None:
    by_label = industries().by_label
    catalogue_of = dict(by_label)
    catalogue_of.update({persona: by_label[base] for persona, base in industries().personas})
    for client in clients:
        products = set(catalogue_of[client.industry].products)
        for purchase in client.purchases:
            assert {item.product for item in purchase.items} <= products
            assert len({item.product for item in purchase.items}) == len(purchase.items)
        assert {a.product for a in client.pricing} <= products


def test_orders_peak_in_the_clients_seasonal_months(clients: list[Client]) -> None:
    heavy = [c for c in clients if len(c.purchases) >= 20]
    assert len(heavy) >= 20
    peak_share = []
    for client in heavy:
        peaks = {m for need in client.seasonal_needs for m in need.months}
        assert peaks, client.name
        by_month = Counter(p.date.month for p in client.purchases)
        in_peaks = sum(by_month[m] for m in peaks) / len(peaks)
        average_month = len(client.purchases) / 12
        peak_share.append(in_peaks / average_month)
    # Peak months hold clearly more orders than an average month, for nearly every client.
    assert statistics.mean(peak_share) >= 2.0
    assert sum(ratio > 1.2 for ratio in peak_share) >= 0.9 * len(peak_share)


def test_seasonal_needs_are_sorted_months(clients: list[Client]) -> None:
    for client in clients:
        for need in client.seasonal_needs:
            assert need.months == tuple(sorted(set(need.months)))
            assert 1 <= len(need.months) <= 3
            assert all(1 <= m <= 12 for m in need.months)


def test_dates_are_relative_to_today(clients: list[Client]) -> None:
    earliest = TODAY - timedelta(days=7 * 366)
    due = Counter()
    leap_day_birthdays = 0
    for client in clients:
        dates = [p.date for p in client.purchases] + [i.date for i in client.interactions]
        assert all(earliest <= d <= TODAY for d in dates)
        assert [p.date for p in client.purchases] == sorted(p.date for p in client.purchases)
        assert [i.date for i in client.interactions] == sorted(i.date for i in client.interactions)
        for task in client.tasks:
            assert task.due <= TODAY + timedelta(days=60)
            if task.done:
                due["done"] += 1
            elif task.due < TODAY:
                due["overdue"] += 1
            else:
                due["upcoming"] += 1
        for contact in client.contacts:
            if contact.birthday is not None:
                assert TODAY.year - 70 <= contact.birthday.year <= TODAY.year - 18
                leap_day_birthdays += (contact.birthday.month, contact.birthday.day) == (2, 29)
        for agreement in client.pricing:
            assert agreement.valid_from is None or agreement.valid_from <= TODAY
            assert agreement.valid_to is None or agreement.valid_to <= TODAY + timedelta(days=800)
    assert min(due.values()) > 50, due
    assert leap_day_birthdays > 0


def test_interactions_and_tasks_name_the_clients_contacts(clients: list[Client]) -> None:
    kinds = Counter()
    for client in clients:
        names = {c.name for c in client.contacts}
        for interaction in client.interactions:
            assert interaction.contact in names
            assert interaction.summary
            kinds[interaction.kind] += 1
        for task in client.tasks:
            assert task.contact in names
    assert set(kinds) == {"call", "meeting", "email", "visit", "note"}
