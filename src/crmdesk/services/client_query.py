"""What a client list asks for: search text, filters, sort order and page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from crmdesk.domain.classification import COVERAGE_KEYS
from crmdesk.domain.coverage import Coverage
from crmdesk.domain.roles import Visibility
from crmdesk.errors import BadInput


class SortKey(StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    STATUS = "status"
    SALESPERSON = "salesperson"
    LAST_CONTACT = "last_contact"
    SPEND_12M = "spend_12m"
    NEXT_ORDER = "next_order"
    COVERAGE = "coverage"  # how many kinds of value-added information are on file


@dataclass(frozen=True, slots=True)
class ClientQuery:
    """Search text and filters that combine (all must hold), with sort and paging."""

    text: str = ""
    status: str | None = None
    salesperson: str | None = None
    tag: str | None = None
    buys_in_month: int | None = None
    no_contact_days: int | None = None
    birthday_within_days: int | None = None
    followups_due: bool = False
    # Coverage category keys (domain/classification.py): clients with nothing on file in
    # any of them ("missing personal profiles", "no pricing on file").
    missing: tuple[str, ...] = ()
    sort: SortKey = SortKey.NAME
    descending: bool = False
    limit: int = 50
    offset: int = 0

    def checked(self) -> ClientQuery:
        problems = []
        if self.buys_in_month is not None and not 1 <= self.buys_in_month <= 12:
            problems.append("the month must be 1 to 12")
        for label, days in (
            ("no-contact days", self.no_contact_days),
            ("birthday days", self.birthday_within_days),
        ):
            if days is not None and not 0 <= days <= 3660:
                problems.append(f"{label} must be 0 to 3660")
        unknown = [k for k in self.missing if k not in COVERAGE_KEYS]
        if unknown:
            problems.append(
                f"unknown kind of information {unknown[0]!r} (choose from "
                + ", ".join(COVERAGE_KEYS)
                + ")"
            )
        if not 1 <= self.limit <= 100_000 or self.offset < 0:
            problems.append("the page must have 1 to 100000 rows and a non-negative offset")
        if problems:
            raise BadInput(
                "Cannot list clients: " + "; ".join(problems) + ".",
                code="clients.query_invalid",
                problems=problems,
            )
        return self


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose value-added information a list may use: everyone's, one person's, nobody's.

    ``names`` are the values of a client's ``salesperson`` that mean "assigned to me".
    """

    visibility: Visibility = Visibility.ALL
    names: tuple[str, ...] = ()


FULL_SCOPE = Scope()


@dataclass(frozen=True, slots=True)
class ClientRow:
    """One line of a client list: enough to show and sort, not the whole record."""

    id: int
    name: str
    kind: str
    status: str
    industry: str
    salesperson: str
    email: str
    phone: str
    tags: list[str] = field(default_factory=list)
    last_contact: dt.date | None = None
    # None when withheld: the signed-in person sees only basic information of this client.
    spend_12m: Decimal | None = Decimal("0.00")
    next_order: dt.date | None = None
    full: bool = True
    # Which kinds of value-added information are on file (withheld with the rest).
    coverage: Coverage = field(default_factory=Coverage.hidden)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An open task, with the client it belongs to (for the day's work)."""

    task_id: int
    client_id: int
    client_name: str
    due: dt.date
    title: str
    contact: str
    phone: str


@dataclass(frozen=True, slots=True)
class Birthday:
    """A contact's coming birthday."""

    client_id: int
    client_name: str
    contact_name: str
    date: dt.date
    turns: int | None
    phone: str
