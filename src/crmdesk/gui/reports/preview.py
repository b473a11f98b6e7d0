"""Preview a registered report, print it or save it as a PDF.

The preview fits the screen it opens on (a laptop's too), starts at the page's width,
and has zoom (fit width, fit page, smaller, larger) and page controls (previous, next,
"Page 2 of 5").

The PDF stays in memory (a QBuffer): no plaintext copy is written unless the person
chooses "Save as PDF…", and every print and save is recorded in the audit trail.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt
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
        self.resize(self._first_size())

        self._bytes = QByteArray(report.data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        controls = self._build_controls()

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
        layout.addLayout(controls)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._show_page_number()

    # -- fitting the screen, zoom and pages --------------------------------------------

    def _first_size(self) -> QSize:
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            return QSize(900, 700)
        return QSize(min(900, screen.width() - 40), min(1000, screen.height() - 60))

    def _build_controls(self) -> QHBoxLayout:
        self.fit_width_button = QPushButton("Fit &width")
        self.fit_page_button = QPushButton("Fit p&age")
        self.zoom_out_button = QPushButton("−")
        self.zoom_in_button = QPushButton("+")
        self.zoom_out_button.setToolTip("Smaller (Ctrl+-)")
        self.zoom_in_button.setToolTip("Larger (Ctrl++)")
        self.zoom_label = QLabel()
        self.previous_button = QPushButton("◀ Previous page")
        self.next_button = QPushButton("Next page ▶")
        self.page_label = QLabel()
        self.fit_width_button.clicked.connect(self.fit_width)
        self.fit_page_button.clicked.connect(self.fit_page)
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / 1.25))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(1.25))
        self.previous_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.zoom_by(1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.zoom_by(1 / 1.25))
        navigator = self.view.pageNavigator()
        navigator.currentPageChanged.connect(lambda _page: self._show_page_number())
        row = QHBoxLayout()
        for widget in (
            self.fit_width_button,
            self.fit_page_button,
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (self.previous_button, self.page_label, self.next_button):
            row.addWidget(widget)
        self._show_zoom()
        return row

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._show_zoom()

    def fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self._show_zoom()

    def zoom_by(self, factor: float) -> None:
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, current * factor)))
        self._show_zoom()

    def _show_zoom(self) -> None:
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.FitToWidth:
            self.zoom_label.setText("page width")
        elif mode == QPdfView.ZoomMode.FitInView:
            self.zoom_label.setText("whole page")
        else:
            self.zoom_label.setText(f"{self.view.zoomFactor():.0%}")

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if 0 <= page < self.document.pageCount():
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
            self._show_page_number()

    def _show_page_number(self) -> None:
        count, page = self.document.pageCount(), self.current_page()
        self.page_label.setText(f"Page {page + 1} of {count}")
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page + 1 < count)

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
