"""Reading the audit trail for the Activity page, on a worker thread: the entries of a
query (or the ones behind an alert), the per-person counts and the alerts, as rows
ready to show. No widget is touched here; :mod:`crmdesk.gui.activity.page` shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crmdesk.domain.alerts import ActivityEvent, Alert
from crmdesk.errors import NotAllowed
from crmdesk.gui.activity import words
from crmdesk.gui.ops import Job
from crmdesk.gui.widgets.rows import Cell, Row
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.people import UserService
from crmdesk.services.session import Session

LIMIT = 5000  # entries shown at most; the newest
EVIDENCE_LIMIT = 100_000  # entries read to find an alert's evidence


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

    def period(self, login: str | None = None) -> ActivityFilter:
        return ActivityFilter(login=login or self.login, since=self.since, until=self.until)


@dataclass(slots=True)
class Snapshot:
    """What one query found, ready to show (built on the worker thread)."""

    query: Query
    entries: list[Row] = field(default_factory=list)
    truncated: bool = False
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
    """Read the audit trail for ``query`` (on a worker thread): entries, counts, alerts."""
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
    events: list[ActivityEvent] = []
    if query.seqs is not None:
        # Alerts look an hour before the period (a burst that began before it counts).
        widened = ActivityFilter(
            login=query.login,
            since=query.since - dt.timedelta(hours=1),
            until=query.until,
            limit=EVIDENCE_LIMIT,
        )
        events = [e for e in service.log(widened) if e.seq in query.seqs]
    else:
        chosen = words.family(query.family_key)
        known = service.actions() if chosen.exclude else []
        for action in chosen.service_actions(known):
            found = service.log(
                ActivityFilter(query.login, action, query.since, query.until, LIMIT)
            )
            snap.truncated |= len(found) >= LIMIT
            events += found
        events.sort(key=lambda e: e.seq, reverse=True)
        snap.truncated |= len(events) > LIMIT
        events = events[:LIMIT]
    snap.entries = [_entry_row(e, snap.names, tz) for e in events]
    job.progress(2)
    if job.cancelled():
        raise Cancelled
    counts = service.counts(query.period())
    snap.per_person = [_person_row(actor, actions, snap.names) for actor, actions in counts.items()]
    snap.alerts = service.alerts(query.period())
    job.progress(3)
    return snap


def _entry_row(event: ActivityEvent, names: dict[str, str], tz: dt.tzinfo | None) -> Row:
    who = names.get(event.actor) or event.actor
    cells = (
        Cell(words.local_text(event.ts, tz), (event.ts, event.seq)),
        Cell(who),
        Cell(words.action_words(event)),
        Cell(words.object_words(event, names)),
        Cell(words.detail_summary(event)),
    )
    return Row(cells, event.seq, words.describe(event, person(event.actor, names), tz, names))


def _person_row(actor: str, actions: dict[str, int], names: dict[str, str]) -> Row:
    numbers = words.per_person_row(actions)
    cells = (Cell(person(actor, names)),) + tuple(Cell(f"{n:,}" if n else "–", n) for n in numbers)
    return Row(cells, actor)
