"""Lines of business for demo clients: names, catalogues with prices, seasons,
specifications and preferences (``resources/demo/industries.json``)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crmdesk.domain.validation import CENT

from .records import Records, records
from .tables import table

# Prices in the catalogues are today's; each year further back is this much cheaper.
YEARLY_PRICE_RISE = Decimal("0.04")
PRICE_YEARS = 8

# (months, needs): when a client of the industry buys more, and what for.
Season = tuple[tuple[int, ...], tuple[str, ...]]


class Industry:
    """One line of business: its names, catalogue, seasons and habits."""

    __slots__ = (
        "label",
        "name_words",
        "name_patterns",
        "titles",
        "products",
        "prices",
        "quantities",
        "big_quantities",
        "seasons",
        "specs",
        "prefs",
        "summaries",
        "first_contacts",
        "pools",
    )

    def __init__(
        self,
        entry: dict[str, Any],
        generic_titles: Sequence[str],
        generic_prefs: Sequence[tuple[str, str]],
        company_patterns: Sequence[str],
        wording: Records,
    ) -> None:
        self.label: str = entry["label"]
        self.name_words = tuple(entry["name_words"])
        self.name_patterns = tuple(entry.get("name_patterns") or company_patterns)
        self.titles = tuple(entry["titles"]) + tuple(generic_titles)
        products = entry["products"]  # [name, today's unit price, usual quantities]
        self.products: tuple[str, ...] = tuple(p[0] for p in products)
        # prices[i][k]: product i's unit price k years ago.
        self.prices = tuple(
            tuple(
                (Decimal(p[1]) * (1 - YEARLY_PRICE_RISE * k)).quantize(CENT, ROUND_HALF_UP)
                for k in range(PRICE_YEARS)
            )
            for p in products
        )
        self.quantities = tuple(tuple(Decimal(q) for q in p[2]) for p in products)
        self.big_quantities = tuple(q[len(q) // 2 :] for q in self.quantities)
        # Months sorted, as validation returns them.
        self.seasons: tuple[Season, ...] = tuple(
            (tuple(sorted(months)), tuple(needs)) for months, needs in entry["seasons"]
        )
        self.specs = tuple((item, detail) for item, detail in entry["specifications"])
        self.prefs = tuple((t, d) for t, d in entry.get("preferences", ())) + tuple(generic_prefs)
        # The interaction summaries with the products filled in, once per industry.
        self.summaries: dict[str, tuple[str, ...]] = {}
        for kind, templates in wording.summaries.items():
            self.summaries[kind] = tuple(
                t.format(p=p) for t in templates for p in (self.products if "{p}" in t else ("",))
            )
        # (summaries, their count, outcomes, their count) per kind.
        self.pools: dict[str, tuple[tuple[str, ...], int, tuple[str, ...], int]] = {
            kind: (summaries, len(summaries), wording.outcomes[kind], len(wording.outcomes[kind]))
            for kind, summaries in self.summaries.items()
        }
        self.first_contacts: tuple[tuple[str, str], ...] = tuple(
            (kind, t.format(p=p))
            for kind, t in wording.first_contacts
            for p in (self.products if "{p}" in t else ("",))
        )


@dataclass(frozen=True, slots=True)
class Industries:
    all: tuple[Industry, ...]
    by_label: dict[str, Industry]
    # Private individuals: what they are, and whose catalogue they buy from.
    personas: tuple[tuple[str, str], ...]
    # The words company names are made of, beside surnames and the industry's own words.
    places: tuple[str, ...]
    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]
    saints: tuple[str, ...]


@functools.cache
def industries() -> Industries:
    data = table("industries")
    generic_prefs = tuple((t, d) for t, d in data["generic_preferences"])
    wording = records()
    built = tuple(
        Industry(entry, data["generic_titles"], generic_prefs, data["company_patterns"], wording)
        for entry in data["industries"]
    )
    return Industries(
        all=built,
        by_label={industry.label: industry for industry in built},
        personas=tuple((persona, base) for persona, base in data["personas"]),
        places=tuple(data["places"]),
        adjectives=tuple(data["adjectives"]),
        nouns=tuple(data["nouns"]),
        saints=tuple(data["saints"]),
    )
