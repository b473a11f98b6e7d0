"""Ctrl+P previews the client summary; it prints and traces from the app."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.reports.trace import TraceDialog
from crmdesk.services.client_query import ClientQuery
from tests.gui.conftest import GUI_TODAY, open_client


@pytest.fixture
def window(qtbot, demo_session, vault_dir, keystore):
    win = MainWindow(demo_session, vault_dir, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_print_summary_previews_prints_and_traces(qtbot, window, tmp_path):
    client = window.service.list(ClientQuery(limit=1))[0]
    open_client(qtbot, window, client.id)
    window.act_print.trigger()  # built on a worker thread, then previewed
    with qtbot.waitSignal(window._report_op.finished, timeout=30_000):
        pass
    preview = window._last_preview
    qtbot.addWidget(preview)
    record = preview.report.record
    assert record.client_ids == [client.id]
    assert preview.page_count() == record.page_count >= 1
    # It fits the screen, and has zoom and page controls.
    screen = preview.screen().availableGeometry()
    assert preview.height() <= screen.height() and preview.width() <= screen.width()
    assert preview.zoom_label.text() == "page width"
    preview.zoom_by(1.25)
    assert preview.zoom_label.text().endswith("%")
    preview.fit_page()
    assert preview.zoom_label.text() == "whole page"
    assert preview.page_label.text() == f"Page 1 of {record.page_count}"
    assert not preview.previous_button.isEnabled()

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    preview.print_to(printer)
    printed = PdfReader(io.BytesIO((tmp_path / "printed.pdf").read_bytes()))
    assert len(printed.pages) == record.page_count

    dialog = TraceDialog(window.reports, window)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText(record.report_id)
    dialog.trace()
    assert "Zoë Łukasiewicz" in dialog.result.text()
    dialog.id_edit.setText("nonsense")
    dialog.trace()
    assert "Not found" in dialog.result.text()
    QApplication.processEvents()
