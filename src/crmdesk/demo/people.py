"""People for demo clients: names from many cultures, birthdays, personal profiles, and
the contacts of a client built from them (tables in ``resources/demo/people.json``)."""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.entities import Contact, PersonalProfile
from crmdesk.domain.text import fold

from .dice import Dice
from .places import draw_phone
from .tables import table

# (full name, email local part, first name, gender "f" or "m")
Name = tuple[str, str, str, str]

_NUMBER_WORDS = ("no", "one", "two", "three", "four")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, sep: str = "-") -> str:
    """ASCII lowercase for email and web addresses: "Müller's Bakery" -> "mullers-bakery"."""
    return _SLUG_DROP.sub(sep, fold(text).replace("'", "")).strip(sep)


@dataclass(frozen=True, slots=True)
class People:
    """The name and profile pools, built once from the table."""

    # One uniform choice from ``culture_table`` follows the cultures' weights (which sum
    # to 100); a second one picks a name of that culture.
    culture_table: tuple[tuple[Name, ...], ...]
    # Names of the cultures that dominate each country, drawn more often there.
    local_names: dict[str, tuple[Name, ...]]
    # The surnames company names are made of ("Kowalski & Sons Bakery").
    surnames: tuple[str, ...]
    families: tuple[str, ...]
    hobbies: tuple[str, ...]
    activities: tuple[str, ...]
    education: tuple[str, ...]
    memberships: tuple[str, ...]
    contact_notes: tuple[str, ...]


@functools.cache
def people() -> People:
    data = table("people")
    cultures: dict[str, Any] = data["cultures"]
    by_culture = {name: _names_of(culture) for name, culture in cultures.items()}
    return People(
        culture_table=tuple(
            by_culture[name] for name, culture in cultures.items() for _ in range(culture["weight"])
        ),
        local_names={
            country: tuple(n for culture in local for n in by_culture[culture])
            for country, local in data["local_cultures"].items()
        },
        surnames=tuple(
            dict.fromkeys(
                last
                for culture in data["company_surname_cultures"]
                for last in cultures[culture]["surnames"]
            )
        ),
        families=_make_family_pool(data["child_names"], data["partner_names"]),
        hobbies=_make_hobby_pool(data["hobbies"]),
        activities=tuple(data["activities"]),
        education=tuple(data["education"]),
        memberships=tuple(data["memberships"]),
        contact_notes=tuple(data["contact_notes"]),
    )


def _names_of(culture: dict[str, Any]) -> tuple[Name, ...]:
    """Every (full name, email local part, first name, gender) of one culture."""
    male_lasts = culture["surnames"]
    female_lasts = culture.get("female_surnames", male_lasts)
    family_first = culture.get("family_name_first", False)
    middles = culture.get("middle_names", {})
    firsts = [(n, "f") for n in culture["female"]] + [(n, "m") for n in culture["male"]]
    out = []
    for first, gender in firsts:
        for last in female_lasts if gender == "f" else male_lasts:
            local = f"{slug(first, '')}.{slug(last, '')}"
            if family_first:
                for middle in middles["female" if gender == "f" else "male"]:
                    out.append((f"{last} {middle} {first}", local, first, gender))
            else:
                out.append((f"{first} {last}", local, first, gender))
    return tuple(out)


def _make_family_pool(child_names: Sequence[str], partner_names: Sequence[str]) -> tuple[str, ...]:
    """Pre-written family descriptions ("married, two daughters (Ana 12, Sofia 9)")."""
    rng = random.Random(20240229)
    children_pool = tuple(child_names)
    partners = tuple(partner_names)
    out = []
    for _ in range(600):
        kids = rng.choices((0, 1, 2, 3), (3, 3, 4, 2))[0]
        names = rng.sample(children_pool, kids)
        ages = sorted((rng.randint(1, 19) for _ in range(kids)), reverse=True)
        listed = ", ".join(f"{n} {a}" for n, a in zip(names, ages, strict=True))
        if kids == 0:
            children = "no children"
        elif kids == 1:
            children = f"one {rng.choice(('son', 'daughter'))} ({listed})"
        else:
            word = rng.choice(("kids", "daughters", "sons", "children"))
            children = f"{_NUMBER_WORDS[kids]} {word} ({listed})"
        shape = rng.randrange(8)
        if shape < 3:
            text = f"married, {children}"
        elif shape == 3:
            text = f"partner {rng.choice(partners)}, {children}"
        elif shape == 4:
            text = f"divorced, {children}; kids every other weekend" if kids else "single"
        elif shape == 5:
            text = f"married to {rng.choice(partners)}; {children}"
        elif shape == 6:
            text = "widowed; grandchildren visit on Sundays"
        else:
            text = f"single, {children}" if kids else "single; very close to two nieces"
        out.append(text)
    return tuple(out)


def _make_hobby_pool(hobbies: Sequence[str]) -> tuple[str, ...]:
    rng = random.Random(7)
    pool = tuple(hobbies)
    return tuple(", ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(600))


class PeopleMaker:
    """Draws people from the pools with the run's dice."""

    def __init__(self, dice: Dice) -> None:
        self.dice = dice
        self.r = dice.r
        self.pick = dice.pick
        self.pools = people()

    def person(self, country: str) -> Name:
        """(full name, email local part, first name, gender)."""
        if self.r() < 0.35:
            return self.pick(self.pools.local_names[country])
        return self.pick(self.pick(self.pools.culture_table))

    def birthday(self) -> dt.date | None:
        r = self.r()
        if r < 0.25:
            return None
        year = self.dice.today.year - 22 - int(self.r() * 45)
        if r < 0.27:  # leap-day birthdays (a favourite edge case)
            return dt.date(year - year % 4, 2, 29)
        return dt.date.fromordinal(dt.date(year, 1, 1).toordinal() + int(self.r() * 365))

    def profile(self) -> PersonalProfile:
        r = self.r
        pick = self.pick
        pools = self.pools
        return PersonalProfile(
            pick(pools.hobbies) if r() < 0.6 else "",
            pick(pools.activities) if r() < 0.35 else "",
            pick(pools.education) if r() < 0.45 else "",
            pick(pools.memberships) if r() < 0.3 else "",
            pick(pools.families) if r() < 0.55 else "",
        )

    def contacts(
        self,
        count: int,
        country: str,
        domain: str | None,
        titles: Sequence[str],
        phones: tuple[str, ...],
        firsts: list[str],
    ) -> list[Contact]:
        """``count`` contacts with distinct names; their first names go to ``firsts``."""
        r = self.r
        pick = self.pick
        out: list[Contact] = []
        used: list[str] = []
        for i in range(count):
            full, local, first, _gender = self.person(country)
            while full in used:
                full, local, first, _gender = self.person(country)
            used.append(full)
            firsts.append(first)
            emails = []
            if domain is not None and r() < 0.9:
                emails.append(f"{local}@{domain}")
            if domain is None or r() < 0.2:
                emails.append(f"{local}{int(r() * 90) + 10}@example.{pick(('com', 'org', 'net'))}")
            numbers: list[str] = [] if r() < 0.1 else [draw_phone(self.dice, phones, [])]
            if numbers and r() < 0.25:
                numbers.append(draw_phone(self.dice, phones, numbers))
            out.append(
                Contact(
                    full,
                    (titles[0] if i == 0 and r() < 0.5 else pick(titles)),
                    emails,
                    numbers,
                    self.birthday(),
                    self.profile(),
                    pick(self.pools.contact_notes) if r() < 0.15 else "",
                )
            )
        return out
