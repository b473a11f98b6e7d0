"""What happens between a demo client and the business: statuses, sources, tags, notes,
terms, discounts, interaction wording and tasks (``resources/demo/records.json``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from .tables import table, weighted


@dataclass(frozen=True, slots=True)
class Records:
    # Weighted tables: a uniform pick follows the weights in the file.
    statuses: tuple[str, ...]
    sources: tuple[str, ...]
    interaction_kinds: tuple[str, ...]
    # Tags by status ("key account" is kept for the heaviest buyers).
    tags: dict[str, tuple[str, ...]]
    client_notes: tuple[str, ...]
    purchase_notes: tuple[str, ...]
    # "{c}" is the client's currency sign.
    terms: tuple[str, ...]
    discounts: tuple[Decimal, ...]
    price_factors: tuple[Decimal, ...]
    # Interaction summaries by kind; "{p}" is one of the industry's products.
    summaries: dict[str, tuple[str, ...]]
    # First contacts with a client, as (kind, summary).
    first_contacts: tuple[tuple[str, str], ...]
    outcomes: dict[str, tuple[str, ...]]
    prospect_outcomes: tuple[str, ...]
    # How a former client was lost, as (kind, summary, outcome).
    lost: tuple[tuple[str, str, str], ...]
    # Task titles by status; "{first}" is a contact's first name.
    tasks: dict[str, tuple[str, ...]]


@functools.cache
def records() -> Records:
    data = table("records")
    return Records(
        statuses=weighted(data["statuses"]),
        sources=weighted(data["sources"]),
        interaction_kinds=weighted(data["interaction_kinds"]),
        tags={status: tuple(tags) for status, tags in data["tags"].items()},
        client_notes=tuple(data["client_notes"]),
        purchase_notes=tuple(data["purchase_notes"]),
        terms=tuple(data["terms"]),
        discounts=tuple(Decimal(d) for d in data["discounts"]),
        price_factors=tuple(Decimal(f) for f in data["price_factors"]),
        summaries={kind: tuple(texts) for kind, texts in data["summaries"].items()},
        first_contacts=tuple((kind, text) for kind, text in data["first_contacts"]),
        outcomes={kind: tuple(texts) for kind, texts in data["outcomes"].items()},
        prospect_outcomes=tuple(data["prospect_outcomes"]),
        lost=tuple((kind, summary, outcome) for kind, summary, outcome in data["lost"]),
        tasks={status: tuple(titles) for status, titles in data["tasks"].items()},
    )
