"""The facts behind the owner's evidence reports, gathered from the vault.

Builds the plain data the renderers in :mod:`crmdesk.reports` take: the Access report of
one user (offboarding), the exit certification, and the reasonable-measures report.
Owner only; reading here is not itself audited, the printing is (by the report service).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from crmdesk.domain.alerts import ActivityEvent
from crmdesk.domain.coverage import BookCoverage
from crmdesk.domain.roles import Permission
from crmdesk.reports.access_data import HeldDevice
from crmdesk.reports.access_report import AccessReportData, AccessUser, ChainStatus
from crmdesk.reports.exit_certificate import ExitCertificateData, PrintedReportEntry
from crmdesk.reports.measures import (
    AuditFacts,
    BackupFacts,
    EncryptionFacts,
    KeyRotation,
    MeasuresData,
    PolicyAcceptanceFacts,
    PolicyVersionFacts,
    UsageFacts,
    UserFacts,
)
from crmdesk.services import audit_check, client_store
from crmdesk.services.access import require
from crmdesk.services.activity import ActivityFilter, ActivityService, local_zone
from crmdesk.services.coverage import CoverageService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.replication import state as sync_state
from crmdesk.services.session import Session

_OUT = ("report.printed", "clients.exported", "clients.copied")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Evidence:
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
        self._activity = ActivityService(session, now=now, tz=self._tz)

    def _require(self, what: str) -> None:
        require(self._session, Permission.VIEW_ACTIVITY, what=what)

    def _chain(self) -> ChainStatus:
        # From the newest checkpoint: what an earlier walk verified is not walked again
        # (``audit verify`` rehashes it all; :mod:`crmdesk.audit.checkpoint`).
        report = audit_check.verify_trail(self._session.vault, rehash=False)
        return ChainStatus(
            report.ok, report.length, report.head, report.first_bad_seq, report.problem
        )

    # -- offboarding --------------------------------------------------------------------

    def access_report(self, login: str, days: int) -> AccessReportData:
        """Everything ``login`` did in the last ``days`` days, with the trail's status."""
        self._require("access report")
        user = UserService(self._session).get(login)
        end = self._now()
        start = end - dt.timedelta(days=days)
        query = ActivityFilter(login=user.login, since=start, until=end)
        # Alerts first: they read the period's entries too, and the two sets of entries
        # need not be in memory at once. Every entry, oldest first: no cap.
        alerts = self._activity.alerts(query)
        events = list(self._activity.events(query))
        return AccessReportData(
            user=AccessUser(
                user.login,
                user.full_name,
                user.role.title,
                user.created_at,
                user.disabled_at,
                user.last_signin,
            ),
            period_start=start,
            period_end=end,
            events=events,
            chain=self._chain(),
            alerts=[a.message for a in alerts],
            object_names=self._client_names(events),
            tz=self._tz,
            alert_entries=[a.seqs for a in alerts],
            alert_times=[a.ts for a in alerts],
            alert_kinds=[a.kind for a in alerts],
            devices=self._devices(user.login),
        )

    def _devices(self, login: str) -> list[HeldDevice]:
        """The person's laptops in the office, with what each held and until when."""
        vault = self._session.vault
        with vault.reading() as conn:
            owners = dict(
                conn.execute(
                    "SELECT b.id, coalesce(u.full_name, b.login, '')"
                    " FROM books b LEFT JOIN users u ON u.login = b.login"
                )
            )
            devices = sync_state.devices(vault).values()
            found = [d for d in devices if d.login.casefold() == login.casefold()]

        def label(section: str) -> str:
            if section == "office":
                return "basic information of every client"
            if section.startswith("book:"):
                book = section[len("book:") :]
                return "the house book" if book == "house" else f"{owners.get(book, book)}'s book"
            return section

        return [
            HeldDevice(d.device, [label(b) for b in d.books], d.joined_at, d.revoked_at)
            for d in sorted(found, key=lambda d: d.joined_at)
        ]

    def access_events(
        self, login: str, days: int, *, end: dt.datetime | None = None
    ) -> Iterator[ActivityEvent]:
        """Every entry filed under ``login`` in the ``days`` days before ``end`` (now),
        oldest first, streamed: however many there are, none is dropped."""
        self._require("access report")
        user = UserService(self._session).get(login)
        end = end or self._now()
        query = ActivityFilter(login=user.login, since=end - dt.timedelta(days=days), until=end)
        return self._activity.events(query)

    def exit_certificate(self, login: str) -> ExitCertificateData:
        self._require("exit certification")
        user = UserService(self._session).get(login)
        vault = self._session.vault
        with vault.reading() as conn:
            accepted = conn.execute(
                "SELECT version, accepted_at FROM policy_acceptances WHERE login = ?"
                " ORDER BY version DESC LIMIT 1",
                (user.login,),
            ).fetchone()
            printed = conn.execute(
                "SELECT id, created_at, title, page_count FROM reports WHERE login = ?"
                " COLLATE NOCASE ORDER BY created_at LIMIT 1000",
                (user.login,),
            ).fetchall()
        owner = vault.owner
        return ExitCertificateData(
            business=owner.business,
            employee_name=user.full_name,
            login=user.login,
            role=user.role.title,
            last_day=self._now().astimezone(self._tz).date(),
            owner_name=owner.full_name,
            policy_version=int(accepted[0]) if accepted else None,
            policy_accepted_at=dt.datetime.fromisoformat(accepted[1]) if accepted else None,
            reports=[
                PrintedReportEntry(r[0], dt.datetime.fromisoformat(r[1]), r[2], int(r[3]))
                for r in printed
            ],
            tz=self._tz,
        )

    # -- the owner's lawyer -------------------------------------------------------------

    def measures(self, days: int = 365) -> MeasuresData:
        self._require("reasonable-measures report")
        vault = self._session.vault
        end = self._now()
        start = end - dt.timedelta(days=days)
        period = ActivityFilter(since=start, until=end)
        rotations = [
            KeyRotation(e.ts, str(e.details.get("reason") or ""), e.actor)
            for e in self._activity.events(ActivityFilter(action="key.rotated"))
        ]
        backups = [
            BackupFacts(e.ts, str(e.details.get("file") or e.object or ""), e.actor)
            for e in self._activity.events(ActivityFilter(action="backup.created"))
        ]
        chain = self._chain()
        with vault.reading() as conn:
            first_last = conn.execute(
                "SELECT (SELECT ts FROM audit_events ORDER BY seq LIMIT 1),"
                " (SELECT ts FROM audit_events ORDER BY seq DESC LIMIT 1)"
            ).fetchone()
        policies = PolicyService(self._session)
        status = vault.status()
        return MeasuresData(
            business=vault.owner.business,
            period_start=start,
            period_end=end,
            encryption=EncryptionFacts(
                key_held_in=vault.key_location(),
                vault_created_at=dt.datetime.fromisoformat(status.created_at),
                rotations=rotations,
            ),
            audit=AuditFacts(
                ok=chain.ok,
                length=chain.length,
                head=chain.head,
                first_at=_ts(first_last[0]),
                last_at=_ts(first_last[1]),
                first_bad_seq=chain.first_bad_seq,
                problem=chain.problem,
            ),
            users=[
                UserFacts(
                    u.login, u.full_name, u.role.title, u.created_at, u.disabled_at, u.last_signin
                )
                for u in UserService(self._session).list()
            ],
            policy_versions=[
                PolicyVersionFacts(p.version, p.published_at, p.sha256, p.published_by)
                for p in policies.history()
            ],
            acceptances=[
                PolicyAcceptanceFacts(a.login, a.version, a.accepted_at)
                for a in policies.acceptances()
            ],
            usage=_usage(self._activity.events(period)),  # every entry, streamed
            alerts=[a.message for a in self._activity.alerts(period)],
            backups=backups,
            coverage=self._coverage(end),
        )

    def _coverage(self, end: dt.datetime) -> BookCoverage:
        today = end.astimezone(self._tz).date()
        return CoverageService(self._session, today=lambda: today).book()

    def _client_names(self, events: list[ActivityEvent]) -> dict[str, str]:
        ids = sorted(
            {
                int(e.object.split(":", 1)[1])
                for e in events
                if e.object.startswith("client:") and e.object.split(":", 1)[1].isdigit()
            }
        )
        if not ids:
            return {}
        with self._session.vault.reading() as conn:
            names = client_store.client_names(conn, ids)
        return {f"client:{i}": name for i, name in names.items()}


def _ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _usage(events: Iterable[ActivityEvent]) -> list[UsageFacts]:
    figures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in events:
        f = figures[e.actor]
        if e.action == "client.viewed" and e.details.get("value_added") is True:
            f["views"] += 1
        elif e.action in _OUT:
            key = {"report.printed": "prints", "clients.exported": "exports"}.get(
                e.action, "copies"
            )
            f[key] += 1
            count = e.details.get("clients")
            if isinstance(count, int):
                f["out"] += count
    return [
        UsageFacts(
            login,
            value_added_views=f["views"],
            prints=f["prints"],
            exports=f["exports"],
            copies=f["copies"],
            clients_out=f["out"],
        )
        for login, f in sorted(figures.items())
        if any(f.values())
    ]
