from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.session import owner_session

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def session(vault):
    return owner_session(vault)


@pytest.fixture
def clients(session):
    return ClientService(session, today=lambda: TODAY)


def full_client() -> dict:
    """A client with every field and every kind of child record filled in."""
    return {
        "name": "Zoë's Bakery",
        "kind": "company",
        "status": "active",
        "industry": "Bakery",
        "salesperson": "zoe",
        "email": "orders@zoes-bakery.example",
        "emails": ["orders@zoes-bakery.example", "zoe@zoes-bakery.example"],
        "phone": "+1 202 555 0173",
        "website": "zoes-bakery.example",
        "address": {
            "street": "12 Harbour Lane",
            "city": "Portland",
            "region": "ME",
            "postal_code": "04101",
            "country": "US",
        },
        "tags": ["VIP", "wholesale"],
        "source": "trade show",
        "notes": "Family business since 1952; decides in January.",
        "contacts": [
            {
                "name": "Zoë Łukasiewicz",
                "title": "Owner",
                "email": "zoe@zoes-bakery.example",
                "phone": "+44 20 7946 0958",
                "birthday": "1975-12-02",
                "personal": {
                    "hobbies": "sailing, sourdough",
                    "activities": "coaches youth soccer",
                    "education": "Culinary Institute",
                    "memberships": "Rotary Club; food bank board",
                    "family": "married, two daughters",
                },
                "notes": "Prefers calls after 3 pm.",
            }
        ],
        "purchases": [
            {
                "date": "2025-12-01",
                "items": [
                    {
                        "product": "Flour T550 25kg",
                        "quantity": "10",
                        "unit_price": "19.90",
                        "discount_percent": "5",
                    },
                    {"product": "Yeast 500g", "quantity": "4", "unit_price": "3.25"},
                ],
                "notes": "Christmas rush",
            },
            {
                "date": "2026-06-15",
                "items": [{"product": "Flour T550 25kg", "quantity": "6", "unit_price": "20.50"}],
            },
        ],
        "pricing": [
            {
                "product": "Flour T550 25kg",
                "price": "18.75",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
                "terms": "Net 30",
            }
        ],
        "preferences": [{"topic": "Delivery", "detail": "Before 7 am, back door"}],
        "seasonal_needs": [{"months": [11, 12], "need": "Stollen flour"}],
        "specifications": [{"item": "Flour", "detail": "Unbleached, type 550"}],
        "interactions": [
            {
                "date": "2026-10-20",
                "kind": "call",
                "contact": "Zoë Łukasiewicz",
                "summary": "Asked about organic rye",
                "outcome": "Send samples",
            }
        ],
        "tasks": [{"due": "2026-11-25", "title": "Send rye samples", "done": False}],
    }
