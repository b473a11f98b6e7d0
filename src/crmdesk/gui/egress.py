"""Every way client information leaves the main window: printing and copying.

A mixin of :class:`crmdesk.gui.main_window.MainWindow` (kept apart so that the window
stays readable). Each goes through the service's gate: the role check, the owner's
threshold and the audit. Above the threshold the owner approves on the spot
(:mod:`crmdesk.gui.people.approval_dialog`) and the output is tried again with that
approval; a refused approval is shown and nothing is printed or copied. No path puts
client rows on the clipboard without :func:`crmdesk.services.clipboard.copy_clients`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from crmdesk.domain.roles import Permission, refusal
from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import Job, Operation, QueryOp, run_with_progress
from crmdesk.gui.people.approval_dialog import ask_owner_approval
from crmdesk.services.clipboard import copy_clients
from crmdesk.services.egress import ApprovalRequired, OwnerApproval

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from crmdesk.gui.clients.detail.editor import ClientEditor
    from crmdesk.gui.clients.list_panel import ClientListPanel
    from crmdesk.gui.clipboard_guard import ClipboardGuard
    from crmdesk.gui.reports.preview import ReportPreview
    from crmdesk.services.client_query import ClientRow
    from crmdesk.services.clients import ClientService
    from crmdesk.services.reports import PrintedReport, ReportService
    from crmdesk.services.session import Session

# Builds a report on the worker thread; the owner's approval when one was given.
ReportMaker = Callable[[Job, OwnerApproval | None], "PrintedReport"]


class EgressMixin(QMainWindow):
    """Printing (through a preview) and copying, for the main window."""

    session: Session
    service: ClientService
    reports: ReportService
    editor: ClientEditor
    list_panel: ClientListPanel
    act_copy: QAction
    clipboard_guard: ClipboardGuard
    _report_op: Operation | None
    _last_preview: ReportPreview

    def _preview(self, report: PrintedReport) -> None:
        # Reports and their preview (reportlab, QtPdf) load when first used, not at start.
        from crmdesk.gui.reports.preview import ReportPreview

        self._last_preview = ReportPreview(self.reports, report, self)
        self._last_preview.show()

    def _build_report(
        self,
        title: str,
        total: int,
        make: ReportMaker,
        what: str = "report",
        approval: OwnerApproval | None = None,
    ) -> None:
        """Reports are built off the GUI thread (a big client takes a few hundred ms).

        Above the owner's threshold the service asks for the owner's approval: the
        owner signs in on the spot and the report is built again with it.
        """

        def failed(exc: BaseException) -> None:
            from crmdesk.services.reports import ReportCancelled

            if isinstance(exc, ReportCancelled):
                return
            if isinstance(exc, ApprovalRequired) and approval is None:
                given = ask_owner_approval(self, exc, what)
                if given is not None:
                    self._build_report(title, total, make, what, given)
                return
            show_error(self, exc, "Print")

        self._report_op = run_with_progress(
            self, title, total, lambda job: make(job, approval), self._preview, failed
        )

    def build_measures_report(self) -> None:
        """The owner's reasonable-measures report, previewed like every report."""
        reports = self.reports
        self._build_report(
            "Building the reasonable-measures report",
            1,
            lambda job, _approval: reports.measures(cancelled=job.cancelled),
            "report",
        )

    def print_summary(self) -> None:
        client_id = self.editor.client_id()
        if client_id is None:
            self.statusBar().showMessage("Open a client first, then print its summary.", 5000)
            return
        if not self.editor.maybe_save(self):
            return
        reports = self.reports
        self._build_report(
            "Building the client summary",
            1,
            lambda job, approval: reports.client_summary(client_id, approval=approval),
            "client summary",
        )

    def print_brief(self) -> None:
        """File › Print meeting brief: one page to take into a meeting."""
        client_id = self.editor.client_id()
        if client_id is None:
            self.statusBar().showMessage("Open a client first, then print its brief.", 5000)
            return
        if not self.editor.maybe_save(self):
            return
        reports = self.reports
        self._build_report(
            "Building the meeting brief",
            1,
            lambda job, approval: reports.meeting_brief(client_id, approval=approval),
            "meeting brief",
        )

    def build_coverage_report(self) -> None:
        """The coverage report, from the owner's Coverage page."""
        reports = self.reports
        self._build_report(
            "Building the coverage report",
            1,
            lambda job, approval: reports.coverage(approval=approval),
            "coverage report",
        )

    def print_client_list(self) -> None:
        query = self.list_panel.query()
        reports = self.reports
        self._build_report(
            "Building the client list",
            self.list_panel.model.total_count(),  # known: the list on show counted it
            lambda job, approval: reports.client_list(
                query, progress=job.progress, cancelled=job.cancelled, approval=approval
            ),
            "client list",
        )

    def print_call_list(self) -> None:
        reports = self.reports
        self._build_report(
            "Building the call list",
            1,
            lambda job, approval: reports.call_list(approval=approval),
            "call list",
        )

    def copy_selection(self) -> None:
        """Copy the selected clients through the service (role, threshold, audit).

        The selection (the open client, or rows picked in the list, however many) is
        read and the copy recorded on the database worker; this waits for both, the
        window painting meanwhile, so the clipboard is filled before it returns."""
        if not self.act_copy.isVisible():
            self.statusBar().showMessage(refusal(self.session.role, Permission.EXPORT), 8000)
            return
        if self.list_panel.selected_count() == 0:
            self.statusBar().showMessage("Select the clients to copy first.", 5000)
            return
        chosen: list[ClientRow] = []
        pending = self.list_panel.read_selection(chosen.extend)
        if pending is not None:
            pending.wait()
        if chosen:
            self._copy_rows(chosen, None)

    def _copy_rows(self, rows: list[ClientRow], approval: OwnerApproval | None) -> None:
        session = self.session

        def copied(text: str) -> None:
            # Marked for clipboard managers not to keep, cleared on lock, quit and timeout.
            self.clipboard_guard.put(text)
            noun = "client" if len(rows) == 1 else "clients"
            self.statusBar().showMessage(
                f"Copied {len(rows):,} {noun}; the copy is recorded.", 5000
            )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ApprovalRequired) and approval is None:
                # Above the owner's threshold: the owner approves on the spot, or nothing.
                given = ask_owner_approval(self, exc, "copy")
                if given is not None:
                    self._copy_rows(rows, given)
            elif isinstance(exc, CrmdeskError):
                show_error(self, exc, "Copy")
            else:
                show_error(self, exc)

        QueryOp(
            parent=self,
            op=lambda: copy_clients(session, rows, approval=approval),
            success=copied,
        ).failure(failed).run_in_background().wait()

    def trace_document(self) -> None:
        from crmdesk.gui.reports.trace import TraceDialog

        TraceDialog(self.reports, self).exec()
