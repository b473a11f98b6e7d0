"""Coverage of the book: how much of the client list is value-added information, and since when.

Shares per category, per salesperson and month by month, and the clients with the most
business and the least on file. Each person gets the figures of the clients they see in
full: the Owner and a Manager every client, a Salesperson their own; an Assistant sees
no value-added information, so no coverage (refused, naming who may).

"Since when" comes from two sources, the earlier winning (README, "Coverage"):

- record dates: an order's date, the start of a pricing agreement, the date of an
  interaction with a summary say when that information was gathered;
- the audit trail: when crmdesk first wrote it, i.e. the entry that created the client
  (one by one: with the categories it held then; or in a batch, by an import or demo
  data), or else the first change that added a record holding it (or an import that
  merged into the client). Information on file that the trail cannot date (written
  before the trail recorded such detail) counts from the client's last change.

The history is that of the clients and information on file today: clients deleted and
information removed since are not reconstructed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from crmdesk.domain.classification import COVERAGE_CATEGORIES, CoverageCategory
from crmdesk.domain.coverage import (
    BookCoverage,
    ClientFacts,
    book_coverage,
    categories_added,
)
from crmdesk.domain.roles import Permission, Visibility
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.client_query import Scope
from crmdesk.services.clients import ClientService
from crmdesk.services.session import Session

_BY_LIST: dict[str, list[CoverageCategory]] = {}
for _category in COVERAGE_CATEGORIES:
    _BY_LIST.setdefault(_category.list_field, []).append(_category)


@dataclass(slots=True)
class _Written:
    """What the audit trail says about when one client's information was written."""

    created: dt.date | None = None  # created one by one, on this day…
    created_with: frozenset[str] = frozenset()  # …holding these categories
    added: dict[str, dt.date] = field(default_factory=dict)  # first change adding one
    merged: dt.date | None = None  # first import that merged into it


def _created_with(details: dict[str, object]) -> frozenset[str]:
    keys = details.get("coverage")
    if isinstance(keys, list):
        return frozenset(str(k) for k in keys)
    # Older entries name only the lists: a list written counts for its categories.
    fields = details.get("fields")
    if not isinstance(fields, list):
        return frozenset()
    return frozenset(c.key for name in fields for c in _BY_LIST.get(str(name), ()))


def _additions(details: dict[str, object]) -> Iterable[str]:
    """The categories a change added a record holding something to.

    Edits record them plainly as ``coverage_added`` (which kinds, never what they say),
    since their ``value_added_changes`` are sealed to the Owner and Managers; entries from
    before sealing carry the changes themselves.
    """
    named = details.get("coverage_added")
    if isinstance(named, list):
        return [str(k) for k in named]
    return categories_added(details.get("value_added_changes"))


def written_dates(conn: object, wanted: set[int]) -> dict[int, _Written]:
    """Per client of ``wanted``, what the audit trail says of when it was written."""
    found: dict[int, _Written] = {}
    for write in store.record_writes(conn):
        day = write.ts.date()
        if write.action == "client.created" and write.first_id in wanted:
            assert write.first_id is not None
            entry = found.setdefault(write.first_id, _Written())
            entry.created, entry.created_with = day, _created_with(write.details)
        elif write.action == "client.updated" and write.first_id in wanted:
            assert write.first_id is not None
            entry = found.setdefault(write.first_id, _Written())
            for key in _additions(write.details):
                entry.added.setdefault(key, day)
        elif write.action == "clients.imported":
            for client_id in write.details.get("merged_ids") or []:
                if client_id in wanted:
                    entry = found.setdefault(client_id, _Written())
                    entry.merged = entry.merged or day
    return found


def client_facts(row: store.BookRow, written: _Written | None) -> ClientFacts:
    """Since when each held category is on file, and since when the client is."""
    created = row.created_at.date()
    since: dict[str, dt.date] = {}
    for key in row.coverage.held:
        if written is None or written.created is None:
            # Created in a batch (import, demo data): the batch wrote the whole record.
            when = created
        elif key in written.created_with:
            when = written.created
        else:
            later = [d for d in (written.added.get(key), written.merged) if d is not None]
            when = min(later) if later else row.updated_at.date()
        record = row.record_dates.get(key)
        since[key] = min(when, record) if record is not None else when
    added = min([created, *since.values()])
    return ClientFacts(
        client_id=row.client_id,
        name=row.name,
        salesperson=row.salesperson,
        spend_12m=row.spend_12m,
        coverage=row.coverage,
        since=since,
        added=added,
    )


class CoverageService:
    """The coverage of the book the signed-in person sees in full."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._session = session
        self._today = today
        self._clients = ClientService(session, today=today)

    def book(self) -> BookCoverage:
        """Shares per category, per salesperson and per month; the biggest clients with
        the least on file. Not itself audited: it shows no record's content."""
        user = require(self._session, Permission.VIEW_VALUE_ADDED, what="coverage of the book")
        scope = Scope(user.visibility, user.assignment_names())
        self._clients.refresh_spend()
        vault = self._session.vault
        # Every client and book record read once: with a small page cache (as the
        # reports do), not the usual one filled with pages never asked for again (the
        # coverage of 100,000 clients left 100+ MB of page cache in the app).
        with vault.bulk_reads(), vault.reading() as conn:
            rows = list(store.book_rows(vault, scope))
            written = written_dates(conn, {r.client_id for r in rows})
        facts = [client_facts(r, written.get(r.client_id)) for r in rows]
        if user.visibility is Visibility.ALL:
            title = "every client"
        else:
            title = f"the clients of {user.full_name}"
        return book_coverage(facts, self._today(), title)
