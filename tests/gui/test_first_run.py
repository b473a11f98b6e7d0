"""A new user's first minutes: first start, a new vault, a saved client with a purchase."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.vault_flows import WelcomeDialog
from tests.gui.conftest import GUI_TODAY
from tests.support import MemoryKeyStore


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.mark.filterwarnings("ignore:Function. 'QApplication.setActiveWindow:DeprecationWarning")
def test_first_start_to_a_saved_client_with_a_purchase(qtbot, tmp_path):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"

    welcome = WelcomeDialog(folder, keystore=keystore, keyring_usable=True)
    qtbot.addWidget(welcome)
    welcome.show()
    _click(qtbot, welcome.new_vault_button)
    qtbot.keyClicks(welcome.name_edit, "Jane Doe")
    qtbot.keyClicks(welcome.business_edit, "Doe Supplies")
    _click(qtbot, welcome.create_button)
    _click(qtbot, welcome.stored_checkbox)
    _click(qtbot, welcome.finish_button)
    session = welcome.session()
    assert session is not None and session.full_name == "Jane Doe"
    welcome.close()

    window = MainWindow(session, folder, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    window.show()
    # Shortcuts go to the active window. The offscreen test platform does not hand
    # activation on from a closed dialog the way a desktop's window manager does.
    QApplication.setActiveWindow(window)
    qtbot.waitActive(window)
    assert window.list_panel.model.total_count() == 0

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.editor
    qtbot.keyClicks(editor.overview.lines["name"], "Harbour Deli")
    editor.tabs.setCurrentWidget(editor.purchases)
    _click(qtbot, editor.purchases.orders.add_button)
    editor.purchases.orders.set_cell_text(0, "date", "2026-11-02")
    _click(qtbot, editor.purchases.items.add_button)
    editor.purchases.items.set_cell_text(0, "product", "Olive oil 5 L")
    editor.purchases.items.set_cell_text(0, "quantity", "3")
    editor.purchases.items.set_cell_text(0, "unit_price", "24.60")
    assert window.act_save.isEnabled()

    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_dirty()
    qtbot.waitUntil(lambda: window.list_panel.model.total_count() == 1)
    row = window.list_panel.model.client_row(0)
    assert row.name == "Harbour Deli" and str(row.spend_12m) == "73.80"

    # Still there after locking and unlocking.
    window.lock()
    window.lock_screen.unlock_requested.emit()
    assert window.service.get(row.id).purchases[0].total == row.spend_12m
    window.close()
