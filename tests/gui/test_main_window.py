"""The main window as a salesperson uses it: find, open, edit, lock, unlock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from crmdesk.gui.main_window import MainWindow
from crmdesk.services import signin
from crmdesk.services.client_query import ClientQuery
from tests.gui.conftest import GUI_TODAY


@pytest.fixture
def window(qtbot, demo_session, vault_dir, keystore):
    win = MainWindow(
        demo_session, vault_dir, keystore=keystore, keyring_usable=True, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_status_bar_shows_the_security_state(window, keystore):
    # One person, whose key slot opens with what the OS keyring holds.
    text = window.security_label.text()
    assert text == (
        f"Encrypted · key in {keystore.describe()} · signed in as Zoë Łukasiewicz (Owner)"
    )
    tip = window.security_label.toolTip()
    assert "One person" in tip and "opens without a password" in tip
    assert "Adding a colleague ends that" in tip


def test_ctrl_f_focuses_search_and_typing_filters_the_list(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    focused = QApplication.focusWidget()
    assert focused is window.list_panel.search_edit
    name = window.service.list(ClientQuery(limit=1))[0].name
    qtbot.keyClicks(focused, name.split()[0])
    expected = window.service.count(ClientQuery(text=name.split()[0]))
    qtbot.waitUntil(lambda: window.list_panel.model.total_count() == expected)
    assert expected < 300


def test_lock_hides_everything_closes_the_vault_and_unlock_reopens(qtbot, window):
    first = window.service.list(ClientQuery(limit=1))[0]
    window.show_client(first.id)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.central.currentWidget() is window.lock_screen
    assert not window.session.is_open  # database closed, key bytes dropped
    assert not window.menuBar().isEnabled()
    assert window.security_label.text() == "Locked"
    window.lock_screen.unlock_requested.emit()
    assert window.session.is_open
    assert window.central.currentIndex() == 0
    assert window.editor.client_id() == first.id
    assert window.service.get(first.id).name == first.name  # services work again
    actions = [
        r[0]
        for r in window.session.vault.connection.execute(
            "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 3"
        )
    ]
    # The open client is shown again after unlocking: a view of its value-added details.
    assert actions == ["client.viewed", "session.unlocked", "session.locked"]


def test_idle_timeout_locks(qtbot, window):
    window.idle.idle.emit()
    assert window.central.currentWidget() is window.lock_screen
    assert not window.session.is_open


def test_unlock_asks_for_the_password_once_one_is_set(qtbot, window):
    signin.set_password(window.session, "correct horse battery")
    window.lock()
    assert window.lock_screen.password_required()
    window.lock_screen.password_edit.setText("wrong password here")
    window.lock_screen.unlock_requested.emit()
    assert window.central.currentWidget() is window.lock_screen
    assert not window.session.is_open
    window.lock_screen.password_edit.setText("correct horse battery")
    window.lock_screen.unlock_requested.emit()
    assert window.central.currentIndex() == 0 and window.session.is_open


def test_day_views_open_the_client(qtbot, window):
    due = window.service.followups()
    assert due, "the demo data has overdue follow-ups"
    window.nav.setCurrentRow(1)
    assert window.pages.currentWidget() is window.followups
    window.followups.client_activated.emit(due[0].client_id)
    assert window.pages.currentIndex() == 0
    assert window.editor.client_id() == due[0].client_id


def test_layout_is_remembered(qtbot, window, vault_dir, keystore):
    from crmdesk.services.session import unlock

    window.resize(1200, 650)
    window.splitter.setSizes([250, 900])  # the default gives the list far more
    chosen_split = window.splitter.sizes()
    window.close()
    assert not window.session.is_open  # closing the window closes the vault
    again = MainWindow(
        unlock(vault_dir, keystore=keystore), vault_dir, keystore=keystore, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.height() == 650  # the first-run default is taller
    assert again.splitter.sizes() == chosen_split
    again.close()


def test_idle_lock_waits_for_background_work(qtbot, window, monkeypatch):
    from crmdesk.gui import main_window

    monkeypatch.setattr(main_window.QInputDialog, "getInt", lambda *a, **k: (400, True))
    window.add_demo_clients()
    op = window._demo_op
    assert op.is_running()
    window.idle.idle.emit()  # idle while the demo clients are being added
    assert window.session.is_open and window.central.currentIndex() == 0
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    assert window.service.count() == 700
    window.idle.idle.emit()
    assert not window.session.is_open
