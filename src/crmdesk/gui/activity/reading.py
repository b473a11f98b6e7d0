"""Reading the audit trail for the Activity page, on a worker thread: how many entries
a query finds (or the ones behind an alert) and their first page, the per-person counts
and the alerts, as rows ready to show; and further pages as the table is scrolled. The
entries are counted, sorted and paged in SQL: a trail of any length is never held whole.
No widget is touched here; :mod:`crmdesk.gui.activity.page` shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crmdesk.domain.alerts import ActivityEvent, Alert
from crmdesk.errors import NotAllowed
from crmdesk.gui.activity import words
from crmdesk.gui.ops import Job
from crmdesk.gui.widgets.formats import format_timestamp
from crmdesk.gui.widgets.rows import Cell, Row
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.gc_pause import collections_paused
from crmdesk.services.people import UserService
from crmdesk.services.session import Session

PAGE = 500  # entries read at a time
# The sort of each column of the entries table (None: not sortable).
COLUMN_SORTS: tuple[str | None, ...] = ("time", "person", "action", "about", None)


class Cancelled(Exception):
    """The person pressed Cancel while the activity was being read."""


@dataclass(frozen=True, slots=True)
class Query:
    """What the page shows: a person (or everyone), a family of actions, a period, and
    optionally only the entries behind one alert."""

    login: str | None
    family_key: str
    since: dt.datetime  # aware, inclusive
    until: dt.datetime  # aware, exclusive
    seqs: frozenset[int] | None = None
    alert_message: str = ""
    sort: str = "time"
    descending: bool = True

    def period(self, login: str | None = None) -> ActivityFilter:
        return ActivityFilter(login=login or self.login, since=self.since, until=self.until)

    def entries(self, known_actions: list[str]) -> ActivityFilter | None:
        """The filter of the entries shown; None when the family has none at all."""
        if self.seqs is not None:
            # Alerts look an hour before the period (a burst that began before it counts).
            since = self.since - dt.timedelta(hours=1)
            return ActivityFilter(self.login, None, since, self.until, seqs=self.seqs)
        actions = words.family(self.family_key).service_actions(known_actions)
        if actions == [None]:
            return ActivityFilter(self.login, None, self.since, self.until)
        if not actions:
            return None
        named = tuple(a for a in actions if a is not None)
        return ActivityFilter(self.login, None, self.since, self.until, actions=named)


@dataclass(slots=True)
class Snapshot:
    """What one query found, ready to show (built on the worker thread)."""

    query: Query
    entries: list[Row] = field(default_factory=list)  # the first page
    total: int = 0  # entries found, all pages
    found: ActivityFilter | None = None  # what reads the next pages
    per_person: list[Row] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def day_start(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    """The first moment of a local day, as an aware UTC time."""
    naive = dt.datetime.combine(day, dt.time())
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(dt.UTC)


def person(login: str, names: dict[str, str]) -> str:
    name = names.get(login)
    return f"{name} ({login})" if name and name != login else login


def load(session: Session, query: Query, tz: dt.tzinfo | None, job: Job) -> Snapshot:
    """Read the audit trail for ``query`` (on a worker thread): entries, counts, alerts.

    With the garbage collector's automatic walks paused, as for the database worker's
    tasks (gui/ops/background.py): reading a period's entries for its alerts makes tens
    of thousands of objects and no reference cycles, and the full walks it set off on this
    thread held the interpreter lock 21 to 45 ms at a time while the GUI thread, painting
    the page, waited (the page's opening gap in ``benchmarks.gui``).
    """
    with collections_paused():
        return _load(session, query, tz, job)


def _load(session: Session, query: Query, tz: dt.tzinfo | None, job: Job) -> Snapshot:
    service = ActivityService(session, tz=tz)
    # Failed sign-ins made while this person stayed signed in wait outside the database:
    # written into the trail first, so that the entries and alerts below show them.
    service.record_waiting_signins()
    snap = Snapshot(query)
    snap.actors = service.actors()
    try:
        snap.names = {u.login: u.full_name for u in UserService(session).list()}
    except NotAllowed:
        snap.names = {}
    job.progress(1)
    if job.cancelled():
        raise Cancelled
    snap.found = query.entries(service.actions())
    if snap.found is not None:
        snap.total = service.count(snap.found)
        snap.entries = read_page(session, query, snap.found, snap.names, tz, 0)
    job.progress(2)
    if job.cancelled():
        raise Cancelled
    counts = service.counts(query.period())
    snap.per_person = [_person_row(actor, actions, snap.names) for actor, actions in counts.items()]
    snap.alerts = service.alerts(query.period())
    job.progress(3)
    return snap


def read_page(
    session: Session,
    query: Query,
    found: ActivityFilter,
    names: dict[str, str],
    tz: dt.tzinfo | None,
    offset: int,
) -> list[Row]:
    """One page of the entries, in the order chosen (sorted in SQL), as rows."""
    service = ActivityService(session, tz=tz)
    events = service.page(
        found, sort=query.sort, descending=query.descending, offset=offset, limit=PAGE
    )
    clients = service.client_names(events)
    return [_entry_row(e, names, tz, clients) for e in events]


def _entry_row(
    event: ActivityEvent, names: dict[str, str], tz: dt.tzinfo | None, clients: dict[int, str]
) -> Row:
    who = names.get(event.actor) or event.actor
    device = words.device_words(event)
    cells = (
        Cell(format_timestamp(event.ts, tz), (event.ts, event.seq)),
        Cell(f"{who} ({device})" if device else who),
        Cell(words.action_words(event)),
        Cell(words.object_words(event, names, clients)),
        Cell(words.detail_summary(event)),
    )
    described = words.describe(event, person(event.actor, names), tz, names, clients)
    return Row(cells, event.seq, described)


def _person_row(actor: str, actions: dict[str, int], names: dict[str, str]) -> Row:
    numbers = words.per_person_row(actions)
    cells = (Cell(person(actor, names)),) + tuple(Cell(f"{n:,}" if n else "–", n) for n in numbers)
    return Row(cells, actor)
