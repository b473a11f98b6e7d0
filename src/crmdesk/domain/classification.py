"""Which fields are basic contact information and which are value-added trade secrets.

This is the one place that decides it. Paths are dotted and name the entity, not the
position: ``client.name``, ``contact.personal.hobbies``, ``purchase.items.unit_price``.
They cover every dataclass field (see ``ENTITY_PREFIXES``) and every JSON key of
``client_to_json`` (``client.email`` etc.), plus ``client.patterns`` and
``client.coverage`` which the service adds to its output.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from enum import Enum
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


class FieldClass(Enum):
    """How sensitive a field is."""

    BASIC = "basic"  # basic contact information anyone in sales may see
    VALUE_ADDED = "value_added"  # derived from research or the relationship: a trade secret


class Section(Enum):
    """The parts of a client record as the GUI and exports group them."""

    OVERVIEW = "overview"
    CONTACTS = "contacts"
    PERSONAL_PROFILES = "personal_profiles"
    PURCHASES = "purchases"
    PRICING = "pricing"
    PREFERENCES = "preferences"
    SEASONAL_NEEDS = "seasonal_needs"
    SPECIFICATIONS = "specifications"
    INTERACTIONS = "interactions"
    TASKS = "tasks"


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """Classification and section of one field path."""

    field_class: FieldClass
    section: Section


BASIC = FieldClass.BASIC
VALUE_ADDED = FieldClass.VALUE_ADDED

# A section's class says whether the section as a whole may be shown at the basic level.
# OVERVIEW, CONTACTS and INTERACTIONS are basic but hold some value-added fields
# (client notes, contact birthday/notes, interaction summary/outcome) which are
# masked one by one; a value-added section holds only value-added fields.
SECTION_CLASS: dict[Section, FieldClass] = {
    Section.OVERVIEW: BASIC,
    Section.CONTACTS: BASIC,
    Section.PERSONAL_PROFILES: VALUE_ADDED,
    Section.PURCHASES: VALUE_ADDED,
    Section.PRICING: VALUE_ADDED,
    Section.PREFERENCES: VALUE_ADDED,
    Section.SEASONAL_NEEDS: VALUE_ADDED,
    Section.SPECIFICATIONS: VALUE_ADDED,
    Section.INTERACTIONS: BASIC,
    Section.TASKS: BASIC,
}

# Where each entity's fields live in the path space.
ENTITY_PREFIXES: dict[type, str] = {
    Client: "client",
    Address: "client.address",
    Contact: "contact",
    PersonalProfile: "contact.personal",
    Purchase: "purchase",
    LineItem: "purchase.items",
    PricingAgreement: "pricing",
    Preference: "preference",
    SeasonalNeed: "seasonal_need",
    Specification: "specification",
    Interaction: "interaction",
    Task: "task",
}

# A field holding child objects -> the prefix of the children's fields.
NESTED_PREFIXES: dict[str, str] = {
    "client.address": "client.address",
    "client.addresses": "client.address",
    "client.contacts": "contact",
    "client.purchases": "purchase",
    "client.pricing": "pricing",
    "client.preferences": "preference",
    "client.seasonal_needs": "seasonal_need",
    "client.specifications": "specification",
    "client.interactions": "interaction",
    "client.tasks": "task",
    "contact.personal": "contact.personal",
    "purchase.items": "purchase.items",
}


def _table() -> dict[str, FieldInfo]:
    rows: list[tuple[Section, FieldClass, str, tuple[str, ...]]] = [
        (
            Section.OVERVIEW,
            BASIC,
            "client",
            (
                "name", "kind", "status", "industry", "salesperson", "website",
                "email", "emails", "phone", "phones", "address", "addresses",
                "tags", "source", "id", "version", "created_at", "updated_at",
            ),
        ),
        (Section.OVERVIEW, BASIC, "client.address",
         ("street", "city", "region", "postal_code", "country")),
        (Section.OVERVIEW, VALUE_ADDED, "client", ("notes", "patterns", "coverage")),
        (Section.CONTACTS, BASIC, "client", ("contacts",)),
        (Section.CONTACTS, BASIC, "contact",
         ("id", "name", "title", "email", "emails", "phone", "phones")),
        (Section.PERSONAL_PROFILES, VALUE_ADDED, "contact", ("birthday", "personal", "notes")),
        (Section.PERSONAL_PROFILES, VALUE_ADDED, "contact.personal",
         ("hobbies", "activities", "education", "memberships", "family")),
        (Section.PURCHASES, VALUE_ADDED, "client", ("purchases",)),
        (Section.PURCHASES, VALUE_ADDED, "purchase", ("id", "date", "items", "notes")),
        (Section.PURCHASES, VALUE_ADDED, "purchase.items",
         ("product", "quantity", "unit_price", "discount_percent")),
        (Section.PRICING, VALUE_ADDED, "client", ("pricing",)),
        (Section.PRICING, VALUE_ADDED, "pricing",
         ("id", "product", "price", "discount_percent", "valid_from", "valid_to", "terms")),
        (Section.PREFERENCES, VALUE_ADDED, "client", ("preferences",)),
        (Section.PREFERENCES, VALUE_ADDED, "preference", ("id", "topic", "detail")),
        (Section.SEASONAL_NEEDS, VALUE_ADDED, "client", ("seasonal_needs",)),
        (Section.SEASONAL_NEEDS, VALUE_ADDED, "seasonal_need", ("id", "months", "need")),
        (Section.SPECIFICATIONS, VALUE_ADDED, "client", ("specifications",)),
        (Section.SPECIFICATIONS, VALUE_ADDED, "specification", ("id", "item", "detail")),
        (Section.INTERACTIONS, BASIC, "client", ("interactions",)),
        (Section.INTERACTIONS, BASIC, "interaction", ("id", "date", "kind", "contact")),
        (Section.INTERACTIONS, VALUE_ADDED, "interaction", ("summary", "outcome")),
        (Section.TASKS, BASIC, "client", ("tasks",)),
        (Section.TASKS, BASIC, "task", ("id", "due", "title", "done", "contact")),
    ]  # fmt: skip
    table: dict[str, FieldInfo] = {}
    for section, field_class, prefix, names in rows:
        for name in names:
            path = f"{prefix}.{name}"
            if path in table:
                raise AssertionError(f"{path} is classified twice")
            table[path] = FieldInfo(field_class, section)
    return table


FIELDS: dict[str, FieldInfo] = _table()


def _info(path: str) -> FieldInfo:
    try:
        return FIELDS[path]
    except KeyError:
        raise ValueError(f"unclassified field path: {path!r}") from None


def classify(path: str) -> FieldClass:
    """The class of a dotted field path; a ValueError names an unknown path."""
    return _info(path).field_class


def section_of(path: str) -> Section:
    """The section a dotted field path is shown in."""
    return _info(path).section


def value_added_paths() -> frozenset[str]:
    """Every path classified VALUE_ADDED."""
    return frozenset(p for p, info in FIELDS.items() if info.field_class is VALUE_ADDED)


def basic_paths() -> frozenset[str]:
    """Every path classified BASIC."""
    return frozenset(p for p, info in FIELDS.items() if info.field_class is BASIC)


def paths_in(section: Section) -> tuple[str, ...]:
    """The paths of one section, in declaration order."""
    return tuple(p for p, info in FIELDS.items() if info.section is section)


@dataclass(frozen=True, slots=True)
class CoverageCategory:
    """A kind of value-added information a client record holds or lacks (its coverage).

    A category holds something when one of the client's ``entity`` records has a
    non-blank value in a value-added field of ``section``: any purchase, pricing
    agreement, preference, seasonal need or specification; a contact with a birthday,
    notes or something in their personal profile; an interaction with a summary or
    outcome (an entry with only a date and a kind says nothing a directory would not).
    """

    section: Section
    entity: str  # the prefix of the records that hold it: "contact", "purchase"
    label: str  # "Personal profiles"
    mark: str  # a few letters for a compact mark: "People"
    noun: str  # as in "No personal profiles on file"
    # The field of a record that dates it (an order's date), if it has one: it tells
    # since when the information has been known (see domain/coverage.py).
    record_date: str = ""

    @property
    def key(self) -> str:
        """The name in JSON, on the command line and in the audit trail."""
        return self.section.value

    @property
    def list_field(self) -> str:
        """The client's list holding these records: ``contacts`` for personal profiles."""
        return next(
            path.removeprefix("client.")
            for path, prefix in NESTED_PREFIXES.items()
            if prefix == self.entity and path.startswith("client.")
        )

    def paths(self) -> tuple[str, ...]:
        """The value-added field paths of this category's records (nested objects by their
        own fields): ``contact.birthday``, ``contact.personal.hobbies``…"""
        return tuple(
            path
            for path, info in FIELDS.items()
            if info.section is self.section
            and info.field_class is VALUE_ADDED
            and path.startswith(self.entity + ".")
            and path not in NESTED_PREFIXES
        )

    def whole_record(self) -> bool:
        """True when every field of the records is value-added: any record counts."""
        return all(
            info.field_class is VALUE_ADDED
            for path, info in FIELDS.items()
            if path.startswith(self.entity + ".")
        )


# The categories of value-added information a client's coverage is counted in, in the
# order they are shown. The one place that names them: lists, filters, reports, prompts.
COVERAGE_CATEGORIES: tuple[CoverageCategory, ...] = (
    CoverageCategory(Section.PERSONAL_PROFILES, "contact", "Personal profiles", "People",
                     "personal profiles"),
    CoverageCategory(Section.PURCHASES, "purchase", "Purchases", "Buys", "purchases", "date"),
    CoverageCategory(Section.PRICING, "pricing", "Pricing", "Prices", "pricing", "valid_from"),
    CoverageCategory(Section.PREFERENCES, "preference", "Preferences", "Prefs", "preferences"),
    CoverageCategory(Section.SEASONAL_NEEDS, "seasonal_need", "Seasonal needs", "Seasons",
                     "seasonal needs"),
    CoverageCategory(Section.SPECIFICATIONS, "specification", "Specifications", "Specs",
                     "specifications"),
    CoverageCategory(Section.INTERACTIONS, "interaction", "Interaction history", "History",
                     "interaction history", "date"),
)  # fmt: skip
COVERAGE_KEYS: tuple[str, ...] = tuple(c.key for c in COVERAGE_CATEGORIES)


def coverage_category(text: str) -> CoverageCategory:
    """A category from its key, label or noun as typed ("pricing", "personal-profiles",
    "Seasonal needs", "history"); a ValueError names the choices."""
    wanted = re.sub(r"[\s_-]+", " ", text.strip().casefold())
    for category in COVERAGE_CATEGORIES:
        names = {category.key.replace("_", " "), category.label.casefold(), category.noun}
        names.add(category.mark.casefold())
        if wanted in names:
            return category
    found = [
        c
        for c in COVERAGE_CATEGORIES
        if len(wanted) >= 3 and any(w.startswith(wanted) for w in c.label.casefold().split())
    ]
    if len(found) == 1:
        return found[0]
    raise ValueError(
        f"Unknown kind of information {text!r}; choose one of: " + ", ".join(COVERAGE_KEYS) + "."
    )


_INDEX = re.compile(r"\[\d+\]")


def field_path(json_path: str) -> str:
    """Map an error/JSON path to its field path: ``purchases[2].items[0].unit_price`` ->
    ``purchase.items.unit_price``; ``name`` -> ``client.name``."""
    prefix = "client"
    path = prefix
    for segment in _INDEX.sub("", json_path).split("."):
        path = f"{prefix}.{segment}"
        prefix = NESTED_PREFIXES.get(path, path)
    return path


def _blank(value: object) -> object:
    """What a withheld value becomes: [] for a list, null for anything else."""
    return [] if isinstance(value, list) else None


def _redact(obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}.{key}"
        # classify() raises on unknown keys: anything unclassified is refused, not leaked.
        if classify(path) is VALUE_ADDED:
            out[key] = _blank(value)
            continue
        child = NESTED_PREFIXES.get(path)
        if child is not None and isinstance(value, dict):
            out[key] = _redact(value, child)
        elif child is not None and isinstance(value, list):
            out[key] = [_redact(v, child) if isinstance(v, dict) else _blank(v) for v in value]
        else:
            out[key] = copy.deepcopy(value)
    return out


def redact_value_added(client_json: dict[str, Any]) -> dict[str, Any]:
    """A copy of a ``client_to_json`` dict with every value-added value emptied.

    Value-added lists become [] and every other value-added value (text, dates, the
    personal profile, patterns) null; keys stay so readers see what was withheld.
    Adds ``"redacted": true``.
    Raises ValueError on a key that has no classification.
    """
    body = {k: v for k, v in client_json.items() if k != "redacted"}
    out = _redact(body, "client")
    out["redacted"] = True
    return out
