"""Coverage: which kinds of value-added information a client record holds.

A client list is a trade secret for what it holds beyond a directory: purchasing
patterns, pricing, preferences, seasonal needs, specifications, what is known about the
people and the history of the relationship. :data:`COVERAGE_CATEGORIES` (in
classification.py) names those kinds; this module says, for one client or for a whole
book of clients, which of them are on file, and which one is most worth filling next.

Coverage is itself value-added information (that a client has pricing on file says
something): someone who may not see a client's value-added information gets its coverage
*withheld*, never "missing".
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .classification import COVERAGE_CATEGORIES, COVERAGE_KEYS, CoverageCategory
from .entities import Client

HELD, MISSING, WITHHELD = "held", "missing", "withheld"
# Why coverage is withheld, as every front end says it.
WITHHELD_REASON = "not your client"

_BY_KEY = {c.key: c for c in COVERAGE_CATEGORIES}


@dataclass(frozen=True, slots=True)
class Coverage:
    """The categories a client holds something in, or withheld from the person asking."""

    held: frozenset[str] = frozenset()  # category keys
    withheld: bool = False

    @classmethod
    def hidden(cls) -> Coverage:
        return cls(frozenset(), withheld=True)

    @classmethod
    def from_keys(cls, keys: Iterable[str]) -> Coverage:
        keys = frozenset(keys)
        unknown = keys - set(COVERAGE_KEYS)
        if unknown:
            raise ValueError(f"unknown coverage categories: {sorted(unknown)}")
        return cls(keys)

    def state(self, category: CoverageCategory) -> str:
        """HELD, MISSING or WITHHELD."""
        if self.withheld:
            return WITHHELD
        return HELD if category.key in self.held else MISSING

    @property
    def count(self) -> int | None:
        """How many categories hold something; None when withheld."""
        return None if self.withheld else len(self.held)

    def present(self) -> list[CoverageCategory]:
        return [] if self.withheld else [c for c in COVERAGE_CATEGORIES if c.key in self.held]

    def missing(self) -> list[CoverageCategory]:
        """The empty categories, in display order (none when withheld: not "missing")."""
        return [] if self.withheld else [c for c in COVERAGE_CATEGORIES if c.key not in self.held]

    def summary(self) -> str:
        """One line: "5 of 7 on file; missing pricing, specifications" or the reason."""
        if self.withheld:
            return f"Withheld: {WITHHELD_REASON}"
        total = len(COVERAGE_CATEGORIES)
        missing = self.missing()
        if not missing:
            return f"All {total} kinds of information on file"
        text = f"{len(self.held)} of {total} on file; missing " + ", ".join(c.noun for c in missing)
        return text

    def to_json(self) -> dict[str, Any]:
        """``{"held": 5, "of": 7, "categories": {"pricing": "missing", ...}}``; when
        withheld, ``held`` is null, every category "withheld" and ``withheld`` says why."""
        return {
            "held": self.count,
            "of": len(COVERAGE_CATEGORIES),
            "categories": {c.key: self.state(c) for c in COVERAGE_CATEGORIES},
            "withheld": WITHHELD_REASON if self.withheld else None,
        }


def _filled(value: object) -> bool:
    return value not in (None, "", [], ()) and value is not False


def _value(record: object, path: str) -> object:
    value = record
    for name in path.split("."):
        value = getattr(value, name, None)
    return value


def holds(client: Client, category: CoverageCategory) -> bool:
    """Whether the client holds something in ``category`` (the rule the store's SQL
    follows too; a test keeps the two in step)."""
    records = getattr(client, category.list_field)
    if category.whole_record():
        return bool(records)
    fields = [p.removeprefix(category.entity + ".") for p in category.paths()]
    return any(_filled(_value(r, f)) for r in records for f in fields)


def client_coverage(client: Client) -> Coverage:
    """The coverage of a whole (not withheld) client record."""
    return Coverage(frozenset(c.key for c in COVERAGE_CATEGORIES if holds(client, c)))


def holds_json(category: CoverageCategory, item: Any) -> bool:
    """Whether one record as JSON (a contact, an interaction…) holds something in
    ``category``: for reading the additions the audit trail recorded."""
    if not isinstance(item, dict):
        return False
    if category.whole_record():
        return True
    for path in category.paths():
        value: Any = item
        for name in path.removeprefix(category.entity + ".").split("."):
            value = value.get(name) if isinstance(value, dict) else None
        if _filled(value):
            return True
    return False


_CATEGORIES_BY_LIST: dict[str, list[CoverageCategory]] = {}
for _category in COVERAGE_CATEGORIES:
    _CATEGORIES_BY_LIST.setdefault(_category.list_field, []).append(_category)


def categories_added(value_added_changes: object) -> list[str]:
    """The categories a change added a record holding something to, from the
    ``value_added_changes`` an edit's audit entry describes (in order, each once)."""
    if not isinstance(value_added_changes, dict):
        return []
    found: list[str] = []
    for name, change in value_added_changes.items():
        added = change.get("added") if isinstance(change, dict) else None
        for category in _CATEGORIES_BY_LIST.get(name, ()):
            holds = isinstance(added, list) and any(holds_json(category, i) for i in added)
            if holds and category.key not in found:
                found.append(category.key)
    return found


# -- what to fill next ---------------------------------------------------------------------

# After a call, what a conversation tells: how they like things done, and about the
# people. After a purchase, what the order tells: the prices, what exactly, and when.
_AFTER: dict[str, tuple[str, ...]] = {
    "call": ("preferences", "personal_profiles", "seasonal_needs", "specifications",
             "pricing", "purchases", "interactions"),
    "purchase": ("pricing", "specifications", "seasonal_needs", "preferences",
                 "personal_profiles", "interactions", "purchases"),
}  # fmt: skip


def most_worth_filling(coverage: Coverage, after: str = "call") -> CoverageCategory | None:
    """The empty category most worth filling after a call or a purchase; None when all
    are on file or the coverage is withheld."""
    if coverage.withheld:
        return None
    for key in _AFTER[after]:
        if key not in coverage.held:
            return _BY_KEY[key]
    return None


def prompt_text(category: CoverageCategory, client_name: str) -> str:
    """``No preferences on file for Zoë's Bakery``."""
    return f"No {category.noun} on file for {client_name}"


# -- the whole book ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """What the book's figures need of one client (read by the store in one pass)."""

    client_id: int
    name: str
    salesperson: str
    spend_12m: Decimal
    coverage: Coverage
    # Per held category: since when the list holds it (see :func:`since_dates`).
    since: dict[str, dt.date] = field(default_factory=dict)
    added: dt.date | None = None  # when the client entered the list


@dataclass(frozen=True, slots=True)
class Share:
    """How many of ``total`` clients hold something in one category."""

    count: int
    total: int

    @property
    def percent(self) -> Decimal:
        if not self.total:
            return Decimal("0.0")
        return (Decimal(100 * self.count) / self.total).quantize(Decimal("0.1"))

    def text(self) -> str:
        return f"{self.percent}% ({self.count:,} of {self.total:,})"


@dataclass(frozen=True, slots=True)
class GroupCoverage:
    """One salesperson's clients (or the whole book): share per category."""

    name: str  # the salesperson as on the clients ("" for unassigned)
    clients: int
    shares: dict[str, Share]  # by category key
    any_value_added: Share  # clients holding at least one category
    average_held: Decimal  # categories per client


@dataclass(frozen=True, slots=True)
class MonthCoverage:
    """The book at the end of one month: clients by then, and how many held each."""

    month: str  # "2026-11"
    clients: int
    counts: dict[str, int]
    any_value_added: int

    def share(self, key: str) -> Share:
        return Share(self.counts[key], self.clients)


@dataclass(frozen=True, slots=True)
class BookCoverage:
    """The coverage of a book of clients, as of ``as_of``."""

    as_of: dt.date
    scope: str  # "every client" / "the clients of Sam Reed"
    book: GroupCoverage
    by_salesperson: list[GroupCoverage]
    months: list[MonthCoverage]
    since: dict[str, dt.date | None]  # per category: the earliest date any client held it
    gaps: list[ClientFacts]  # most business, least information
    first_client: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        def group(g: GroupCoverage) -> dict[str, Any]:
            return {
                "salesperson": g.name,
                "clients": g.clients,
                "categories": {
                    k: {"clients": s.count, "percent": str(s.percent)} for k, s in g.shares.items()
                },
                "any_value_added": {
                    "clients": g.any_value_added.count,
                    "percent": str(g.any_value_added.percent),
                },
                "average_categories": str(g.average_held),
            }

        return {
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "clients": self.book.clients,
            "categories": [c.key for c in COVERAGE_CATEGORIES],
            "book": group(self.book),
            "since": {k: d.isoformat() if d else None for k, d in self.since.items()},
            "first_client": self.first_client.isoformat() if self.first_client else None,
            "by_salesperson": [group(g) for g in self.by_salesperson],
            "monthly": [
                {
                    "month": m.month,
                    "clients": m.clients,
                    "categories": dict(m.counts),
                    "any_value_added": m.any_value_added,
                }
                for m in self.months
            ],
            "most_business_least_information": [
                {
                    "id": f.client_id,
                    "name": f.name,
                    "salesperson": f.salesperson,
                    "spend_12m": str(f.spend_12m),
                    "coverage": f.coverage.to_json(),
                }
                for f in self.gaps
            ],
        }


def _group(name: str, facts: Sequence[ClientFacts]) -> GroupCoverage:
    total = len(facts)
    counts = dict.fromkeys(COVERAGE_KEYS, 0)
    anything = held = 0
    for f in facts:  # one pass: this runs over 100,000 clients
        keys = f.coverage.held
        held += len(keys)
        anything += bool(keys)
        for key in keys:
            counts[key] += 1
    shares = {key: Share(count, total) for key, count in counts.items()}
    average = (Decimal(held) / total).quantize(Decimal("0.1")) if total else Decimal("0.0")
    return GroupCoverage(name, total, shares, Share(anything, total), average)


def month_end(month: str) -> dt.date:
    """The last day of a "YYYY-MM" month."""
    year, number = int(month[:4]), int(month[5:7])
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _monthly(facts: Sequence[ClientFacts], first: dt.date, as_of: dt.date) -> list[MonthCoverage]:
    n = (as_of.year - first.year) * 12 + as_of.month - first.month + 1
    base = first.year * 12 + first.month - 1

    last = n - 1
    new_clients = [0] * n
    new_any = [0] * n
    new_held = {key: [0] * n for key in COVERAGE_KEYS}
    for f in facts:  # one pass, arithmetic inlined: this runs over 100,000 clients
        added = f.added
        if added is None:
            continue
        # Dates after today (a pricing agreement starting next month) count from now.
        start = min(added.year * 12 + added.month - 1 - base, last)
        new_clients[start] += 1
        earliest = n
        for key, day in f.since.items():
            # Known before the client was added: counted from when it was added.
            at = min(max(day.year * 12 + day.month - 1 - base, start), last)
            new_held[key][at] += 1
            if at < earliest:
                earliest = at
        if earliest < n:
            new_any[earliest] += 1
    months: list[MonthCoverage] = []
    clients = any_total = 0
    running = dict.fromkeys(COVERAGE_KEYS, 0)
    for i in range(n):
        clients += new_clients[i]
        any_total += new_any[i]
        for key in COVERAGE_KEYS:
            running[key] += new_held[key][i]
        year, month = divmod(base + i, 12)
        months.append(
            MonthCoverage(f"{year:04d}-{month + 1:02d}", clients, dict(running), any_total)
        )
    return months


GAPS = 20  # clients listed under "most business, least information"


def book_coverage(
    facts: Sequence[ClientFacts], as_of: dt.date, scope: str, *, gaps: int = GAPS
) -> BookCoverage:
    """The figures of a book from each client's facts: shares, by salesperson, monthly.

    Monthly: at the end of each month, the clients in the list by then (``added``) and,
    of those, how many held each category by then (``since``). Clients deleted since,
    and information removed since, are not reconstructed: the history is that of the
    clients and information on file today.
    """
    by_person: dict[str, list[ClientFacts]] = {}
    since: dict[str, dt.date | None] = dict.fromkeys(COVERAGE_KEYS)
    first: dt.date | None = None
    for f in facts:
        by_person.setdefault(f.salesperson, []).append(f)
        for key, day in f.since.items():
            known = since[key]
            if known is None or day < known:
                since[key] = day
        if f.added is not None and (first is None or f.added < first):
            first = f.added
    people = [_group(name, group) for name, group in by_person.items()]
    people.sort(key=lambda g: (g.name == "", g.name.casefold()))
    months = _monthly(facts, first, as_of) if first is not None and first <= as_of else []
    with_business = (
        f
        for f in facts
        if f.spend_12m > 0 and not f.coverage.withheld and len(f.coverage.held) < len(COVERAGE_KEYS)
    )
    biggest_gaps = heapq.nsmallest(
        gaps, with_business, key=lambda f: (len(f.coverage.held), -f.spend_12m, f.client_id)
    )
    return BookCoverage(
        as_of=as_of,
        scope=scope,
        book=_group("", facts),
        by_salesperson=people,
        months=months,
        since=since,
        gaps=biggest_gaps,
        first_client=first,
    )
