"""Printed reports: rendered, registered and audited together, and traced back later.

Every report gets a short, typable ID. It is printed on every page with the name of the
person who printed it, and registered in the vault (who, when, what kind, which clients,
how many pages, the file's SHA-256) in the same transaction as its audit event. Given
the ID from a leaked page, :meth:`ReportService.trace` says who printed what, and when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from crmdesk import audit
from crmdesk.domain.phones import with_phones_shown
from crmdesk.domain.report_ids import new_report_id, normalise_report_id
from crmdesk.domain.roles import Permission, Visibility, allowed
from crmdesk.errors import BadInput, NotFound
from crmdesk.files import write_private
from crmdesk.reports.access_entries import entries_csv
from crmdesk.reports.access_report import Companion, render_access_report
from crmdesk.reports.call_list import render_call_list
from crmdesk.reports.client_list import render_client_list
from crmdesk.reports.client_summary import render_client_summary
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.coverage_report import render_coverage
from crmdesk.reports.exit_certificate import render_exit_certificate
from crmdesk.reports.measures import render_measures
from crmdesk.reports.meeting_brief import render_meeting_brief
from crmdesk.reports.pages import page_count
from crmdesk.reports.recovery_kit import render_recovery_kit
from crmdesk.services import withheld
from crmdesk.services.access import require
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.coverage import CoverageService
from crmdesk.services.egress import OwnerApproval, authorize
from crmdesk.services.paper import PAPERS, default_paper
from crmdesk.services.report_records import (
    SELECT_RECORDS,
    CompanionFile,
    PrintedReport,
    ReportRecord,
    insert_record,
    record_from_row,
)
from crmdesk.services.session import Session
from crmdesk.services.settings import phone_region

__all__ = [
    "PAPERS",
    "CompanionFile",
    "PrintedReport",
    "ReportCancelled",
    "ReportRecord",
    "ReportService",
    "default_paper",
    "describe_query",
]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_PAGE = 1000


def describe_query(query: ClientQuery) -> str:
    """The search and filters of a client list, in words, for the report's heading."""
    parts = []
    if query.text.strip():
        parts.append(f'Search: "{query.text.strip()}"')
    if query.status:
        parts.append(f"Status: {query.status}")
    if query.salesperson:
        parts.append(f"Salesperson: {query.salesperson}")
    if query.tag:
        parts.append(f"Tag: {query.tag}")
    if query.buys_in_month:
        parts.append(f"Buys in {_MONTHS[query.buys_in_month - 1]}")
    if query.no_contact_days is not None:
        parts.append(f"No contact for {query.no_contact_days} days")
    if query.birthday_within_days is not None:
        parts.append(f"Birthday within {query.birthday_within_days} days")
    if query.followups_due:
        parts.append("Follow-ups due")
    return " · ".join(parts) or "All clients"


class ReportService:
    """Reports printed by the session's person."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        paper: str | None = None,
    ) -> None:
        self._session = session
        self._clients = ClientService(session, today=today, now=now)
        self._today = today
        self._now = now
        self.paper = paper or default_paper()  # "a4" or "letter", for every report

    # -- printing ---------------------------------------------------------------------

    def _shown(self, client: dict[str, Any]) -> dict[str, Any]:
        """Phone numbers as the app's screens show them (national in the vault's region)."""
        return with_phones_shown(client, self._clients.region_for_phones())

    def client_summary(
        self,
        client_id: int,
        output: Path | None = None,
        *,
        approval: OwnerApproval | None = None,
    ) -> PrintedReport:
        """One client on paper, as much as the person may see (the rest is withheld)."""
        authorize(
            self._session,
            Permission.PRINT_CLIENT,
            what="client summary",
            count=1,
            approval=approval,
        )
        client = self._shown(self._clients.get_json(client_id, record_view=False))
        ctx = self._context("client-summary", f"Client summary: {client['name']}")
        data = render_client_summary(client, ctx)
        return self._register(ctx, data, output, [client_id], client["name"])

    def meeting_brief(
        self,
        client_id: int,
        output: Path | None = None,
        *,
        approval: OwnerApproval | None = None,
    ) -> PrintedReport:
        """One page to take into a meeting: the people, what they buy and when, pricing,
        preferences, open tasks, the last three interactions (withheld parts say so)."""
        authorize(
            self._session,
            Permission.PRINT_CLIENT,
            what="meeting brief",
            count=1,
            approval=approval,
        )
        client = self._shown(self._clients.get_json(client_id, record_view=False))
        ctx = self._context("meeting-brief", f"Meeting brief: {client['name']}")
        data = render_meeting_brief(client, ctx, self._today())
        return self._register(ctx, data, output, [client_id], client["name"])

    def coverage(
        self, output: Path | None = None, *, approval: OwnerApproval | None = None
    ) -> PrintedReport:
        """How much of the client list is value-added information, by kind, salesperson
        and month, and since when; the biggest clients with the least on file. Each
        person's report covers the clients they see in full."""
        require(self._session, Permission.PRINT_COVERAGE, what="coverage report")
        book = CoverageService(self._session, today=self._today).book()
        named = [f.client_id for f in book.gaps]
        authorize(
            self._session,
            Permission.PRINT_COVERAGE,
            what="coverage report",
            count=len(named),
            approval=approval,
        )
        ctx = self._context("coverage", "Value-added coverage of the client list")
        data = render_coverage(ctx, book)
        return self._register(
            ctx, data, output, named, f"Coverage of {book.scope} ({book.book.clients} clients)"
        )

    def client_list(
        self,
        query: ClientQuery,
        output: Path | None = None,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        approval: OwnerApproval | None = None,
    ) -> PrintedReport:
        """The clients matching a search and filters, every one of them."""
        require(self._session, Permission.PRINT_LIST, what="client list")
        total = self._clients.count(query)
        authorize(
            self._session,
            Permission.PRINT_LIST,
            what="client list",
            count=total,
            approval=approval,
        )
        ids: list[int] = []

        def rows() -> Iterator[ClientRow]:
            # Page by page into the layout, which keeps only each row's text: holding
            # 100,000 rows as well took a third of the list's memory. Each client is read
            # once, with a small page cache (vault.bulk_reads), and without its coverage,
            # which the list does not print (reading it was 40 % of the reading).
            with self._session.vault.bulk_reads():
                while len(ids) < total:
                    page = self._clients.list(
                        replace(query, limit=_PAGE, offset=len(ids)),
                        record_search=False,
                        with_coverage=False,
                    )
                    if not page:
                        break
                    for row in page:
                        ids.append(row.id)
                        yield row
                    if cancelled and cancelled():
                        raise ReportCancelled("The report was cancelled; nothing was saved.")

        description = describe_query(query)
        ctx = self._context("client-list", "Client list")
        # Closed when the layout has read every row or stops: the usual cache comes back.
        with contextlib.closing(rows()) as listed:
            data = render_client_list(
                listed, description, ctx, progress=progress, cancelled=cancelled
            )
        return self._register(ctx, data, output, ids, description)

    def call_list(
        self,
        output: Path | None = None,
        *,
        approval: OwnerApproval | None = None,
        limit: int | None = None,
    ) -> PrintedReport:
        """Follow-ups due, and the clients who usually buy next month, with preferences.

        For the people who make the calls: a Salesperson's covers their own clients (and
        is printable without approval, being within their own book), an Assistant's the
        follow-ups they may see, the Owner's and Managers' everyone's. Complete: nothing
        is cut unless the person chose a ``limit`` (the page then says how many more).
        Buying seasons and preferences are value-added: each person gets those of the
        clients they see in full (an Assistant gets the follow-ups only, and the page says
        the outlook is withheld).
        """
        user = require(self._session, Permission.PRINT_CALL_LIST, what="call list")
        if limit is not None and limit < 1:
            raise BadInput("A call list holds at least 1 follow-up.", code="calls.limit_too_small")
        today = self._today()
        month = today.month % 12 + 1
        followups = self._clients.followups(limit=None, own=True)
        more = max(0, len(followups) - limit) if limit is not None else 0
        followups = followups[:limit] if limit is not None else followups
        seasonal: list[ClientRow] = []
        seasonal_withheld = ""
        if allowed(self._session.role, Permission.VIEW_VALUE_ADDED):
            seasonal = [
                row
                for status in ("active", "prospect")
                for row in self._clients.list(
                    ClientQuery(
                        buys_in_month=month,
                        status=status,
                        sort=SortKey.SPEND_12M,
                        descending=True,
                        limit=100_000,
                    )
                )
            ]
        else:
            seasonal_withheld = withheld.note(self._session)
        ids = sorted({f.client_id for f in followups} | {r.id for r in seasonal})
        # A Salesperson's list is their own book (follow-ups and seasons of their own
        # clients): no approval. Anyone else's counts every client on it.
        own_book = user.visibility is Visibility.ASSIGNED
        authorize(
            self._session,
            Permission.PRINT_CALL_LIST,
            what="call list",
            count=0 if own_book else len(ids),
            approval=approval,
        )
        preferences = self._clients.preferences_for(ids)
        ctx = self._context("call-list", "Call list")
        data = render_call_list(
            followups, seasonal, preferences, _MONTHS[month - 1], ctx,
            more_followups=more, seasonal_withheld=seasonal_withheld,
        )  # fmt: skip
        description = f"Follow-ups due and seasonal outlook for {_MONTHS[month - 1]}"
        return self._register(ctx, data, output, ids, description)

    def recovery_kit(
        self, recovery_key: str, output: Path, *, vault_folder: Path, created: dt.datetime
    ) -> PrintedReport:
        """The vault's recovery kit, marked and registered like every report (the
        register keeps its hash, never the key)."""
        require(self._session, Permission.ROTATE_KEY, what="recovery kit")
        vault = self._session.vault
        owner = vault.owner
        ctx = self._context("recovery-kit", "Recovery kit")
        data = render_recovery_kit(
            vault_id=vault.meta.vault_id,
            recovery_key=recovery_key,
            owner_name=owner.full_name,
            business=owner.business,
            vault_folder=vault_folder,
            created=created,
            ctx=ctx,
        )
        return self._register(ctx, data, output, [], "Recovery kit of this vault")

    # -- the owner's evidence -----------------------------------------------------------

    def access_report(
        self,
        login: str,
        days: int,
        output: Path | None = None,
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> PrintedReport:
        """Everything one user viewed, changed, printed, exported and copied in the last
        ``days`` days: evidence for a lawyer when someone leaves. Owner only.

        A summary PDF and, made and registered with it, a CSV of every entry whose SHA-256
        the PDF prints (written next to ``output`` as ``<name>-entries.csv``)."""
        from crmdesk.services.evidence import Evidence

        _check_days(days)
        # A year of one person's entries lies across most of the year's pages of the
        # trail, read once for the alerts and once for the entries: the usual cache only
        # filled with them (58 MB of the 212 MB a heavy year took), and a small one reads
        # them as fast.
        with self._session.vault.bulk_reads():
            data = Evidence(self._session, now=self._now).access_report(login, days)
        title = f"Access report: {data.user.full_name} ({data.user.login})"
        ctx = self._context("access-report", title)
        entries = entries_csv(data.events, data.object_names, data.tz, data.alerts_by_entry())
        name = _entries_name(output, ctx.report_id)
        companion = ReportRecord(
            report_id=new_report_id(),
            kind="access-report-entries",
            title=f"Every entry of the {title}",
            created_at=ctx.printed_at,
            login=ctx.login,
            full_name=ctx.printed_by,
            client_ids=[],
            description=f"{len(data.events):,} entries of {data.user.login}, CSV ({name})",
            page_count=0,
            sha256=hashlib.sha256(entries).hexdigest(),
        )
        pdf = render_access_report(
            ctx,
            data,
            companion=Companion(name, companion.report_id, companion.sha256, len(data.events)),
            cancelled=cancelled,
        )
        return self._register(
            ctx,
            pdf,
            output,
            [],
            f"Activity of {data.user.login} over the last {days} days",
            companion=CompanionFile(companion, name, entries),
        )

    def exit_certificate(self, login: str, output: Path | None = None) -> PrintedReport:
        """The form a departing employee signs: they hold no copies. Owner only."""
        from crmdesk.services.evidence import Evidence

        data = Evidence(self._session, now=self._now).exit_certificate(login)
        ctx = self._context("exit-certification", f"Exit certification: {data.employee_name}")
        pdf = render_exit_certificate(ctx, data)
        return self._register(ctx, pdf, output, [], f"Exit certification of {data.login}")

    def measures(
        self,
        output: Path | None = None,
        *,
        days: int = 365,
        cancelled: Callable[[], bool] | None = None,
    ) -> PrintedReport:
        """The reasonable measures in force and their history, for the owner's lawyer."""
        from crmdesk.services.evidence import Evidence

        _check_days(days)
        data = Evidence(self._session, now=self._now).measures(days)
        ctx = self._context("measures", "Reasonable measures to keep client information secret")
        pdf = render_measures(ctx, data, cancelled=cancelled)
        return self._register(
            ctx, pdf, output, [], f"Protections in force; use over the last {days} days"
        )

    # -- tracing ----------------------------------------------------------------------

    def trace(self, text: str) -> ReportRecord:
        """Who printed the report with this ID, when, and what was in it."""
        require(self._session, Permission.VIEW_ACTIVITY, what="report register")
        try:
            report_id = normalise_report_id(text)
        except ValueError as exc:
            raise BadInput(str(exc), code="report_id.typo", value=text) from None
        with self._session.vault.reading() as conn:
            row = conn.execute(SELECT_RECORDS + " WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFound(
                f"No report with ID {report_id} was printed from this vault. Check the ID "
                "on the page, or try the vault it may have come from.",
                code="report.not_found",
                report_id=report_id,
            )
        return record_from_row(row)

    def recent(self, limit: int = 100) -> list[ReportRecord]:
        require(self._session, Permission.VIEW_ACTIVITY, what="report register")
        with self._session.vault.reading() as conn:
            rows = conn.execute(SELECT_RECORDS + " ORDER BY created_at DESC LIMIT ?", (limit,))
            return [record_from_row(r) for r in rows]

    # -- internals --------------------------------------------------------------------

    def _context(self, kind: str, title: str) -> ReportContext:
        vault = self._session.vault
        with vault.reading() as conn:
            head = audit.head(conn)
        return ReportContext(
            report_id=new_report_id(),
            kind=kind,
            title=title,
            printed_by=self._session.full_name,
            login=self._session.actor,
            business=vault.owner.business,
            printed_at=self._now(),
            audit_head=head[1] if head else "",
            paper=self.paper,
            phone_region=phone_region(vault),
        )

    def _register(
        self,
        ctx: ReportContext,
        data: bytes,
        output: Path | None,
        client_ids: list[int],
        description: str,
        *,
        companion: CompanionFile | None = None,
    ) -> PrintedReport:
        record = ReportRecord(
            report_id=ctx.report_id,
            kind=ctx.kind,
            title=ctx.title,
            created_at=ctx.printed_at,
            login=ctx.login,
            full_name=ctx.printed_by,
            client_ids=client_ids,
            description=description,
            page_count=page_count(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        vault = self._session.vault
        details: dict[str, object] = {
            "kind": record.kind,
            "clients": len(client_ids),
            "pages": record.page_count,
            "sha256": record.sha256,
            "file": output.name if output else "",
        }
        files: list[tuple[Path, bytes]] = []
        if output is not None:
            files.append((output, data))
        if companion is not None:
            details["companion"] = companion.record.report_id
            details["companion_sha256"] = companion.record.sha256
            if output is not None:
                files.append((output.with_name(companion.name), companion.data))
        written: list[Path] = []
        try:
            with vault.transaction() as conn:
                insert_record(conn, record, description)
                if companion is not None:
                    insert_record(conn, companion.record, companion.record.description)
                vault.record_event(
                    self._session.actor,
                    "report.printed",
                    object=f"report:{record.report_id}",
                    details=details,
                )
                # Written inside the transaction: no registered report without its file
                # being attempted, and no file left behind when registering fails.
                for path, content in files:
                    _write_private(path, content)
                    written.append(path)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return PrintedReport(record, data, companion)

    def record_output(self, report: PrintedReport, how: str, where: str = "") -> None:
        """Audit where a report went after it was made: "printer" or "file"."""
        vault = self._session.vault
        with vault.transaction():
            vault.record_event(
                self._session.actor,
                f"report.{how}",
                object=f"report:{report.record.report_id}",
                details={"where": where},
            )

    def save_copy(self, report: PrintedReport, path: Path) -> None:
        """Save a report's PDF (readable by its owner only) and audit it."""
        _write_private(path, report.data)
        self.record_output(report, "saved", str(path))

    def save_companion(self, report: PrintedReport, path: Path) -> None:
        """Save the file made with a report (the Access report's CSV of every entry),
        readable by its owner only, and audit it."""
        if report.companion is None:
            raise BadInput("This report has no companion file.", code="report.no_companion")
        _write_private(path, report.companion.data)
        vault = self._session.vault
        with vault.transaction():
            vault.record_event(
                self._session.actor,
                "report.saved",
                object=f"report:{report.companion.record.report_id}",
                details={"where": str(path)},
            )


def _entries_name(output: Path | None, report_id: str) -> str:
    """The Access report's CSV is named after the PDF it goes with."""
    stem = output.stem if output is not None else f"crmdesk-report-{report_id}"
    return f"{stem}-entries.csv"


def _check_days(days: int) -> None:
    if not 1 <= days <= 3660:
        raise BadInput("The number of days must be 1 to 3660.", code="days.out_of_range")


def _write_private(path: Path, data: bytes) -> None:
    """Write the PDF readable by its owner only, whole or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, data)
    except OSError as exc:
        raise BadInput(
            f"Cannot write the report to {path}: {exc.strerror or exc}.",
            code="report.unwritable",
            path=path,
        ) from None
