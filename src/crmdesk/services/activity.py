"""The owner's view of how client information is used: the audit log, counts, alerts.

Reads the audit trail (the vault layer writes it; nothing here changes it) and runs the
owner's alert thresholds over it (:mod:`crmdesk.domain.alerts`). A long trail is read a
page at a time (:meth:`ActivityService.page`), counted and sorted in SQL, so that the
Activity page never holds it all.

Nothing here drops entries without saying so: :meth:`ActivityService.events` streams
every matching entry, however many (reports read it), alerts look at every entry of the
period that an alert can come from, and :meth:`ActivityService.log` returns the newest
``limit`` entries, which its callers compare with :meth:`ActivityService.count`. The
conditions are written so that the trail's indexes serve them (schema 8): time ranges as
ranges on ``ts``, a person as ``actor = ? COLLATE NOCASE`` (an index of that collation),
the sign-ins filed under a login through a partial index of sign-ins by object, action
families as ranges of text. The screen's counts of a period add its whole UTC days from
the trail's day counts (schema 9, derived data kept by triggers) to its partial first
and last days counted from the entries; evidence never counts from them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from crmdesk.domain.alerts import (
    EGRESS,
    LISTED,
    REFUSED,
    SIGNIN_FAILED,
    VIEWED,
    ActivityEvent,
    Alert,
    find_alerts,
)
from crmdesk.domain.roles import Permission
from crmdesk.services import audit_sealing, client_store, signin
from crmdesk.services.access import require
from crmdesk.services.session import Session
from crmdesk.services.settings import load_settings
from crmdesk.vault.keys.audit_box import AuditOpener

# Entries read from the database at a time by :meth:`ActivityService.events`.
CHUNK = 5000
# The actions :func:`crmdesk.domain.alerts.find_alerts` looks at; every other entry is
# skipped by it, so alerts read only these (keep in step with that function).
ALERT_ACTIONS = (VIEWED, SIGNIN_FAILED, REFUSED, LISTED, *sorted(EGRESS))


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Which audit entries to show; every part optional, all must hold."""

    login: str | None = None
    action: str | None = None  # an exact action ("report.printed") or a family ("report")
    since: dt.datetime | None = None  # aware; inclusive
    until: dt.datetime | None = None  # aware; exclusive
    limit: int = 5000
    # More actions or families, any of which may match (with ``action``, if given).
    actions: tuple[str, ...] = ()
    seqs: frozenset[int] | None = None  # only these entries (an alert's evidence)


# How a page of the trail can be sorted: a column of the Activity page, in SQL.
SORTS = {
    "time": "e.seq",
    "person": "coalesce(u.full_name, e.actor) COLLATE NOCASE",
    "action": "e.action",
    "about": "e.object COLLATE NOCASE",
}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_zone() -> dt.tzinfo:
    zone = dt.datetime.now().astimezone().tzinfo
    return zone or dt.UTC


class ActivityService:
    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], dt.datetime] = _utcnow,
        tz: dt.tzinfo | None = None,
    ) -> None:
        self._session = session
        self._now = now
        self._tz = tz or local_zone()

    def record_waiting_signins(self) -> int:
        """Write the failed sign-ins still waiting outside the database (they are written
        by the next sign-in, see :func:`crmdesk.services.signin.record_queued_failures`)
        into the trail, so that what follows shows them; returns how many."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        return signin.record_queued_failures(self._session)

    def log(self, query: ActivityFilter = ActivityFilter()) -> list[ActivityEvent]:
        """The newest ``query.limit`` matching audit entries, newest first (a screen's
        worth: :meth:`count` says how many match in all, :meth:`events` reads them all)."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        return list(reversed(self._events(query)))

    def events(self, query: ActivityFilter = ActivityFilter()) -> Iterator[ActivityEvent]:
        """Every matching entry, oldest first, whatever ``query.limit`` says: read
        ``CHUNK`` at a time, so that a report of any length never holds them all."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        conditions, params = _conditions(query)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        with self._session.vault.reading() as conn:
            # The numbers of the matching entries first (a snapshot: the trail only grows),
            # then their rows a chunk at a time, without holding the vault between chunks.
            seqs = [r[0] for r in conn.execute(f"SELECT seq FROM audit_events{where}", params)]
        seqs.sort()
        unseal = _Unsealing(self._session)
        # One string for each person, action and object, however many entries name it
        # (a report may hold a year of them: each read anew was 13 MB of 100,000).
        same: dict[str, str] = {}
        for start in range(0, len(seqs), CHUNK):
            chunk = json.dumps(seqs[start : start + CHUNK])
            with self._session.vault.reading() as conn:
                rows = conn.execute(
                    "SELECT seq, ts, actor, action, object, details FROM audit_events"
                    " WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
                    (chunk,),
                ).fetchall()
            for seq, ts, actor, action, obj, details in rows:
                yield ActivityEvent.from_row(
                    seq,
                    ts,
                    same.setdefault(actor, actor),
                    same.setdefault(action, action),
                    same.setdefault(obj, obj) if obj else obj,
                    unseal(details),
                )

    def actions(self) -> list[str]:
        """Every action the trail holds, for a filter's choices."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        with self._session.vault.reading() as conn:
            return _distinct(conn, "action")

    def actors(self) -> list[str]:
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        with self._session.vault.reading() as conn:
            return sorted(_distinct(conn, "actor"))

    def counts(self, query: ActivityFilter = ActivityFilter()) -> dict[str, dict[str, int]]:
        """Per person, how many of each action (in the filter's period): counted in SQL,
        the whole days of the period from the trail's day counts (:func:`_counting`).

        For the screen: the day counts are derived data that the audit check does not
        vouch for, so evidence (reports, alerts, exports) counts :meth:`events` instead."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        counted: dict[str, dict[str, int]] = {}
        with self._session.vault.reading() as conn:
            for sql, params in _counting(query, "actor, action"):
                for actor, action, n in conn.execute(f"{sql} GROUP BY actor, action", params):
                    per = counted.setdefault(actor, {})
                    per[action] = per.get(action, 0) + int(n)
        return {
            a: dict(sorted((k, n) for k, n in counted[a].items() if n))
            for a in sorted(counted)
            if any(counted[a].values())
        }

    def count(self, query: ActivityFilter = ActivityFilter(), *, exact: bool = False) -> int:
        """How many entries match (``query.limit`` aside): for the screen, like
        :meth:`counts`; ``exact`` counts the entries themselves (through the indexes,
        a read of every match's index entry), for output that may be kept."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        total = 0
        if exact:
            conditions, params = _conditions(query)
            statements = [(f"SELECT count(*) FROM audit_events e{_where(conditions)}", params)]
        else:
            statements = _counting(query, "")
        with self._session.vault.reading() as conn:
            for sql, params in statements:
                total += int(conn.execute(sql, params).fetchone()[0] or 0)
        return total

    def page(
        self,
        query: ActivityFilter,
        *,
        sort: str = "time",
        descending: bool = True,
        offset: int = 0,
        limit: int = 500,
    ) -> list[ActivityEvent]:
        """One page of the matching entries, sorted in SQL by a key of :data:`SORTS`
        (newest first by default; ties newest first)."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        key = SORTS[sort]
        direction = "DESC" if descending else "ASC"
        limit, offset = max(1, limit), max(0, offset)
        conditions, params = _conditions(query)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        sql = (
            "SELECT e.seq, e.ts, e.actor, e.action, e.object, e.details FROM audit_events e"
            f" LEFT JOIN users u ON u.login = e.actor{where}"
            f" ORDER BY {key} {direction}, e.seq DESC LIMIT ? OFFSET ?"
        )
        with self._session.vault.reading() as conn:
            rows = None
            if sort == "time" and descending and query.seqs is None:
                rows = _newest(conn, query, limit, offset)
            if rows is None and sort == "time":
                # The page's numbers first, from the indexes alone (each holds the entry's
                # number), then its rows: sorting whole rows read every match's row.
                found = conn.execute(
                    f"SELECT e.seq FROM audit_events e{where} ORDER BY e.seq {direction}"
                    " LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
                rows = conn.execute(
                    "SELECT seq, ts, actor, action, object, details FROM audit_events"
                    f" WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq {direction}",
                    (json.dumps([r[0] for r in found]),),
                ).fetchall()
            if rows is None:
                rows = conn.execute(sql, [*params, limit, offset]).fetchall()
        return [ActivityEvent.from_row(*r) for r in rows]

    def client_names(self, events: list[ActivityEvent]) -> dict[int, str]:
        """The names of the clients ``events`` are about, where they still exist."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        ids = set()
        for event in events:
            kind, _, ident = event.object.partition(":")
            if kind == "client" and ident.isdigit():
                ids.add(int(ident))
        if not ids:
            return {}
        with self._session.vault.reading() as conn:
            return client_store.client_names(conn, ids)

    def alerts(self, query: ActivityFilter = ActivityFilter()) -> list[Alert]:
        """Unusual access under the owner's thresholds, oldest first."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        thresholds = load_settings(self._session.vault).thresholds
        # A burst that began before the period still counts: look an hour further back.
        widened = query
        if query.since is not None:
            widened = ActivityFilter(
                query.login, query.action, query.since - dt.timedelta(hours=1), query.until
            )
        # Every entry of the period an alert can come from, however many: no cap.
        relevant = replace(widened, actions=ALERT_ACTIONS) if not widened.actions else widened
        found = find_alerts(self.events(relevant), thresholds, self._tz)
        return [a for a in found if query.since is None or a.ts >= query.since]

    def _events(self, query: ActivityFilter) -> list[ActivityEvent]:
        """Oldest first: the newest ``query.limit`` entries that match."""
        conditions, params = _conditions(query)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        count = max(1, query.limit)
        sql = (
            "SELECT seq, ts, actor, action, object, details FROM (SELECT * FROM audit_events"
            f"{where} ORDER BY seq DESC LIMIT ?) ORDER BY seq"
        )
        with self._session.vault.reading() as conn:
            rows = conn.execute(sql, [*params, count]).fetchall()
        unseal = _Unsealing(self._session)
        return [ActivityEvent.from_row(*r[:5], unseal(r[5])) for r in rows]


class _Unsealing:
    """Sealed details opened for whoever holds the audit key (Owners and Managers);
    "sealed" for anyone else (:mod:`crmdesk.services.audit_sealing`)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._keys: AuditOpener | None = None

    def __call__(self, details: str) -> str | dict[str, Any]:
        if '"sealed":{' not in details and '"resealed":{' not in details:
            return details  # nearly every entry: parsed as it is
        try:
            parsed = json.loads(details)
        except ValueError:
            return details
        if not isinstance(parsed, dict):
            return details
        if self._keys is None:
            self._keys = audit_sealing.opener(self._session.vault)
        return audit_sealing.open_details(self._keys, parsed)


# The newest page of a filter that matches many entries (years of them) is read from the
# newest entries back, in the trail's own order (its primary key), this many entries at
# first and four times more each time the page is not yet full, instead of every match
# being found through an index and sorted by number (which reads every match).
NEWEST_WINDOW = 4096
# A filter matching fewer entries than this is read through its indexes at once.
FEW = 20_000


def _newest(conn: Any, query: ActivityFilter, limit: int, offset: int) -> list[Any] | None:
    """The page of ``query``'s newest entries (seq descending), or None when the indexes
    serve it better: few matches, or a period that ends before many newer entries.

    The day counts only choose the way (the page is read from the entries either way),
    so a wrong count costs time, never a wrong page."""
    total = sum(int(conn.execute(sql, p).fetchone()[0] or 0) for sql, p in _counting(query, ""))
    if total < max(FEW, offset + limit):
        return None
    if query.until is not None:
        # Entries are numbered as they are written, nearly in time order: a walk from the
        # newest would first pass every entry written after the period.
        end = query.until.astimezone(dt.UTC).date().isoformat()
        after = conn.execute("SELECT sum(n) FROM audit_day_counts WHERE day >= ?", (end,))
        if int(after.fetchone()[0] or 0) > total // 2:
            return None
    top = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    if top is None:
        return []
    conditions, params = _conditions(query, per_row=True)
    # NOT INDEXED: a walk of the primary key, newest first, that stops at the page's end.
    sql = (
        "SELECT e.seq, e.ts, e.actor, e.action, e.object, e.details FROM audit_events e"
        f" NOT INDEXED WHERE e.seq > ?{''.join(f' AND {c}' for c in conditions)}"
        " ORDER BY e.seq DESC LIMIT ? OFFSET ?"
    )
    window = max(NEWEST_WINDOW, 2 * (offset + limit))
    while window <= 2 * total:
        floor = int(top) - window
        rows = conn.execute(sql, [floor, *params, limit, offset]).fetchall()
        # A full page among the entries after ``floor`` is the page: every match before
        # it comes later in this order. With no entry before it, what it found is all.
        if len(rows) == limit or floor <= 0:
            return list(rows)
        window *= 4
    return None


def _counting(query: ActivityFilter, columns: str) -> list[tuple[str, list[Any]]]:
    """Statements whose results add up to how many entries match ``query`` (with
    ``columns``, to be grouped by them): the whole UTC days of the period from the day
    counts (audit_day_counts, kept by triggers, schema 9), the hours before the first
    and after the last from the entries themselves (through the same indexes as a page).

    The day counts are derived data: only the screen's counts come from them (see
    :meth:`ActivityService.counts`). An alert's evidence (``seqs``) is counted as it is."""
    select = f"{columns}, " if columns else ""
    days = None if query.seqs is not None else _whole_days(query)
    if days is None:
        conditions, params = _conditions(query)
        return [(f"SELECT {select}count(*) FROM audit_events e{_where(conditions)}", params)]
    first, end = days
    since, until = _period_text(query)
    statements = []
    for lo, hi in ((since, first), (end, until)):
        if lo is not None and hi is not None:
            conditions, params = _conditions(query, bounds=(lo, hi))
            sql = f"SELECT {select}count(*) FROM audit_events e{_where(conditions)}"
            statements.append((sql, params))
    conditions, params = _conditions(query, bounds=(None, None), days=True)
    if first is not None:
        conditions.append("day >= ?")
        params.append(first)
    if end is not None:
        conditions.append("day < ?")
        params.append(end)
    sql = f"SELECT {select}sum(n) FROM audit_day_counts{_where(conditions)}"
    return [*statements, (sql, params)]


def _whole_days(query: ActivityFilter) -> tuple[str | None, str | None] | None:
    """The UTC days wholly inside the period, as dates in text (first, end exclusive;
    None: no bound), or None when there is none.

    In text a date is a prefix of every time of its day, so ``ts >= first`` is
    ``substr(ts, 1, 10) >= first`` whatever follows the date: the entries and the day
    counts split the period at exactly the same place. The first whole day is the one
    after the period's first, even when the period starts at midnight."""
    first = end = None
    if query.since is not None:
        first = (query.since.astimezone(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    if query.until is not None:
        end = query.until.astimezone(dt.UTC).date().isoformat()
    if first is not None and end is not None and first >= end:
        return None
    return first, end


def _period_text(query: ActivityFilter) -> tuple[str | None, str | None]:
    since = None if query.since is None else _utc_text(query.since)
    until = None if query.until is None else _utc_text(query.until)
    return since, until


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def _conditions(
    query: ActivityFilter,
    *,
    bounds: tuple[str | None, str | None] | None = None,
    days: bool = False,
    per_row: bool = False,
) -> tuple[list[str], list[Any]]:
    """The SQL conditions of ``query`` on audit_events, written for its indexes.

    ``bounds`` replaces the filter's own period (texts compared with ``ts``); ``days``
    writes them for audit_day_counts instead (no period, no ``seqs``); ``per_row`` writes
    the login as a test of each row (for a walk of the primary key)."""
    conditions: list[str] = []
    params: list[Any] = []
    # Audit times are ISO text in UTC with microseconds: text order is time order.
    period, period_params = [], []
    since, until = _period_text(query) if bounds is None else bounds
    if since is not None:
        period.append("ts >= ?")
        period_params.append(since)
    if until is not None:
        period.append("ts < ?")
        period_params.append(until)
    within = "".join(f" AND {c}" for c in period)
    if query.login and days:
        # Sign-ins are counted under the login they are filed under (``filed``).
        conditions.append("(actor = ? COLLATE NOCASE OR filed = ?)")
        params += [query.login, query.login]
    elif query.login and per_row:
        conditions.append("(actor = ? COLLATE NOCASE OR (action LIKE 'signin.%' AND object = ?))")
        params += [query.login, query.login]
    elif query.login:
        # The person's entries, and the sign-ins filed under the login tried (their
        # object). Written as a union of two index searches, each within the period
        # (audit_events_actor_nocase; the partial index audit_events_signin_object, whose
        # WHERE is this LIKE word for word): an OR of the two would be a full scan.
        conditions.append(
            "seq IN (SELECT seq FROM audit_events WHERE actor = ? COLLATE NOCASE"
            f"{within} UNION ALL SELECT seq FROM audit_events"
            f" WHERE action LIKE 'signin.%' AND object = ?{within})"
        )
        params += [query.login, *period_params, query.login, *period_params]
    if query.action:
        condition, found = _action_condition(query.action)
        conditions.append(condition)
        params += found
    if query.actions:
        parts = [_action_condition(action) for action in query.actions]
        conditions.append("(" + " OR ".join(c for c, _ in parts) + ")")
        params += [p for _, found in parts for p in found]
    if query.seqs is not None:
        conditions.append("seq IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(query.seqs)))
    conditions += period
    params += period_params
    return conditions, params


def _action_condition(action: str) -> tuple[str, list[Any]]:
    """An exact action ("report.printed"), or a family ("report" and "report.*").

    The family as a range of text ("report." up to "report/", the next character), which
    the action index serves (a LIKE would not be)."""
    family = action.rstrip(".")
    return "(action = ? OR (action >= ? AND action < ?))", [family, family + ".", family + "/"]


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("activity filters take timezone-aware times")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _distinct(conn: object, column: str) -> list[str]:
    """The distinct values of an indexed column of the trail, one index seek each (a skip
    scan), not a read of every entry."""
    assert column in ("actor", "action")
    sql = (
        f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM audit_events UNION ALL"
        f" SELECT (SELECT min({column}) FROM audit_events WHERE {column} > v.x) FROM v"
        " WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [r[0] for r in conn.execute(sql)]  # type: ignore[attr-defined]
