"""A fully filled-in client, as JSON and as the entities it must decode to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from crmdesk.domain.entities import (
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


def full_client_json() -> dict[str, Any]:
    """Input as a user would write it (messy spacing, local phone formats, lists)."""
    return {
        "name": "  Acme Łódź Sp. z o.o. ",
        "kind": "Company",
        "status": "active",
        "industry": "Packaging",
        "salesperson": "jdoe",
        "emails": ["Orders@ACME.example.com", "info@acme.example.com"],
        "phones": ["(202) 555-0173", "+44 20 7946 0958"],
        "website": "acme.example.com",
        "addresses": [
            {"street": "1 Main St", "city": "Springfield", "region": "IL",
             "postal_code": "62701", "country": "US"},
            {"city": "Łódź", "country": "PL"},
        ],
        "tags": ["wholesale", " Wholesale ", "vip"],
        "source": "trade fair 2023",
        "notes": "Pays late in December.\nAsk for Zoë.",
        "contacts": [
            {
                "name": "Zoë Łukasiewicz",
                "title": "Buyer",
                "email": "zoe@acme.example.com",
                "phone": "+48 12 345 67 89",
                "birthday": "1985-07-14",
                "personal": {"hobbies": ["sailing", "chess"], "family": "two kids"},
                "notes": "Prefers calls after 10am",
            }
        ],
        "purchases": [
            {
                "date": "2024-03-05",
                "items": [
                    {"product": "Box L", "quantity": "10", "unit_price": "19.90"},
                    {"product": "Tape", "quantity": 3, "unit_price": 2,
                     "discount_percent": "12.5"},
                ],
                "notes": "rush order",
            }
        ],
        "pricing": [
            {"product": "Box L", "price": "18.50", "valid_from": "2024-01-01",
             "valid_to": "2024-12-31", "terms": "min 100 units"},
        ],
        "preferences": [{"topic": "delivery", "detail": "mornings only"}],
        "seasonal_needs": [{"months": [12, 11, 12], "need": "gift boxes"}],
        "specifications": [{"item": "Box L", "detail": "double wall, 5mm"}],
        "interactions": [
            {"date": "2024-02-01", "kind": "Call", "contact": "Zoë Łukasiewicz",
             "summary": "asked about Q2 prices", "outcome": "send quote"},
        ],
        "tasks": [{"due": "2024-02-08", "title": "Send Q2 quote", "contact": "Zoë Łukasiewicz"}],
    }  # fmt: skip


def full_client() -> Client:
    """What full_client_json() must decode to (US default region)."""
    return Client(
        name="Acme Łódź Sp. z o.o.",
        kind="company",
        status="active",
        industry="Packaging",
        salesperson="jdoe",
        website="https://acme.example.com",
        emails=["Orders@acme.example.com", "info@acme.example.com"],
        phones=["+12025550173", "+442079460958"],
        addresses=[
            Address("1 Main St", "Springfield", "IL", "62701", "US"),
            Address(city="Łódź", country="PL"),
        ],
        tags=["wholesale", "vip"],
        source="trade fair 2023",
        notes="Pays late in December.\nAsk for Zoë.",
        contacts=[
            Contact(
                name="Zoë Łukasiewicz",
                title="Buyer",
                emails=["zoe@acme.example.com"],
                phones=["+48123456789"],
                birthday=date(1985, 7, 14),
                personal=PersonalProfile(hobbies="sailing, chess", family="two kids"),
                notes="Prefers calls after 10am",
            )
        ],
        purchases=[
            Purchase(
                date=date(2024, 3, 5),
                items=[
                    LineItem("Box L", Decimal("10"), Decimal("19.90")),
                    LineItem("Tape", Decimal("3"), Decimal("2.00"), Decimal("12.5")),
                ],
                notes="rush order",
            )
        ],
        pricing=[
            PricingAgreement(
                "Box L", Decimal("18.50"), None, date(2024, 1, 1), date(2024, 12, 31),
                "min 100 units",
            )
        ],
        preferences=[Preference("delivery", "mornings only")],
        seasonal_needs=[SeasonalNeed((11, 12), "gift boxes")],
        specifications=[Specification("Box L", "double wall, 5mm")],
        interactions=[
            Interaction(date(2024, 2, 1), "call", "Zoë Łukasiewicz", "asked about Q2 prices",
                        "send quote"),
        ],
        tasks=[Task(date(2024, 2, 8), "Send Q2 quote", False, "Zoë Łukasiewicz")],
    )  # fmt: skip


@pytest.fixture
def client_json() -> dict[str, Any]:
    return full_client_json()


@pytest.fixture
def client() -> Client:
    return full_client()
