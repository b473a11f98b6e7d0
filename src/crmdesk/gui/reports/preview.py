"""Preview a registered report, print it or save it as a PDF.

The PDF stays in memory (a QBuffer): no plaintext copy is written unless the person
chooses "Save as PDF…", and every print and save is recorded in the audit trail.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import show_error
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.services.reports import PrintedReport, ReportService


class ReportPreview(AppDialog):
    def __init__(
        self, service: ReportService, report: PrintedReport, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service, self.report = service, report
        record = report.record
        self.setWindowTitle(f"{record.title} — report {record.report_id}")
        self.resize(900, 1000)

        self._bytes = QByteArray(report.data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        info = QLabel(
            f"Report <b>{record.report_id}</b> · {record.page_count} pages · every page "
            f"is marked with your name ({record.full_name}) and this ID."
        )
        info.setTextFormat(Qt.TextFormat.RichText)
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save as PDF…")
        close = QPushButton("Close")
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_pdf)
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_report)

        buttons = QHBoxLayout()
        buttons.addWidget(info, 1)
        for button in (self.print_button, self.save_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def page_count(self) -> int:
        return self.document.pageCount()

    def print_to(self, printer: QPrinter) -> None:
        """Paint every page onto ``printer`` at its resolution."""
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        try:
            dpi = printer.resolution()
            for index in range(self.document.pageCount()):
                if index:
                    printer.newPage()
                points = self.document.pagePointSize(index)
                size = QSize(int(points.width() * dpi / 72), int(points.height() * dpi / 72))
                image = self.document.render(index, size)
                target = painter.viewport()
                scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(target.x(), target.y(), image.scaled(scaled))
        finally:
            painter.end()

    def print_report(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
            self.service.record_output(self.report, "printed", printer.printerName())
        except (OSError, CrmdeskError) as exc:
            show_error(self, exc)

    def save_pdf(self) -> None:
        suggested = str(Path.home() / f"crmdesk-report-{self.report.record.report_id}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Save report as PDF", suggested, "PDF (*.pdf)")
        if not path:
            return
        try:
            self.service.save_copy(self.report, Path(path))
        except CrmdeskError as exc:
            show_error(self, exc)
