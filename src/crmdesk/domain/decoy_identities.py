"""Who a decoy is: a made-up small business with one person at it, drawn from the decoy
tables (:mod:`.decoy_tables`). Only what a decoy's row shows: a person's name and job
title, a company name and line of business, a street address and phone numbers.

Pure: the caller brings the randomness (:func:`crmdesk.domain.decoys.make_decoys`).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from .decoy_tables import (
    ADJECTIVES,
    COMPANY_PATTERNS,
    COUNTRIES,
    CULTURES,
    GENERIC_TITLES,
    INDUSTRIES,
    NOUNS,
    PLACES,
    POSTCODE_LETTERS,
    TAGS,
    PhonePlan,
)
from .entities import Address


@dataclass(frozen=True, slots=True)
class Business:
    """A made-up small business and the person a decoy names."""

    company: str
    industry: str
    person: str
    title: str
    person_phone: str  # the person's direct line, or the office's
    office_phone: str
    address: Address
    tags: tuple[str, ...]


@functools.cache
def _names() -> tuple[tuple[str, ...], ...]:
    """Every full name of each culture, one entry per unit of the culture's weight: one
    uniform choice of a culture follows the weights, a second picks a name."""
    out = []
    for weight, female, male, surnames, female_surnames in CULTURES:
        names = tuple(f"{first} {last}" for first in female for last in female_surnames or surnames)
        names += tuple(f"{first} {last}" for first in male for last in surnames)
        out += [names] * weight
    return tuple(out)


@functools.cache
def _countries() -> tuple[str, ...]:
    return tuple(code for code, (_, weight, _, _) in COUNTRIES.items() for _ in range(weight))


def person_names() -> frozenset[str]:
    """Every person name a decoy can have (no two decoys of a vault share one)."""
    return frozenset(name for names in _names() for name in names)


def phone_plans() -> frozenset[PhonePlan]:
    """Every phone range a decoy's numbers come from."""
    return frozenset(
        plan for *_, cities in COUNTRIES.values() for *_, plans in cities for plan in plans
    )


def draw_business(rng: random.Random) -> Business:
    """A new made-up business, with a person, in a city of one of the countries."""
    person = rng.choice(rng.choice(_names()))
    industry, endings, titles = rng.choice(INDUSTRIES)
    code = rng.choice(_countries())
    country, _weight, streets, cities = COUNTRIES[code]
    city, region, postcodes, plans = rng.choice(cities)
    office_phone = _phone(plans, rng)
    # Half of small businesses answer on one line; the others give a direct one.
    person_phone = office_phone if rng.random() < 0.5 else _phone(plans, rng)
    return Business(
        company=_company(endings, rng),
        industry=industry,
        person=person,
        title=rng.choice(titles + GENERIC_TITLES),
        person_phone=person_phone,
        office_phone=office_phone,
        address=_address(code, country, rng.choice(streets), city, region, postcodes, rng),
        tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
    )


def _company(endings: tuple[str, ...], rng: random.Random) -> str:
    surname, surname2 = rng.sample(_surnames(), 2)
    name = rng.choice(COMPANY_PATTERNS).format(
        place=rng.choice(PLACES),
        adj=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS),
        surname=surname,
        surname2=surname2,
        w=rng.choice(endings),
    )
    return name.replace("s's ", "s' ")


@functools.cache
def _surnames() -> tuple[str, ...]:
    """The surnames company names are made of: those of every culture, once each."""
    return tuple(dict.fromkeys(last for *_, surnames, _female in CULTURES for last in surnames))


def _phone(plans: tuple[PhonePlan, ...], rng: random.Random) -> str:
    prefix, low, high, digits = rng.choice(plans)
    return f"{prefix}{rng.randint(low, high):0{digits}d}"


def _address(
    code: str,
    country: str,
    street: str,
    city: str,
    region: str,
    postcodes: tuple[str, ...],
    rng: random.Random,
) -> Address:
    """A street address with a postal code in the country's own shape."""
    number = rng.randint(1, 1800 if code in ("US", "CA") else 180)
    outward = rng.choice(postcodes)
    digit = rng.randint(0, 9)
    if code == "US":
        postal = f"{outward}{rng.randint(0, 99):02d}"
    elif code == "UK":
        letters = "".join(rng.choices(POSTCODE_LETTERS, k=2))
        postal = f"{outward} {digit}{letters}"
    elif code == "CA":
        postal = f"{outward} {digit}{rng.choice(POSTCODE_LETTERS)}{rng.randint(0, 9)}"
    else:
        postal = outward
    return Address(f"{number} {street}", city, region, postal, country)
