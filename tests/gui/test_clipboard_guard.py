"""Clipboard hygiene (issue 17, part 6): what crmdesk copies is marked for clipboard
managers not to keep, and cleared on lock, on quit and after the chosen timeout; the
real clipboard of the offscreen platform."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from crmdesk.gui import settings as app_settings
from crmdesk.gui.clipboard_guard import HINTS, MARK
from tests.gui.test_roles_gui import (  # noqa: F401
    no_dialog_left_hanging,
    office,
    press_copy,
    select_rows,
    window_for,
)


def _copy(qtbot, window) -> None:
    QApplication.clipboard().setText("")
    select_rows(window, [0, 1])
    press_copy(qtbot, window)
    assert QApplication.clipboard().text().startswith("Name\tStatus")


def test_a_copy_carries_the_hints_clipboard_managers_honour(qtbot, window_for):  # noqa: F811
    window = window_for("carol")
    _copy(qtbot, window)
    data = QApplication.clipboard().mimeData()
    assert bytes(data.data("x-kde-passwordManagerHint").data()) == b"secret"  # KDE, GPaste
    assert data.hasFormat("org.nspasteboard.ConcealedType")  # macOS
    windows = 'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"'
    assert data.hasFormat(windows) and data.hasFormat(
        "ExcludeClipboardContentFromMonitorProcessing"
    )  # Windows
    assert all(bytes(data.data(kind).data()) == value for kind, value in HINTS.items())
    assert data.hasFormat(MARK)


def test_locking_clears_the_copy(qtbot, window_for):  # noqa: F811
    window = window_for("carol")
    _copy(qtbot, window)
    window.lock(ask=False)
    assert QApplication.clipboard().text() == ""
    data = QApplication.clipboard().mimeData()
    assert data is None or not data.hasFormat("x-kde-passwordManagerHint")


def test_quitting_clears_the_copy(qtbot, window_for):  # noqa: F811
    window = window_for("carol")
    _copy(qtbot, window)
    window.close()
    assert QApplication.clipboard().text() == ""


def test_the_copy_is_cleared_after_the_chosen_time(qtbot, window_for):  # noqa: F811
    app_settings.set_clipboard_seconds(5)
    window = window_for("carol")
    _copy(qtbot, window)
    timer = window.clipboard_guard._timer
    assert timer.isActive() and timer.interval() == 5_000
    assert window.clipboard_guard.holding
    with qtbot.waitSignal(timer.timeout, timeout=10_000):
        pass  # the real timer, five seconds
    assert QApplication.clipboard().text() == ""
    assert not window.clipboard_guard.holding


@pytest.mark.parametrize("then", ["lock", "quit"])
def test_what_another_program_copied_since_is_left_alone(qtbot, window_for, then):  # noqa: F811
    window = window_for("carol")
    _copy(qtbot, window)
    QApplication.clipboard().setText("copied from another program")
    window.lock(ask=False) if then == "lock" else window.close()
    assert QApplication.clipboard().text() == "copied from another program"


def test_the_time_is_settable_and_bounded():
    app_settings.set_clipboard_seconds(90)
    assert app_settings.clipboard_seconds() == 90
    app_settings.set_clipboard_seconds(1)
    assert app_settings.clipboard_seconds() == app_settings.CLIPBOARD_SECONDS_RANGE[0]
