"""Closing the app makes the owner's automatic backup; a shared folder is flagged."""

from __future__ import annotations

import pytest

from crmdesk.gui.main_window import MainWindow
from crmdesk.services import session as sessions
from crmdesk.services.settings import change_settings


@pytest.fixture
def window(qtbot, gui_session, vault_dir, keystore):
    w = MainWindow(gui_session, vault_dir, keystore=keystore, keyring_usable=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_closing_makes_the_automatic_backup(
    qtbot, window, gui_session, vault_dir, keystore, tmp_path
):
    folder = tmp_path / "backups"
    folder.mkdir()
    change_settings(gui_session, backup_folder=str(folder), backups_kept=3)
    vault = gui_session.vault
    window.close()  # the owner's settings say: back up into the folder on the way out
    made = list(folder.glob("*.crmbackup"))
    assert len(made) == 1 and made[0].stat().st_size > 0
    assert not vault.is_open
    reopened = sessions.unlock(vault_dir, keystore=keystore)
    try:
        last = reopened.vault.connection.execute(
            "SELECT action, details FROM audit_events WHERE action = 'backup.created'"
        ).fetchone()
        assert last is not None and '"automatic":true' in last[1]
    finally:
        reopened.close()


def test_closing_without_a_backup_folder_makes_none(qtbot, window, tmp_path):
    window.close()
    assert not list(tmp_path.rglob("*.crmbackup"))


def test_a_vault_in_a_shared_folder_is_flagged(qtbot, window, monkeypatch):
    monkeypatch.setattr(
        sessions, "sharing_warning", lambda folder: "This vault is in a Dropbox folder."
    )
    window.update_security_state()
    assert window.security_label.text().startswith("⚠ Shared folder")
    assert "Dropbox" in window.security_label.toolTip()
