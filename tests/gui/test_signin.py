"""Signing in to a vault with several users, and the first sign-in gates: a new
password, then the confidentiality policy, before any record is shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from crmdesk.errors import SignInFailed
from crmdesk.gui.app import open_session
from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.people.gates import complete_sign_in
from crmdesk.gui.people.password_dialog import ChangePasswordDialog
from crmdesk.gui.people.policy_dialog import ACCEPT_TEXT, PolicyDialog
from crmdesk.gui.people.signin_dialog import SignInDialog
from crmdesk.services import session as sessions
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from tests.gui.conftest import GUI_TODAY
from tests.gui.people_support import (
    INITIAL,
    OWN,
    OWNER_PASSWORD,
    Answers,
    audit_actions,
    make_office,
    top_levels,
)


@pytest.fixture(autouse=True)
def no_dialog_left_hanging():
    """A modal dialog nobody answers fails the test instead of hanging it."""
    guard = Answers(timeout=60)
    yield
    guard.check()


@pytest.fixture
def office(gui_session, vault_dir, keystore):
    made = make_office(gui_session, vault_dir, keystore)
    yield made
    made.close_all()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def sign_in_dialog(qtbot, office) -> tuple[SignInDialog, sessions.Unlocked]:
    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    assert unlocked.sign_in_required()
    dialog = SignInDialog(unlocked)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, unlocked


# -- the sign-in dialog ---------------------------------------------------------------------


def test_wrong_password_says_so_in_place_then_the_right_one_signs_in(qtbot, office):
    dialog, unlocked = sign_in_dialog(qtbot, office)
    dialog.login_edit.setText("zoe")
    qtbot.keyClicks(dialog.password_edit, "not my password")
    click(qtbot, dialog.sign_in_button)
    assert dialog.isVisible() and dialog.session() is None
    assert "login or password is wrong" in dialog.message.text()
    assert dialog.message.isVisible()
    assert dialog.password_edit.text() == ""  # emptied for retyping

    qtbot.keyClicks(dialog.password_edit, OWNER_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    session = dialog.session()
    assert session is not None and session.actor == "zoe"
    office.opened.append(session)


def test_too_many_wrong_passwords_make_sign_in_wait(qtbot, office):
    dialog, unlocked = sign_in_dialog(qtbot, office)
    dialog.login_edit.setText("bob")
    for _ in range(5):  # five wrong passwords in a row are free; the next one waits
        dialog.password_edit.setText("guessing again")
        dialog.sign_in()
    assert dialog.sign_in_button.isEnabled()
    dialog.password_edit.setText("guessing again")
    dialog.sign_in()
    assert "wait 30 seconds" in dialog.message.text()
    assert not dialog.sign_in_button.isEnabled()
    assert "wait" in dialog.sign_in_button.text()
    assert dialog.waiting_seconds() == 30
    # Even the right password waits: the service refuses until the time is up.
    dialog._wait_left = 0
    dialog.password_edit.setText(INITIAL["bob"])
    dialog.sign_in()
    assert dialog.isVisible() and "Too many wrong passwords" in dialog.message.text()
    unlocked.close()


def test_a_disabled_account_is_told_so(qtbot, office, gui_session):
    UserService(gui_session).disable("dave", reason="left")
    dialog, unlocked = sign_in_dialog(qtbot, office)
    dialog.login_edit.setText("dave")
    dialog.password_edit.setText(INITIAL["dave"])
    dialog.sign_in()
    assert dialog.isVisible()
    assert "'dave' is disabled" in dialog.message.text()
    unlocked.close()


def test_cancelling_sign_in_opens_nothing(qtbot, office):
    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    answers = Answers().on(SignInDialog, lambda d: d.cancel_button.click())
    assert complete_sign_in(None, unlocked) is None
    answers.check()
    # Nothing but a person's password opens a vault of several people: nothing was open.
    assert unlocked.vault is None


def signed_in_as(login: str, password: str, seen: list):
    """An answer for the sign-in dialog that keeps the session it opened in ``seen``."""

    def sign_in(dialog: SignInDialog) -> None:
        dialog.login_edit.setText(login)
        dialog.password_edit.setText(password)
        dialog.sign_in()
        seen.append(dialog.session())

    return sign_in


# -- first sign-in -----------------------------------------------------------------------


def test_first_sign_in_asks_for_a_new_password_then_the_policy_before_any_record(qtbot, office):
    checks: dict[str, object] = {}
    watcher = office.owner()

    def sign_in(dialog: SignInDialog) -> None:
        dialog.login_edit.setText("bob")
        dialog.password_edit.setText(INITIAL["bob"])
        click(qtbot, dialog.sign_in_button)

    def change(dialog: ChangePasswordDialog) -> None:
        assert dialog.required and dialog.cancel_button.text() == "Quit"
        dialog.current_edit.setText(INITIAL["bob"])
        dialog.new_edit.setText("short")
        dialog.confirm_edit.setText("short")
        click(qtbot, dialog.ok_button)
        checks["too short"] = dialog.message.text()
        dialog.new_edit.setText(OWN["bob"])
        dialog.confirm_edit.setText(OWN["bob"] + " typo")
        click(qtbot, dialog.ok_button)
        checks["mismatch"] = dialog.message.text()
        dialog.confirm_edit.setText(OWN["bob"])
        click(qtbot, dialog.ok_button)
        checks["changed"] = not dialog.isVisible()

    def accept_policy(dialog: PolicyDialog) -> None:
        # Nothing has been shown yet: no window, no client read by bob.
        checks["windows"] = top_levels(MainWindow)
        checks["bob so far"] = audit_actions(watcher, "bob")
        checks["text"] = dialog.text_view.toPlainText()
        checks["read only"] = dialog.text_view.isReadOnly()
        checks["heading"] = dialog.version_label.text()
        checks["accept before"] = dialog.accept_button.isEnabled()
        assert dialog.accept_check.text() == ACCEPT_TEXT
        dialog.accept_check.setChecked(True)
        checks["accept after"] = dialog.accept_button.isEnabled()
        click(qtbot, dialog.accept_button)

    answers = (
        Answers()
        .on(SignInDialog, sign_in)
        .on(ChangePasswordDialog, change)
        .on(PolicyDialog, accept_policy)
    )
    session = open_session(office.folder, keystore=office.keystore, keyring_usable=True)
    answers.check()
    assert session is not None
    office.opened.append(session)
    assert session.actor == "bob" and not session.must_change_password
    assert session.pending_policy_version() is None

    assert "at least 10 characters" in str(checks["too short"])
    assert "differ" in str(checks["mismatch"])
    assert checks["changed"] is True
    assert checks["windows"] == []
    assert checks["bob so far"] == ["signin.ok", "user.password_changed"]
    assert "1833" in str(checks["text"]) and checks["read only"] is True
    assert str(checks["heading"]).startswith("Version 1 · published ")
    assert checks["accept before"] is False and checks["accept after"] is True
    actions = audit_actions(watcher, "bob")
    assert actions == ["signin.ok", "user.password_changed", "policy.accepted"]
    assert "client.viewed" not in actions

    window = MainWindow(session, office.folder, keystore=office.keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    assert "signed in as Bob Stone (Salesperson)" in window.security_label.text()
    window.close()


def test_declining_the_policy_closes_the_vault(qtbot, office):
    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    opened: list = []

    def change(dialog: ChangePasswordDialog) -> None:
        dialog.current_edit.setText(INITIAL["carol"])
        dialog.new_edit.setText(OWN["carol"])
        dialog.confirm_edit.setText(OWN["carol"])
        dialog.submit()

    answers = (
        Answers()
        .on(SignInDialog, signed_in_as("carol", INITIAL["carol"], opened))
        .on(ChangePasswordDialog, change)
        .on(PolicyDialog, lambda d: click(qtbot, d.decline_button))
    )
    assert complete_sign_in(None, unlocked) is None
    answers.check()
    [carols] = opened
    assert carols is not None and not carols.is_open  # signed in, then closed
    owner = office.owner()
    assert "policy.accepted" not in audit_actions(owner, "carol")


def test_refusing_to_choose_a_password_quits(qtbot, office):
    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    opened: list = []
    answers = (
        Answers()
        .on(SignInDialog, signed_in_as("dave", INITIAL["dave"], opened))
        .on(ChangePasswordDialog, lambda d: click(qtbot, d.cancel_button))
    )
    assert complete_sign_in(None, unlocked) is None
    answers.check()
    [daves] = opened
    assert daves is not None and not daves.is_open  # signed in, then closed
    assert "PolicyDialog" not in answers.seen


def test_the_wrong_initial_password_cannot_change_it(qtbot, office):
    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    session = unlocked.sign_in("bob", INITIAL["bob"])
    office.opened.append(session)
    dialog = ChangePasswordDialog(session, required=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.current_edit.setText("not the initial one")
    dialog.new_edit.setText(OWN["bob"])
    dialog.confirm_edit.setText(OWN["bob"])
    dialog.submit()
    assert dialog.isVisible()
    assert "That password is wrong" in dialog.message.text()
    assert session.must_change_password


# -- a vault with one user ------------------------------------------------------------------


def test_one_user_vault_opens_without_sign_in(qtbot, gui_session, vault_dir, keystore):
    gui_session.close()
    answers = Answers()  # nothing may be asked
    session = open_session(vault_dir, keystore=keystore, keyring_usable=True)
    answers.check()
    assert session is not None and session.actor == "zoe"
    assert answers.seen == []
    session.close()


# -- lock and unlock -------------------------------------------------------------------------


@pytest.fixture
def bobs_window(qtbot, office):
    session = office.ready("bob")
    window = MainWindow(session, office.folder, keystore=office.keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def test_unlock_after_a_lock_signs_the_same_person_in_again(qtbot, bobs_window, office):
    window = bobs_window
    window.lock()
    assert window.lock_screen.password_required()
    assert "Locked by Bob Stone" in window.lock_screen.owner_label.text()
    window.lock_screen.password_edit.setText("not it at all")
    window.lock_screen.unlock_requested.emit()
    assert not window.session.is_open
    assert "not right" in window.lock_screen.error_message.text()
    window.lock_screen.password_edit.setText(OWN["bob"])
    window.lock_screen.unlock_requested.emit()
    assert window.session.is_open and window.central.currentIndex() == 0
    assert window.session.actor == "bob"


def test_unlock_asks_to_accept_a_policy_published_while_locked(qtbot, bobs_window, office):
    window = bobs_window
    window.lock()
    owner = office.owner()
    text = PolicyService(owner).current().text + "\n\nPhotos of the screen are forbidden."
    PolicyService(owner).publish(text)
    seen: list[str] = []

    def accept(dialog: PolicyDialog) -> None:
        seen.append(dialog.text_view.toPlainText())
        dialog.accept_check.setChecked(True)
        dialog.accept_policy()

    answers = Answers().on(PolicyDialog, accept)
    window.lock_screen.password_edit.setText(OWN["bob"])
    window.lock_screen.unlock_requested.emit()
    answers.check()
    assert "Photos of the screen are forbidden." in seen[0]
    assert window.session.is_open and window.central.currentIndex() == 0


def test_declining_a_new_policy_at_unlock_keeps_it_locked(qtbot, bobs_window, office):
    window = bobs_window
    window.lock()
    owner = office.owner()
    PolicyService(owner).publish(PolicyService(owner).current().text + "\n\nNew rule.")
    answers = Answers().on(PolicyDialog, lambda d: d.reject())
    window.lock_screen.password_edit.setText(OWN["bob"])
    window.lock_screen.unlock_requested.emit()
    answers.check()
    assert not window.session.is_open
    assert window.central.currentWidget() is window.lock_screen
    assert "stays locked" in window.lock_screen.error_message.text()


def test_someone_else_cannot_unlock_the_window(qtbot, office, bobs_window):
    window = bobs_window
    window.lock()
    window.lock_screen.password_edit.setText(OWNER_PASSWORD)  # the owner's, not bob's
    window.lock_screen.unlock_requested.emit()
    assert not window.session.is_open
    assert window.central.currentWidget() is window.lock_screen


# -- the unlock dialog and the welcome screen sign in too -------------------------------------


@pytest.fixture
def passphrase_office(tmp_path):
    """A vault wrapped by a passphrase (no keyring), with the owner and bob."""
    from crmdesk.services.people import UserService as Users
    from crmdesk.services.session import Owner
    from crmdesk.services.signin import set_password
    from tests.support import FAST_KDF

    folder = tmp_path / "pvault"
    owner, recovery_key = sessions.create_vault(
        folder,
        Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"),
        passphrase="correct horse battery staple",
        kdf=FAST_KDF,
    )
    set_password(owner, OWNER_PASSWORD)
    Users(owner).add(
        "bob", "Bob Stone", "salesperson", INITIAL["bob"], owner_password=OWNER_PASSWORD
    )
    owner.close()
    return folder, recovery_key


def bob_first_sign_in() -> Answers:
    def sign_in(dialog: SignInDialog) -> None:
        dialog.login_edit.setText("bob")
        dialog.password_edit.setText(INITIAL["bob"])
        dialog.sign_in()

    def change(dialog: ChangePasswordDialog) -> None:
        dialog.current_edit.setText(INITIAL["bob"])
        dialog.new_edit.setText(OWN["bob"])
        dialog.confirm_edit.setText(OWN["bob"])
        dialog.submit()

    def accept(dialog: PolicyDialog) -> None:
        dialog.accept_check.setChecked(True)
        dialog.accept_policy()

    return (
        Answers()
        .on(SignInDialog, sign_in)
        .on(ChangePasswordDialog, change)
        .on(PolicyDialog, accept)
    )


def test_the_unlock_dialog_signs_in_after_the_passphrase(qtbot, passphrase_office):
    from crmdesk.gui.vault_flows.unlock import UnlockDialog
    from tests.support import MemoryKeyStore

    folder, _ = passphrase_office
    dialog = UnlockDialog(folder, "", needs_passphrase=True, keystore=MemoryKeyStore())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.passphrase_edit.setText("correct horse battery staple")
    answers = bob_first_sign_in()
    dialog.unlock()
    answers.check()
    session = dialog.session()
    assert session is not None and session.actor == "bob"
    assert session.pending_policy_version() is None
    session.close()


def test_the_owner_who_lost_their_password_signs_in_with_the_recovery_key(qtbot, passphrase_office):
    from crmdesk.gui.people.owner_recovery import OwnerRecoveryDialog

    folder, recovery_key = passphrase_office
    new_password = "a brand new owner password"
    seen: dict[str, object] = {}

    def forgot(dialog: SignInDialog) -> None:
        dialog.login_edit.setText("zoe")
        seen["tip"] = dialog.recovery_button.toolTip()
        click(qtbot, dialog.recovery_button)

    def back(dialog: SignInDialog) -> None:
        seen["login kept"] = dialog.login_edit.text()
        click(qtbot, dialog.recovery_button)

    def recover(dialog: OwnerRecoveryDialog) -> None:
        seen["note"] = dialog.owner_note.text()
        dialog.recovery_key_edit.setPlainText(recovery_key)
        dialog.new_password.password_edit.setText(new_password)
        dialog.new_password.confirm_edit.setText(new_password + " typo")
        click(qtbot, dialog.sign_in_button)
        seen["differ"] = dialog.message.text()
        dialog.new_password.confirm_edit.setText(new_password)
        click(qtbot, dialog.sign_in_button)

    answers = (
        Answers()
        .on(SignInDialog, forgot)
        .on(OwnerRecoveryDialog, lambda d: click(qtbot, d.cancel_button))  # back to sign-in
        .on(SignInDialog, back)
        .on(OwnerRecoveryDialog, recover)
    )
    session = complete_sign_in(None, sessions.open_vault(folder))
    answers.check()
    assert session is not None and session.actor == "zoe" and session.role.value == "owner"
    session.close()
    assert "ask the owner to reset it" in str(seen["tip"])
    assert seen["login kept"] == "zoe"
    assert "account of the vault's owner (zoe)" in str(seen["note"])
    assert "differ" in str(seen["differ"])
    # The owner's new password signs them in; the lost one no more; bob keeps his own.
    sessions.sign_in_at(folder, "zoe", new_password).close()
    with pytest.raises(SignInFailed):
        sessions.sign_in_at(folder, "zoe", OWNER_PASSWORD)
    sessions.sign_in_at(folder, "bob", INITIAL["bob"]).close()


def test_a_wrong_recovery_key_signs_nobody_in(qtbot, passphrase_office):
    from crmdesk.gui.people.owner_recovery import OwnerRecoveryDialog

    folder, recovery_key = passphrase_office
    dialog = OwnerRecoveryDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    slip = "A" if recovery_key[5] != "A" else "B"  # one character typed wrong
    dialog.recovery_key_edit.setPlainText(recovery_key[:5] + slip + recovery_key[6:])
    dialog.new_password.password_edit.setText("a brand new owner password")
    dialog.new_password.confirm_edit.setText("a brand new owner password")
    dialog.recover()
    assert dialog.isVisible() and dialog.unlocked() is None
    assert "typo" in dialog.message.text()
    sessions.sign_in_at(folder, "zoe", OWNER_PASSWORD).close()  # nothing changed


def test_the_welcome_screen_signs_in_when_opening_a_vault(qtbot, passphrase_office):
    from crmdesk.gui.vault_flows.welcome import WelcomeDialog
    from tests.support import MemoryKeyStore

    folder, _ = passphrase_office
    dialog = WelcomeDialog(folder, keystore=MemoryKeyStore(), keyring_usable=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.go_to_open()
    dialog.open_passphrase_edit.setText("correct horse battery staple")
    answers = bob_first_sign_in()
    dialog.open_vault()
    answers.check()
    session = dialog.session()
    assert session is not None and session.actor == "bob"
    session.close()
