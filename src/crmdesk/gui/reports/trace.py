"""Trace a document: type a report ID from a page and see who printed what, and when."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.services.reports import ReportService


class TraceDialog(AppDialog):
    def __init__(self, service: ReportService, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.service = service
        self.setWindowTitle("Trace a document")
        self.resize(560, 300)
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("Report ID from the page footer, e.g. 7K3M-Q2ZD-AB4")
        self.find_button = QPushButton("&Trace")
        self.find_button.setDefault(True)
        self.result = QLabel("Every printed crmdesk page carries a report ID in its footer.")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.id_edit, 1)
        row.addWidget(self.find_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.result, 1)
        self.find_button.clicked.connect(self.trace)
        self.id_edit.returnPressed.connect(self.trace)

    def trace(self) -> None:
        try:
            record = self.service.trace(self.id_edit.text())
        except CrmdeskError as exc:
            self.result.setText(f"<b>Not found.</b> {escape(error_text(exc))}")
            return
        when = record.created_at.astimezone()
        self.result.setText(
            f"<b>{escape(record.title)}</b> (report {record.report_id})<br>"
            f"Printed by <b>{escape(record.full_name)}</b> ({escape(record.login)})<br>"
            f"on {when:%A %d %B %Y at %H:%M %Z}<br>"
            f"{record.page_count} pages · {len(record.client_ids)} clients: "
            f"{escape(record.description)}<br>"
            f"<small>SHA-256 of the PDF: {record.sha256}</small>"
        )
