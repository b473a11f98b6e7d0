"""The app words errors its own way: the menus and buttons it names are real, and it
shows those words where it shows an error (inline messages, dialogs, the status bar)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui import words as gui_words
from crmdesk.gui.data_io import ImportWizard
from crmdesk.gui.errors import error_text
from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.people.users_dialog import UsersDialog
from crmdesk.gui.vault_flows import UnlockDialog, WelcomeDialog
from crmdesk.gui.widgets.messages import InlineMessage, call_service
from crmdesk.services import session as session_service
from crmdesk.services.session import owner_session
from crmdesk.vault import Owner, Vault
from crmdesk.vault.keys.keystore import key_missing
from tests.support import MemoryKeyStore

OWNER = Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading")

# Quoted words in the app's sentences that are not buttons: a target's name in the
# import wizard's mapping, and the column headings a file may use.
_NOT_BUTTONS = {"name", "Name", "Company"}


def _templates() -> list[str]:
    return list(gui_words.WORDS.values())


def _shown_texts(*widgets: QWidget) -> set[str]:
    """The texts of every button and label in these windows, as a person reads them."""
    texts = set()
    for widget in widgets:
        for child in [*widget.findChildren(QAbstractButton), *widget.findChildren(QLabel)]:
            texts.add(child.text().replace("&", ""))
    return texts


def _menu_paths(window: MainWindow) -> set[str]:
    """Every "Menu › Item" of the window's menu bar."""
    paths = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        for item in menu.actions():
            if item.text():
                paths.add(f"{top.text().replace('&', '')} › {item.text().replace('&', '')}")
    return paths


@pytest.fixture
def window(qtbot, gui_session, vault_dir, keystore):
    w = MainWindow(gui_session, vault_dir, keystore=keystore, keyring_usable=True)
    qtbot.addWidget(w)
    return w


def test_the_menus_the_app_names_are_its_menus(window):
    named = {
        f"{menu} › {item}"
        for template in _templates()
        for menu, item in re.findall(r"(\w+) › ([A-Z][\w -]*?(?:…|(?=[).,;]|$)))", template)
    }
    assert {"Office › Backup settings…", "Tools › Sign-in password…", "File › Lock"} <= named
    assert named - _menu_paths(window) == set()


def test_the_buttons_the_app_names_are_its_buttons(qtbot, tmp_path, gui_session):
    named = {q for t in _templates() for q in re.findall(r"“([^”]+)”", t)} - _NOT_BUTTONS
    assert {"Use recovery key…", "Open an existing vault folder…", "Set my password…"} <= named
    windows = [
        UnlockDialog(tmp_path, "", needs_passphrase=False, keystore=MemoryKeyStore()),
        WelcomeDialog(tmp_path / "new", keystore=MemoryKeyStore(), keyring_usable=True),
        UsersDialog(gui_session),
        ImportWizard(gui_session),
    ]
    for shown in windows:
        qtbot.addWidget(shown)
    assert named - _shown_texts(*windows) == set()
    # "Change…" (a new vault's folder) is named without quotes, as the button reads.
    assert "Change…" in _shown_texts(windows[1])


def test_a_missing_key_tells_which_button_to_press(qtbot, tmp_path):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"
    session, _ = session_service.create_vault(folder, OWNER, keystore=keystore)
    session.close()
    keystore.entries.clear()  # this computer's keyring lost the entry
    dialog = UnlockDialog(folder, "", needs_passphrase=False, keystore=keystore)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    shown = dialog.message.text()
    assert "has no key for this vault" in shown
    assert f"use your recovery key (choose “{dialog.recovery_button.text()}”)" in shown
    assert "crmdesk recover" not in shown and "--" not in shown


def test_inline_messages_and_dialogs_show_the_apps_words(qtbot):
    err = key_missing(None, "0" * 32)
    assert error_text(err) == gui_words.words(err) != err.message
    message = InlineMessage()
    qtbot.addWidget(message)

    def refused() -> None:
        raise err

    assert call_service(message, refused) is None
    assert message.text() == gui_words.words(err)


def test_a_neutral_code_shows_its_message():
    err = CrmdeskError("Select the clients to copy first.", code="copy.nothing_selected")
    assert error_text(err) == err.message


def test_the_status_bar_names_the_apps_way_for_a_shared_folder(qtbot, tmp_path, keystore):
    folder = tmp_path / "Dropbox" / "vault"  # where Dropbox's client syncs
    vault, _ = Vault.create(folder, OWNER, keystore=keystore)
    try:
        window = MainWindow(owner_session(vault), folder, keystore=keystore, keyring_usable=True)
        qtbot.addWidget(window)
        tip = window.security_label.toolTip()
        assert window.security_label.text().startswith("⚠ Shared folder")
        assert f"The vault folder {folder} is inside {folder.parent}" in tip
        assert "“Open an existing vault folder…”" in tip and "Office › Backup settings…" in tip
        assert "--vault" not in tip and "crmdesk backup" not in tip
    finally:
        vault.close()
