"""First run, unlocking and the lock screen, driven as a person would: real widgets over
real vault folders, with an in-memory keyring standing in for the OS one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from crmdesk.gui.vault_flows import LockScreen, SetPasswordDialog, UnlockDialog, WelcomeDialog
from crmdesk.services import session as session_service
from crmdesk.services.signin import MIN_PASSWORD_CHARS
from crmdesk.vault import Owner
from tests.support import FAST_KDF, MemoryKeyStore

LONG_PASSPHRASE = "correct horse battery staple"
OWNER = Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading")


@pytest.fixture
def sessions():
    """Sessions a test opened: closed at the end so no database stays open."""
    opened = []
    yield opened
    for session in opened:
        if session.is_open:
            session.close()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown_key(dialog: WelcomeDialog) -> str:
    return dialog.recovery_key_label.text().replace("\n", "-")


def make_vault(folder: Path, keystore=None, passphrase: str | None = None) -> str:
    """A vault made through the service (as the CLI would); returns its recovery key."""
    session, key = session_service.create_vault(
        folder, OWNER, keystore=keystore, passphrase=passphrase, kdf=FAST_KDF
    )
    session.close()
    return key


def welcome(qtbot, folder: Path, keystore, keyring_usable: bool = True) -> WelcomeDialog:
    dialog = WelcomeDialog(folder, keystore=keystore, keyring_usable=keyring_usable)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_into(qtbot, edit, text: str) -> None:
    """Type ``text``; QTest can only synthesize ASCII key presses, so other characters
    (the "ë" and "Ł" of Zoë Łukasiewicz) arrive the way an input method delivers them: inserted."""
    for ch in text:
        if ord(ch) < 128:
            qtbot.keyClicks(edit, ch)
        else:
            edit.insert(ch)


def fill_owner(qtbot, dialog: WelcomeDialog) -> None:
    type_into(qtbot, dialog.name_edit, "Zoë Łukasiewicz")
    type_into(qtbot, dialog.business_edit, "Łukasiewicz Trading")


# -- creating a vault -------------------------------------------------------------------


def test_create_vault_shows_the_key_once_and_opens_the_vault(qtbot, tmp_path, sessions):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"
    dialog = welcome(qtbot, folder, keystore)
    assert dialog.current_page() is dialog.choice_page

    click(qtbot, dialog.new_vault_button)
    assert dialog.current_page() is dialog.create_page
    assert not dialog.create_passphrase.passphrase_edit.isVisible()
    fill_owner(qtbot, dialog)
    assert dialog.login_edit.text() == "zoë.łukasiewicz"  # suggested from the name
    dialog.login_edit.clear()
    qtbot.keyClicks(dialog.login_edit, "zoe")
    assert dialog.create_folder_row.folder == folder
    click(qtbot, dialog.create_button)

    assert dialog.current_page() is dialog.key_page
    key = shown_key(dialog)
    assert re.fullmatch(r"([0-9A-Z]{4}-){13}[0-9A-Z]{4}", key)
    assert dialog.recovery_key_label.textInteractionFlags() & (
        Qt.TextInteractionFlag.TextSelectableByMouse
    )
    assert not dialog.finish_button.isEnabled()
    click(qtbot, dialog.finish_button)  # disabled: nothing happens
    assert dialog.isVisible() and dialog.session() is None

    click(qtbot, dialog.stored_checkbox)
    assert dialog.finish_button.isEnabled()
    click(qtbot, dialog.finish_button)

    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert not dialog.isVisible()
    assert session.is_open
    assert session.vault.owner == Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading")
    assert session.actor == "zoe"
    assert list(keystore.entries) == [session.vault.meta.vault_id]
    assert not session_service.needs_passphrase(folder)
    assert dialog.recovery_key_label.text() == ""  # not left in the widget

    # The key shown is this vault's: it restores the vault onto another keyring.
    session.close()
    other = MemoryKeyStore()
    sessions.append(session_service.recover(folder, key.lower(), keystore=other))
    assert list(other.entries) == [session.vault.meta.vault_id]


def test_key_page_cannot_be_closed_before_the_key_is_stored(qtbot, tmp_path, sessions):
    dialog = welcome(qtbot, tmp_path / "vault", MemoryKeyStore())
    dialog.go_to_create()
    fill_owner(qtbot, dialog)
    dialog.create_vault()
    assert dialog.current_page() is dialog.key_page
    dialog.reject()  # Escape or the window's close button
    assert dialog.isVisible()
    assert "tick the box" in dialog.key_page.message.text()
    dialog.stored_checkbox.setChecked(True)
    dialog.reject()  # now closing is finishing
    assert not dialog.isVisible()
    assert dialog.session() is not None
    sessions.append(dialog.session())


def test_create_errors_show_inline(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    make_vault(folder, MemoryKeyStore())
    dialog = welcome(qtbot, folder, MemoryKeyStore())
    dialog.go_to_create()
    click(qtbot, dialog.create_button)
    assert "full name" in dialog.create_page.message.text()
    fill_owner(qtbot, dialog)
    click(qtbot, dialog.create_button)  # a vault is already there
    assert dialog.current_page() is dialog.create_page
    assert "already holds a crmdesk vault" in dialog.create_page.message.text()
    assert dialog.create_page.message.isVisible()


def test_without_a_keyring_the_vault_gets_a_passphrase(qtbot, tmp_path, sessions):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"
    dialog = welcome(qtbot, folder, keystore, keyring_usable=False)
    click(qtbot, dialog.new_vault_button)
    fields = dialog.create_passphrase
    assert fields.passphrase_edit.isVisible() and fields.confirm_edit.isVisible()
    assert "passphrase" in dialog.keyring_note.text()
    fill_owner(qtbot, dialog)

    qtbot.keyClicks(fields.passphrase_edit, "too short")
    qtbot.keyClicks(fields.confirm_edit, "too short")
    click(qtbot, dialog.create_button)
    assert dialog.current_page() is dialog.create_page
    assert "at least 12 characters" in dialog.create_page.message.text()
    assert not session_service.vault_exists(folder)

    fields.clear()
    qtbot.keyClicks(fields.passphrase_edit, LONG_PASSPHRASE)
    qtbot.keyClicks(fields.confirm_edit, LONG_PASSPHRASE + "!")
    click(qtbot, dialog.create_button)
    assert "differ" in dialog.create_page.message.text()

    fields.confirm_edit.clear()
    qtbot.keyClicks(fields.confirm_edit, LONG_PASSPHRASE)
    click(qtbot, dialog.create_button)
    assert dialog.current_page() is dialog.key_page
    click(qtbot, dialog.stored_checkbox)
    click(qtbot, dialog.finish_button)
    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert session_service.needs_passphrase(folder)
    assert keystore.entries == {}
    session.close()
    sessions.append(session_service.unlock(folder, passphrase=LONG_PASSPHRASE))


def test_print_recovery_kit_saves_a_private_pdf(qtbot, tmp_path, sessions, monkeypatch):
    dialog = welcome(qtbot, tmp_path / "vault", MemoryKeyStore())
    dialog.go_to_create()
    fill_owner(qtbot, dialog)
    dialog.create_vault()
    asked = {}

    def fake_save(parent, caption, default, filters):
        asked["default"] = default
        return str(tmp_path / "my-kit"), filters

    opened = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    click(qtbot, dialog.print_kit_button)

    kit = tmp_path / "my-kit.pdf"
    assert kit.exists() and dialog.kit_path == kit
    assert Path(asked["default"]).name == "crmdesk-recovery-kit.pdf"
    if sys.platform != "win32":
        assert kit.stat().st_mode & 0o777 == 0o600
    assert "Saved to" in dialog.key_page.message.text()
    assert dialog.open_kit_button.isVisible()
    click(qtbot, dialog.open_kit_button)
    assert [url.toLocalFile() for url in opened] == [str(kit)]
    dialog.stored_checkbox.setChecked(True)
    dialog.finish()
    sessions.append(dialog.session())


def test_cancelling_the_save_dialog_writes_nothing(qtbot, tmp_path, sessions, monkeypatch):
    dialog = welcome(qtbot, tmp_path / "vault", MemoryKeyStore())
    dialog.go_to_create()
    fill_owner(qtbot, dialog)
    dialog.create_vault()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    assert dialog.save_recovery_kit() is None
    assert not dialog.open_kit_button.isVisible()
    dialog.stored_checkbox.setChecked(True)
    dialog.finish()
    sessions.append(dialog.session())


def test_quitting_the_first_run_screen_opens_nothing(qtbot, tmp_path):
    dialog = welcome(qtbot, tmp_path / "vault", MemoryKeyStore())
    click(qtbot, dialog.quit_button)
    assert dialog.session() is None
    assert not (tmp_path / "vault").exists()


# -- opening and restoring ------------------------------------------------------------------


def test_open_existing_vault_with_the_keyring(qtbot, tmp_path, sessions):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"
    make_vault(folder, keystore)
    dialog = welcome(qtbot, folder, keystore)
    click(qtbot, dialog.open_existing_button)
    assert dialog.current_page() is dialog.open_page
    assert not dialog.open_passphrase_edit.isVisible()
    click(qtbot, dialog.open_button)
    session = dialog.session()
    assert session is not None and session.is_open
    sessions.append(session)


def test_open_existing_vault_with_a_passphrase(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    make_vault(folder, passphrase=LONG_PASSPHRASE)
    dialog = welcome(qtbot, folder, MemoryKeyStore())
    click(qtbot, dialog.open_existing_button)
    assert dialog.open_passphrase_edit.isVisible()
    qtbot.keyClicks(dialog.open_passphrase_edit, "not the passphrase")
    click(qtbot, dialog.open_button)
    assert dialog.isVisible()
    assert "does not open this vault" in dialog.open_page.message.text()
    assert dialog.open_passphrase_edit.selectedText() == "not the passphrase"
    qtbot.keyClicks(dialog.open_passphrase_edit, LONG_PASSPHRASE)  # replaces the selection
    click(qtbot, dialog.open_button)
    assert dialog.session() is not None
    sessions.append(dialog.session())


def test_open_without_the_key_in_the_keyring_explains(qtbot, tmp_path):
    folder = tmp_path / "vault"
    make_vault(folder, MemoryKeyStore())
    dialog = welcome(qtbot, folder, MemoryKeyStore())  # another computer's keyring
    dialog.go_to_open()
    click(qtbot, dialog.open_button)
    assert "has no key for this vault" in dialog.open_page.message.text()
    click(qtbot, dialog.use_recovery_button)
    assert dialog.current_page() is dialog.restore_page
    assert dialog.restore_folder_row.folder == folder


def test_open_a_folder_without_a_vault(qtbot, tmp_path):
    dialog = welcome(qtbot, tmp_path / "nothing", MemoryKeyStore())
    dialog.go_to_open()
    click(qtbot, dialog.open_button)
    assert "holds no crmdesk vault" in dialog.open_page.message.text()
    assert dialog.session() is None


def _typo(key: str) -> str:
    """The key with one character changed: what a slip of the finger makes."""
    index = 5
    replacement = "A" if key[index] != "A" else "B"
    return key[:index] + replacement + key[index + 1 :]


def test_restore_with_the_recovery_key_onto_a_new_keyring(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    key = make_vault(folder, MemoryKeyStore())
    fresh = MemoryKeyStore()
    dialog = welcome(qtbot, folder, fresh)
    click(qtbot, dialog.restore_choice_button)
    assert dialog.current_page() is dialog.restore_page
    assert not dialog.restore_passphrase.passphrase_edit.isVisible()

    qtbot.keyClicks(dialog.restore_key_edit, _typo(key))
    click(qtbot, dialog.restore_button)
    assert dialog.isVisible()
    assert "typo" in dialog.restore_page.message.text()
    assert fresh.entries == {}

    dialog.restore_key_edit.clear()
    typed = key.lower().replace("-", " ")  # any case, spaces instead of dashes
    qtbot.keyClicks(dialog.restore_key_edit, typed)
    click(qtbot, dialog.restore_button)
    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert list(fresh.entries) == [session.vault.meta.vault_id]
    assert dialog.restore_key_edit.toPlainText() == ""


def test_restore_without_a_keyring_sets_a_new_passphrase(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    key = make_vault(folder, MemoryKeyStore())
    dialog = welcome(qtbot, folder, MemoryKeyStore(), keyring_usable=False)
    dialog.go_to_restore()
    fields = dialog.restore_passphrase
    assert fields.passphrase_edit.isVisible()
    dialog.restore_key_edit.setPlainText(key)
    qtbot.keyClicks(fields.passphrase_edit, LONG_PASSPHRASE)
    qtbot.keyClicks(fields.confirm_edit, LONG_PASSPHRASE)
    click(qtbot, dialog.restore_button)
    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert session_service.needs_passphrase(folder)


# -- the unlock dialog ------------------------------------------------------------------------


def unlock_dialog(qtbot, folder: Path, reason: str, **kwargs) -> UnlockDialog:
    dialog = UnlockDialog(folder, reason, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_unlock_with_a_wrong_then_the_right_passphrase(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    make_vault(folder, passphrase=LONG_PASSPHRASE)
    dialog = unlock_dialog(
        qtbot,
        folder,
        "This vault is protected by a master passphrase.",
        needs_passphrase=True,
        keystore=MemoryKeyStore(),
        keyring_usable=False,
    )
    assert dialog.reason_label.text() == "This vault is protected by a master passphrase."
    qtbot.keyClicks(dialog.passphrase_edit, "wrong passphrase here")
    click(qtbot, dialog.unlock_button)
    assert dialog.isVisible()
    assert dialog.session() is None
    assert "does not open this vault" in dialog.message.text()
    assert dialog.passphrase_edit.selectedText() == "wrong passphrase here"

    qtbot.keyClicks(dialog.passphrase_edit, LONG_PASSPHRASE)
    click(qtbot, dialog.unlock_button)
    assert not dialog.isVisible()
    session = dialog.session()
    assert session is not None and session.is_open
    sessions.append(session)
    assert dialog.passphrase_edit.text() == ""


def test_unlock_tries_the_keyring_again(qtbot, tmp_path, sessions):
    keystore = MemoryKeyStore()
    folder = tmp_path / "vault"
    make_vault(folder, keystore)
    saved = dict(keystore.entries)
    keystore.entries.clear()
    dialog = unlock_dialog(
        qtbot, folder, "The keyring is locked.", needs_passphrase=False, keystore=keystore
    )
    assert not dialog.passphrase_edit.isVisible()
    click(qtbot, dialog.unlock_button)
    assert "has no key for this vault" in dialog.message.text()
    keystore.entries.update(saved)  # the person unlocked their keyring
    click(qtbot, dialog.unlock_button)
    assert dialog.session() is not None
    sessions.append(dialog.session())


def test_unlock_with_the_recovery_key_and_a_new_passphrase(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    key = make_vault(folder, MemoryKeyStore())
    keystore = MemoryKeyStore()
    dialog = unlock_dialog(
        qtbot,
        folder,
        "No key for this vault.",
        needs_passphrase=False,
        keystore=keystore,
        keyring_usable=False,
    )
    assert not dialog.recovery_key_edit.isVisible()
    click(qtbot, dialog.recovery_button)
    assert dialog.recovery_key_edit.isVisible()
    assert dialog.new_passphrase.passphrase_edit.isVisible()

    qtbot.keyClicks(dialog.recovery_key_edit, _typo(key))
    qtbot.keyClicks(dialog.new_passphrase.passphrase_edit, LONG_PASSPHRASE)
    qtbot.keyClicks(dialog.new_passphrase.confirm_edit, LONG_PASSPHRASE)
    click(qtbot, dialog.unlock_button)
    assert "typo" in dialog.message.text()
    assert dialog.isVisible()

    dialog.recovery_key_edit.setPlainText(key)
    click(qtbot, dialog.unlock_button)
    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert session_service.needs_passphrase(folder)
    assert keystore.entries == {}


def test_unlock_with_the_recovery_key_into_the_keyring(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    key = make_vault(folder, MemoryKeyStore())
    keystore = MemoryKeyStore()
    dialog = unlock_dialog(
        qtbot, folder, "", needs_passphrase=False, keystore=keystore, keyring_usable=True
    )
    assert not dialog.reason_label.isVisible()
    dialog.show_recovery()
    assert not dialog.new_passphrase.passphrase_edit.isVisible()
    dialog.recovery_key_edit.setPlainText(key)
    click(qtbot, dialog.unlock_button)
    assert dialog.session() is not None
    sessions.append(dialog.session())
    assert len(keystore.entries) == 1


def make_office_vault(folder: Path, keystore) -> str:
    """A vault of two people (the owner and bob); returns the owner's recovery key."""
    from crmdesk.services.opening import pending_recovery_key
    from crmdesk.services.people import UserService
    from crmdesk.services.signin import set_password

    make_vault(folder, keystore)
    owner = session_service.unlock(folder, keystore=keystore)
    set_password(owner, OFFICE_OWNER_PASSWORD)
    UserService(owner).add(
        "bob", "Bob Stone", "salesperson", "initial pass 123", owner_password=OFFICE_OWNER_PASSWORD
    )
    # Adding the first colleague replaced the owner's keys, and with them the recovery key.
    key = pending_recovery_key(owner)
    owner.close()
    assert key is not None
    return key


OFFICE_OWNER_PASSWORD = "owner password 123"


def test_unlock_with_the_recovery_key_of_a_vault_of_several_people(qtbot, tmp_path, sessions):
    folder = tmp_path / "vault"
    keystore = MemoryKeyStore()
    key = make_office_vault(folder, keystore)
    dialog = unlock_dialog(
        qtbot, folder, "", needs_passphrase=False, keystore=keystore, keyring_usable=False
    )
    dialog.show_recovery()
    # The owner's account opens, with a new password: no keyring, no master passphrase.
    assert "account of the vault's owner (zoe)" in dialog.owner_note.text()
    assert dialog.new_password.password_edit.isVisible()
    assert not dialog.new_passphrase.passphrase_edit.isVisible()
    assert not dialog.where_note.isVisible()

    dialog.recovery_key_edit.setPlainText(key)
    qtbot.keyClicks(dialog.new_password.password_edit, "too short")
    qtbot.keyClicks(dialog.new_password.confirm_edit, "too short")
    click(qtbot, dialog.unlock_button)
    assert f"at least {MIN_PASSWORD_CHARS} characters" in dialog.message.text()
    assert dialog.isVisible()

    dialog.new_password.password_edit.setText("the owner's new password")
    dialog.new_password.confirm_edit.setText("the owner's new password")
    click(qtbot, dialog.unlock_button)
    session = dialog.session()
    assert session is not None
    sessions.append(session)
    assert session.actor == "zoe" and session.role.value == "owner"
    assert dialog.new_password.password_edit.text() == ""
    assert keystore.entries == {}  # nothing in the keyring opens a vault of several people
    session.close()
    session_service.sign_in_at(folder, "zoe", "the owner's new password").close()


def test_restore_access_to_a_vault_of_several_people_asks_for_the_owners_new_password(
    qtbot, tmp_path, sessions
):
    folder = tmp_path / "vault"
    keystore = MemoryKeyStore()
    key = make_office_vault(folder, keystore)
    dialog = welcome(qtbot, tmp_path / "elsewhere", keystore)
    dialog.go_to_restore()
    assert not dialog.restore_password.password_edit.isVisible()  # no vault chosen yet
    dialog.restore_folder_row.set_folder(folder)  # typed, not chosen: found at Restore
    dialog.restore_key_edit.setPlainText(key)
    click(qtbot, dialog.restore_button)
    assert dialog.session() is None
    assert "account of the vault's owner (zoe)" in dialog.restore_page.message.text()
    assert dialog.restore_password.password_edit.isVisible()
    dialog.restore_password.password_edit.setText("the owner's new password")
    dialog.restore_password.confirm_edit.setText("the owner's new password")
    click(qtbot, dialog.restore_button)
    session = dialog.session()
    assert session is not None, dialog.restore_page.message.text()
    sessions.append(session)
    assert session.actor == "zoe"


# -- the lock screen --------------------------------------------------------------------------


def test_lock_screen_without_a_password(qtbot):
    screen = LockScreen("Zoë Łukasiewicz")
    qtbot.addWidget(screen)
    screen.show()
    screen.set_password_required(False)
    assert "Zoë Łukasiewicz" in screen.owner_label.text()
    assert not screen.password_edit.isVisible()
    assert screen.no_password_label.isVisible()
    assert "Anyone at this computer can unlock crmdesk" in screen.no_password_label.text()
    with qtbot.waitSignal(screen.set_password_requested):
        click(qtbot, screen.set_password_button)
    with qtbot.waitSignal(screen.unlock_requested):
        click(qtbot, screen.unlock_button)


def test_lock_screen_with_a_password(qtbot):
    screen = LockScreen("Zoë Łukasiewicz")
    qtbot.addWidget(screen)
    screen.show()
    screen.set_password_required(True)
    assert screen.password_edit.isVisible()
    assert not screen.no_password_label.isVisible()
    qtbot.keyClicks(screen.password_edit, "a wrong password")
    with qtbot.waitSignal(screen.unlock_requested):
        qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    assert screen.password() == "a wrong password"
    screen.show_error_text("That password is not right.")
    assert screen.error_message.isVisible()
    assert screen.error_message.text() == "That password is not right."
    assert screen.password_edit.selectedText() == "a wrong password"
    with qtbot.waitSignal(screen.unlock_requested):
        click(qtbot, screen.unlock_button)
    assert not screen.error_message.isVisible()  # a new try clears the old message
    screen.reset()
    assert screen.password() == ""


def test_set_password_dialog(qtbot):
    dialog = SetPasswordDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_edit, "short")
    qtbot.keyClicks(dialog.confirm_edit, "short")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert f"at least {MIN_PASSWORD_CHARS} characters" in dialog.message.text()

    dialog.password_edit.setText("four unrelated words here")
    dialog.confirm_edit.setText("four unrelated words there")
    click(qtbot, dialog.ok_button)
    assert "differ" in dialog.message.text()
    assert dialog.password() == ""

    dialog.confirm_edit.setText("four unrelated words here")
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert dialog.password() == "four unrelated words here"


def test_the_status_bar_of_a_passphrase_vault(qtbot, tmp_path, sessions):
    from crmdesk.gui.main_window import MainWindow

    folder = tmp_path / "vault"
    make_vault(folder, passphrase=LONG_PASSPHRASE)
    session = session_service.unlock(folder, passphrase=LONG_PASSPHRASE)
    sessions.append(session)
    window = MainWindow(session, folder, keystore=MemoryKeyStore(), keyring_usable=False)
    qtbot.addWidget(window)
    assert window.security_label.text() == (
        "Encrypted · key protected by your passphrase · signed in as Zoë Łukasiewicz (Owner)"
    )
    assert "your key opens only with your passphrase" in window.security_label.toolTip()
    session.close()  # closing the window would make the owner's automatic backup
