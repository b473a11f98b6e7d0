"""One printed report with Preview…, Print… and Save as PDF… (through the report preview),
and Save entries (CSV)… when a file was made with it (the Access report's every entry).

The PDF stays in memory; printing and saving go through :class:`ReportPreview`, which
records each in the audit trail; so does saving the CSV.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QPushButton, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import show_error
from crmdesk.gui.reports.preview import ReportPreview
from crmdesk.services.reports import PrintedReport, ReportService


class ReportRow(QWidget):
    """A report's title, ID and pages, what it is for, and its three buttons."""

    def __init__(
        self,
        service: ReportService,
        report: PrintedReport,
        title: str,
        purpose: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service, self.report = service, report
        self.preview: ReportPreview | None = None
        record = report.record
        name = QLabel(title, self)
        bold = QFont(name.font())
        bold.setBold(True)
        name.setFont(bold)
        pages = f"{record.page_count} page{'s' if record.page_count != 1 else ''}"
        self.info_label = info = QLabel(f"Report {record.report_id} · {pages}. {purpose}", self)
        info.setWordWrap(True)
        info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_button = QPushButton("Pre&view…", self)
        self.print_button = QPushButton("Print…", self)
        self.save_button = QPushButton("Save as PDF…", self)
        for button in (self.preview_button, self.print_button, self.save_button):
            button.setAutoDefault(False)
        self.preview_button.clicked.connect(self.show_preview)
        self.print_button.clicked.connect(lambda: self._preview(show=False).print_report())
        self.save_button.clicked.connect(lambda: self._preview(show=False).save_pdf())
        buttons = [self.preview_button, self.print_button, self.save_button]
        self.entries_button: QPushButton | None = None
        if report.companion is not None:
            self.entries_button = QPushButton("Save &entries (CSV)…", self)
            self.entries_button.setAutoDefault(False)
            self.entries_button.setToolTip(
                "Every audit entry of the report, one row each; the report prints the "
                "file's SHA-256 so a copy can be checked."
            )
            self.entries_button.clicked.connect(self.save_entries)
            buttons.append(self.entries_button)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(8)
        grid.addWidget(name, 0, 0)
        grid.addWidget(info, 1, 0)
        for column, button in enumerate(buttons, start=1):
            grid.addWidget(button, 0, column, 2, 1)
        grid.setColumnStretch(0, 1)

    def _preview(self, *, show: bool) -> ReportPreview:
        if self.preview is None:
            self.preview = ReportPreview(self.service, self.report, self.window())
        if show:
            self.preview.show()
            self.preview.raise_()
        return self.preview

    def show_preview(self) -> ReportPreview:
        return self._preview(show=True)

    def save_entries(self) -> None:
        companion = self.report.companion
        if companion is None:
            return
        suggested = str(Path.home() / companion.name)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save every entry as CSV", suggested, "CSV (*.csv)"
        )
        if not path:
            return
        try:
            self.service.save_companion(self.report, Path(path))
        except CrmdeskError as exc:
            show_error(self, exc)
