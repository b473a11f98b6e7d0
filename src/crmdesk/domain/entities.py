"""The client record and everything hanging off it.

These are plain data holders: build them from user input with
:func:`crmdesk.domain.json_codec.client_from_json` or check a hand-built one with
:func:`crmdesk.domain.json_codec.validate_client`, which apply the limits below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .validation import CENT

CLIENT_KINDS: tuple[str, ...] = ("company", "individual")
CLIENT_STATUSES: tuple[str, ...] = ("prospect", "active", "former")
INTERACTION_KINDS: tuple[str, ...] = ("call", "meeting", "email", "visit", "note")

# Limits on free text, in characters.
MAX_NAME = 200  # names, titles, products, topics: one line
MAX_TAG = 100
MAX_ADDRESS_LINE = 500
MAX_TEXT = 10_000  # notes, details, summaries: many lines


@dataclass(slots=True)
class Address:
    """A postal address; every part is optional free text."""

    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(slots=True)
class PersonalProfile:
    """What a salesperson learned about a contact as a person."""

    hobbies: str = ""
    activities: str = ""
    education: str = ""
    memberships: str = ""
    family: str = ""


@dataclass(slots=True)
class Contact:
    """A person at the client."""

    name: str
    title: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    birthday: dt.date | None = None
    personal: PersonalProfile = field(default_factory=PersonalProfile)
    notes: str = ""
    id: int | None = None


@dataclass(slots=True)
class LineItem:
    """One product line of a purchase."""

    product: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        """quantity x unit price less the discount, to the cent (half up)."""
        # Dividing by 100 at the end keeps every intermediate step exact.
        gross = self.quantity * self.unit_price * (100 - self.discount_percent)
        return (gross / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Purchase:
    """An order the client placed."""

    date: dt.date
    items: list[LineItem] = field(default_factory=list)
    notes: str = ""
    id: int | None = None

    @property
    def total(self) -> Decimal:
        """Sum of the line totals."""
        return sum((item.total for item in self.items), Decimal("0.00"))


@dataclass(slots=True)
class PricingAgreement:
    """A negotiated price or discount for one product, optionally for a period."""

    product: str
    price: Decimal | None = None
    discount_percent: Decimal | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    terms: str = ""
    id: int | None = None


@dataclass(slots=True)
class Preference:
    """Something the client prefers (delivery, brand, contact times...)."""

    topic: str
    detail: str = ""
    id: int | None = None


@dataclass(slots=True)
class SeasonalNeed:
    """A need that comes back in certain months of the year."""

    months: tuple[int, ...]
    need: str
    id: int | None = None


@dataclass(slots=True)
class Specification:
    """A technical requirement the client has for an item."""

    item: str
    detail: str = ""
    id: int | None = None


@dataclass(slots=True)
class Interaction:
    """A call, meeting, email, visit or note in the client's history."""

    date: dt.date
    kind: str
    contact: str = ""
    summary: str = ""
    outcome: str = ""
    id: int | None = None


@dataclass(slots=True)
class Task:
    """A follow-up to do by a due date."""

    due: dt.date
    title: str
    done: bool = False
    contact: str = ""
    id: int | None = None


@dataclass(slots=True)
class Client:
    """A client (company or individual) and all its records.

    ``version`` counts saved changes (for optimistic locking by the service layer);
    timestamps are timezone-aware UTC.
    """

    name: str
    kind: str = "company"
    status: str = "prospect"
    industry: str = ""
    salesperson: str = ""
    website: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    notes: str = ""
    contacts: list[Contact] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    pricing: list[PricingAgreement] = field(default_factory=list)
    preferences: list[Preference] = field(default_factory=list)
    seasonal_needs: list[SeasonalNeed] = field(default_factory=list)
    specifications: list[Specification] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    id: int | None = None
    version: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


# Every dataclass of the record, for code (and tests) that must cover all of them.
ENTITY_TYPES: tuple[type, ...] = (
    Client,
    Address,
    Contact,
    PersonalProfile,
    Purchase,
    LineItem,
    PricingAgreement,
    Preference,
    SeasonalNeed,
    Specification,
    Interaction,
    Task,
)
