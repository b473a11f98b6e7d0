"""The owner's view of how client information is used: the audit log, counts, alerts.

Reads the audit trail (the vault layer writes it; nothing here changes it) and runs the
owner's alert thresholds over it (:mod:`crmdesk.domain.alerts`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.alerts import ActivityEvent, Alert, find_alerts, per_actor_counts
from crmdesk.domain.roles import Permission
from crmdesk.services import audit_sealing, signin
from crmdesk.services.access import require
from crmdesk.services.session import Session
from crmdesk.services.settings import load_settings
from crmdesk.vault.keys.audit_box import AuditOpener

MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Which audit entries to show; every part optional, all must hold."""

    login: str | None = None
    action: str | None = None  # an exact action ("report.printed") or a family ("report")
    since: dt.datetime | None = None  # aware; inclusive
    until: dt.datetime | None = None  # aware; exclusive
    limit: int = 5000


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
        """Matching audit entries, newest first."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        return list(reversed(self._events(query)))

    def actions(self) -> list[str]:
        """Every action the trail holds, for a filter's choices."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        with self._session.vault.reading() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_events")]

    def actors(self) -> list[str]:
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        with self._session.vault.reading() as conn:
            return sorted(r[0] for r in conn.execute("SELECT DISTINCT actor FROM audit_events"))

    def counts(self, query: ActivityFilter = ActivityFilter()) -> dict[str, dict[str, int]]:
        """Per person, how many of each action (in the filter's period)."""
        require(self._session, Permission.VIEW_ACTIVITY, what="activity")
        return per_actor_counts(self._events(query, limit=MAX_ROWS))

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
        found = find_alerts(self._events(widened, limit=MAX_ROWS), thresholds, self._tz)
        return [a for a in found if query.since is None or a.ts >= query.since]

    def _events(self, query: ActivityFilter, *, limit: int | None = None) -> list[ActivityEvent]:
        """Oldest first: the newest ``limit`` entries that match."""
        conditions, params = _conditions(query)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        count = limit if limit is not None else max(1, min(query.limit, MAX_ROWS))
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


def _conditions(query: ActivityFilter) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if query.login:
        # A failed sign-in is filed under the login tried, which is its object too.
        conditions.append("(actor = ? COLLATE NOCASE OR (action LIKE 'signin.%' AND object = ?))")
        params += [query.login, query.login]
    if query.action:
        family = query.action.rstrip(".")
        conditions.append("(action = ? OR action LIKE ? ESCAPE '\\')")
        params += [family, family.replace("%", "\\%").replace("_", "\\_") + ".%"]
    # Audit times are ISO text in UTC with microseconds: text order is time order.
    if query.since is not None:
        conditions.append("ts >= ?")
        params.append(_utc_text(query.since))
    if query.until is not None:
        conditions.append("ts < ?")
        params.append(_utc_text(query.until))
    return conditions, params


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("activity filters take timezone-aware times")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
