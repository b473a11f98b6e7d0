"""Where demo clients are: countries, cities, streets, postal codes and phone numbers
(tables in ``resources/demo/places.json``).

Phone plans are ``[prefix, first suffix, last suffix, suffix digits]``, and every range
is reserved for fiction: NANP 555-0100..0199, Ofcom drama numbers, ACMA fictional
numbers, ARCEP numbers for audiovisual works. No demo number can ring a real phone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from crmdesk.domain.entities import Address

from .dice import Dice
from .tables import table

PhonePlan = tuple[str, int, int, int]
# (city, region, postal code prefixes, every phone number the city's plans allow)
City = tuple[str, str, tuple[str, ...], tuple[str, ...]]
# (country name, currency sign, street names, cities)
Country = tuple[str, str, tuple[str, ...], tuple[City, ...]]


@dataclass(frozen=True, slots=True)
class Places:
    countries: dict[str, Country]
    # One uniform choice from this follows the countries' weights.
    country_codes: tuple[str, ...]
    # All phone plans, for tests that check every number the generator can produce.
    phone_plans: tuple[PhonePlan, ...]
    address_extras: tuple[str, ...]
    postcode_letters: str


@functools.cache
def places() -> Places:
    data = table("places")
    pools: dict[tuple[PhonePlan, ...], tuple[str, ...]] = {}
    countries: dict[str, Country] = {}
    for code, country in data["countries"].items():
        cities = []
        for city in country["cities"]:
            plans = tuple((p[0], p[1], p[2], p[3]) for p in city["phones"])
            if plans not in pools:
                pools[plans] = _phone_pool(plans)
            cities.append((city["city"], city["region"], tuple(city["postcodes"]), pools[plans]))
        countries[code] = (
            country["name"],
            country["currency"],
            tuple(country["streets"]),
            tuple(cities),
        )
    return Places(
        countries=countries,
        country_codes=tuple(
            code for code, country in data["countries"].items() for _ in range(country["weight"])
        ),
        phone_plans=tuple(dict.fromkeys(plan for plans in pools for plan in plans)),
        address_extras=tuple(data["address_extras"]),
        postcode_letters=data["postcode_letters"],
    )


def phone_plans() -> tuple[PhonePlan, ...]:
    """Every fictional range a demo phone number comes from."""
    return places().phone_plans


def _phone_pool(plans: Sequence[PhonePlan]) -> tuple[str, ...]:
    return tuple(
        f"{prefix}{n:0{digits}d}"
        for prefix, low, high, digits in plans
        for n in range(low, high + 1)
    )


def draw_phone(dice: Dice, pool: tuple[str, ...], taken: list[str]) -> str:
    """A number from ``pool`` that is not in ``taken``."""
    r = dice.r
    while True:
        number = pool[int(r() * len(pool))]
        if number not in taken:
            return number


def draw_address(
    dice: Dice,
    code: str,
    streets: Sequence[str],
    city: str,
    region: str,
    postcodes: Sequence[str],
    country: str,
) -> Address:
    """A street address in ``city``, with a postal code in the country's own shape."""
    r = dice.r
    pick = dice.pick
    number = 1 + int(r() * (1800 if code in ("US", "CA") else 180))
    street = f"{number} {pick(streets)}"
    if code == "FR" and r() < 0.3:
        street = f"{number} bis {pick(streets)}"
    if r() < 0.12:
        street = f"{street}, {pick(places().address_extras)}"
    outward = pick(postcodes)
    letters = places().postcode_letters
    if code == "US":
        postal = f"{outward}{int(r() * 100):02d}"
    elif code == "UK":
        postal = f"{outward} {int(r() * 10)}{pick(letters)}{pick(letters)}"
    elif code == "CA":
        postal = f"{outward} {int(r() * 10)}{pick(letters)}{int(r() * 10)}"
    else:
        postal = outward
    return Address(street, city, region, postal, country)
