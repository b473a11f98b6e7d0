"""A :class:`~crmdesk.domain.entities.Client` as client JSON.

The encoders pass through values of unexpected types unchanged, so validate_client can
hand a half-filled Client to the decoder and get field errors instead of a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .entities import (
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
from .validation import format_decimal, format_timestamp


def _date_out(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _decimal_out(value: object) -> object:
    return format_decimal(value) if isinstance(value, Decimal) else value


def _first(values: object) -> object:
    return values[0] if isinstance(values, list | tuple) and values else None


def _each(values: object, kind: type, encode: Callable[[Any], object]) -> object:
    if not isinstance(values, list | tuple):
        return values
    return [encode(v) if isinstance(v, kind) else v for v in values]


def _copy_list(values: object) -> object:
    return list(values) if isinstance(values, list | tuple) else values


def _address_out(a: Address) -> dict[str, Any]:
    return {
        "street": a.street,
        "city": a.city,
        "region": a.region,
        "postal_code": a.postal_code,
        "country": a.country,
    }


def _personal_out(p: PersonalProfile) -> dict[str, Any]:
    return {
        "hobbies": p.hobbies,
        "activities": p.activities,
        "education": p.education,
        "memberships": p.memberships,
        "family": p.family,
    }


def _contact_out(c: Contact) -> dict[str, Any]:
    return {
        "name": c.name,
        "title": c.title,
        "email": _first(c.emails),
        "emails": _copy_list(c.emails),
        "phone": _first(c.phones),
        "phones": _copy_list(c.phones),
        "birthday": _date_out(c.birthday),
        "personal": (
            _personal_out(c.personal) if isinstance(c.personal, PersonalProfile) else c.personal
        ),
        "notes": c.notes,
    }


def _line_item_out(i: LineItem) -> dict[str, Any]:
    return {
        "product": i.product,
        "quantity": _decimal_out(i.quantity),
        "unit_price": _decimal_out(i.unit_price),
        "discount_percent": _decimal_out(i.discount_percent),
    }


def _purchase_out(p: Purchase) -> dict[str, Any]:
    return {
        "date": _date_out(p.date),
        "items": _each(p.items, LineItem, _line_item_out),
        "notes": p.notes,
    }


def _pricing_out(p: PricingAgreement) -> dict[str, Any]:
    return {
        "product": p.product,
        "price": _decimal_out(p.price),
        "discount_percent": _decimal_out(p.discount_percent),
        "valid_from": _date_out(p.valid_from),
        "valid_to": _date_out(p.valid_to),
        "terms": p.terms,
    }


def _preference_out(p: Preference) -> dict[str, Any]:
    return {"topic": p.topic, "detail": p.detail}


def _seasonal_need_out(s: SeasonalNeed) -> dict[str, Any]:
    return {"months": _copy_list(s.months), "need": s.need}


def _specification_out(s: Specification) -> dict[str, Any]:
    return {"item": s.item, "detail": s.detail}


def _interaction_out(i: Interaction) -> dict[str, Any]:
    return {
        "date": _date_out(i.date),
        "kind": i.kind,
        "contact": i.contact,
        "summary": i.summary,
        "outcome": i.outcome,
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {"due": _date_out(t.due), "title": t.title, "done": t.done, "contact": t.contact}


def client_body(c: Client) -> dict[str, Any]:
    """Every CLIENT_KEYS key, in that order."""
    primary_address = _first(c.addresses)
    return {
        "name": c.name,
        "kind": c.kind,
        "status": c.status,
        "industry": c.industry,
        "salesperson": c.salesperson,
        "email": _first(c.emails),
        "emails": _copy_list(c.emails),
        "phone": _first(c.phones),
        "phones": _copy_list(c.phones),
        "website": c.website,
        "address": (
            _address_out(primary_address)
            if isinstance(primary_address, Address)
            else primary_address
        ),
        "addresses": _each(c.addresses, Address, _address_out),
        "tags": _copy_list(c.tags),
        "source": c.source,
        "notes": c.notes,
        "contacts": _each(c.contacts, Contact, _contact_out),
        "purchases": _each(c.purchases, Purchase, _purchase_out),
        "pricing": _each(c.pricing, PricingAgreement, _pricing_out),
        "preferences": _each(c.preferences, Preference, _preference_out),
        "seasonal_needs": _each(c.seasonal_needs, SeasonalNeed, _seasonal_need_out),
        "specifications": _each(c.specifications, Specification, _specification_out),
        "interactions": _each(c.interactions, Interaction, _interaction_out),
        "tasks": _each(c.tasks, Task, _task_out),
    }


def client_to_json(client: Client) -> dict[str, Any]:
    """The client as JSON-ready data: every key, plus id/version/timestamps once saved.

    ``version`` is emitted with ``id`` (an unsaved client has no meaningful version).
    Child ids are internal and not emitted.
    """
    out = client_body(client)
    if client.id is not None:
        out["id"] = client.id
        out["version"] = client.version
    if client.created_at is not None:
        out["created_at"] = format_timestamp(client.created_at)
    if client.updated_at is not None:
        out["updated_at"] = format_timestamp(client.updated_at)
    return out
