"""Export clients to a file: CSV for Excel, vCard, or the follow-ups as a calendar.

Everything goes through :meth:`ExportService.export` on a worker thread (role check,
the owner's threshold, decoys, the export register and the audit). Above the owner's
threshold the owner approves on the spot and the export runs again with that approval.
The person sees the Export ID the file was registered under.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import Job, Operation, run_with_progress
from crmdesk.gui.people.approval_dialog import ask_owner_approval
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.egress import ApprovalRequired, OwnerApproval
from crmdesk.services.exports import ExportCancelled, ExportRecord, ExportService
from crmdesk.services.session import Session

TITLE = "Export clients"
# format: (label, extension, file-dialog filter)
FORMATS = {
    "csv": ("CSV for Excel (.csv)", ".csv", "CSV files (*.csv)"),
    "vcf": ("vCard contacts (.vcf)", ".vcf", "vCard files (*.vcf)"),
    "ics": ("Calendar of open follow-ups (.ics)", ".ics", "Calendar files (*.ics)"),
}


class ExportDialog(AppDialog):
    """Choose the format, which clients and the file; Export writes and registers it."""

    def __init__(
        self,
        session: Session,
        current_query: ClientQuery | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(560, 380)
        self.service = ExportService(session)
        self.clients = ClientService(session)
        self.current_query = current_query or ClientQuery()
        self.record: ExportRecord | None = None
        self.op: Operation | None = None
        layout = QVBoxLayout(self)

        box = QGroupBox("Format")
        box_layout = QVBoxLayout(box)
        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        for fmt, (label, _ext, _filter) in FORMATS.items():
            button = QRadioButton(label)
            self.format_group.addButton(button)
            box_layout.addWidget(button)
            self.format_buttons[fmt] = button
            button.toggled.connect(lambda on, f=fmt: on and self._format_changed(f))
        layout.addWidget(box)

        scope = QGroupBox("Clients")
        scope_layout = QVBoxLayout(scope)
        self.all_button = QRadioButton("&All clients")
        self.matching_button = QRadioButton(
            "The clients &matching the current list's search and filters"
        )
        scope_layout.addWidget(self.all_button)
        scope_layout.addWidget(self.matching_button)
        self.all_button.setChecked(True)
        layout.addWidget(scope)

        row = QHBoxLayout()
        row.addWidget(QLabel("&File:"))
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Where to save the file")
        row.addWidget(self.path_edit, 1)
        browse = QPushButton("&Choose…")
        browse.clicked.connect(self.browse)
        row.addWidget(browse)
        layout.addLayout(row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = QPushButton("&Export")
        self.close_button = QPushButton("Close")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.format_buttons["csv"].setChecked(True)

    # -- choices ----------------------------------------------------------------------

    def chosen_format(self) -> str:
        for fmt, button in self.format_buttons.items():
            if button.isChecked():
                return fmt
        return "csv"

    def set_format(self, fmt: str) -> None:
        self.format_buttons[fmt].setChecked(True)

    def query(self) -> ClientQuery:
        return self.current_query if self.matching_button.isChecked() else ClientQuery()

    def output_path(self) -> Path | None:
        """The file to write, with the format's extension added when it has none."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        ext = FORMATS[self.chosen_format()][1]
        if path.suffix.lower() != ext:
            path = path.with_name(path.name + ext)
        return path

    def _format_changed(self, fmt: str) -> None:
        """Keep the file name's extension in step with the format."""
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        if path.suffix.lower() in {ext for _label, ext, _f in FORMATS.values()}:
            self.path_edit.setText(str(path.with_suffix(FORMATS[fmt][1])))

    def browse(self) -> None:
        _label, ext, file_filter = FORMATS[self.chosen_format()]
        start = self.path_edit.text().strip() or f"clients{ext}"
        path, _chosen = QFileDialog.getSaveFileName(self, "Export to", start, file_filter)
        if path:
            if not path.lower().endswith(ext):
                path += ext
            self.path_edit.setText(path)

    # -- exporting --------------------------------------------------------------------

    def export(self, approval: OwnerApproval | None = None) -> None:
        if self.op is not None and self.op.is_running():
            return
        output = self.output_path()
        if output is None:
            self.message.setText("Choose the file to write first (Choose…).")
            return
        fmt, query = self.chosen_format(), self.query()
        try:
            total = self.clients.count(query)
        except Exception as exc:  # noqa: BLE001 - shown, the export is not started
            show_error(self, exc, TITLE)
            return
        service = self.service

        def work(job: Job) -> ExportRecord:
            return service.export(
                fmt,
                query,
                output,
                approval=approval,
                progress=lambda done, _total: job.progress(done),
                cancelled=job.cancelled,
            )

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            if isinstance(exc, ExportCancelled):
                self.message.setText("Export cancelled: no file was written.")
                return
            if isinstance(exc, ApprovalRequired) and approval is None:
                given = ask_owner_approval(self, exc, "export")
                if given is not None:
                    self.export(given)
                else:
                    self.message.setText("Not exported: the owner's approval was not given.")
                return
            show_error(self, exc, TITLE)

        self.message.clear()
        self.export_button.setEnabled(False)
        self.op = run_with_progress(
            self, "Exporting clients", max(total, 1), work, self._exported, failed
        )

    def _exported(self, record: ExportRecord) -> None:
        self.record = record
        self.export_button.setEnabled(True)
        noun = "client" if record.client_count == 1 else "clients"
        path = self.output_path()
        self.message.setText(
            f"<b>Export ID: {record.export_id}</b><br>{record.client_count:,} {noun} "
            f"written to {path}.<br>The export is recorded under this ID."
        )

    def reject(self) -> None:
        op = self.op
        if op is not None and op.is_running():
            op.job.cancel()
            op.wait()
        super().reject()
