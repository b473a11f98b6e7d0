"""Offboarding a user and changing the vault's keys from the app, over real vaults.

Offboarding changes every key the leaver held and keeps the owner's recovery key (the
leaver never had it): the kit printed before still opens the vault. Rotating the keys
shows a new recovery key once; it is typed back (as a person would, from the screen)
into the recovery the app offers: it must open the vault.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from crmdesk.errors import CrmdeskError
from crmdesk.gui.offboarding.recovery_key import STORED_TEXT
from crmdesk.gui.offboarding.rotate import RotateKeyDialog, rotate_key_flow
from crmdesk.gui.offboarding.wizard import OffboardingWizard, summary_text
from crmdesk.services import people, signin, unlocking
from crmdesk.services import session as session_service
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.clients import ClientService
from crmdesk.services.opening import pending_recovery_key
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.reports import ReportService
from crmdesk.vault import Owner
from tests.support import FAST_KDF, MemoryKeyStore

OWNER_PASSWORD = "owner pass 1234"
BOB_INITIAL = "initial pass 123"
BOB_PASSWORD = "bob's new pass 123"
PHRASE = "correct horse battery staple"
WAIT = 60_000


@pytest.fixture
def fast_passwords(monkeypatch):
    monkeypatch.setattr(people, "PASSWORD_KDF", FAST_KDF)


def add_bob(owner, vault) -> str | None:
    """Bob, a salesperson, who signs in, views his client and prints its summary. Returns
    the owner's new recovery key when adding him replaced it (a keyring vault)."""
    signin.set_password(owner, OWNER_PASSWORD)
    UserService(owner).add(
        "bob", "Bob Stone", "salesperson", BOB_INITIAL, owner_password=OWNER_PASSWORD
    )
    recovery_key = pending_recovery_key(owner)
    client_id = ClientService(owner).add(
        {"name": "Stone Supplies", "salesperson": "Bob Stone", "notes": "Buys in March."}
    )
    bob = signin.sign_in(vault.folder, "bob", BOB_INITIAL)
    signin.change_password(bob, BOB_INITIAL, BOB_PASSWORD)
    PolicyService(bob).accept()
    ClientService(bob).get(client_id)
    ReportService(bob).client_summary(client_id)
    bob.close()
    return recovery_key


@pytest.fixture
def office_and_key(gui_session, vault, fast_passwords):
    """The owner's session, and the recovery key they were shown when bob was added."""
    recovery_key = add_bob(gui_session, vault)
    assert recovery_key is not None
    return gui_session, recovery_key


@pytest.fixture
def office(office_and_key):
    return office_and_key[0]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def typed(shown: str) -> str:
    """The key as a person types it from the screen: the lines joined by a dash."""
    return shown.replace("\n", "-")


def opens_the_vault(folder: Path, recovery_key: str) -> bool:
    """The recovery key opens the owner's account: in a vault of several people with a
    new password for the owner, in a vault of one person into a fresh keyring."""
    owner = unlocking.recovery_owner(folder)  # the login the app names on screen
    several = owner is not None
    fresh = MemoryKeyStore()
    recovered = unlocking.recover_for_sign_in(
        folder,
        recovery_key,
        login=owner,
        keystore=fresh,
        new_password="after recovery 1" if several else None,
    )
    try:
        owner = recovered.sole_user()
        return owner.is_open and owner.role.value == "owner" and (several or bool(fresh.entries))
    finally:
        recovered.close()


def password_fields(dialog) -> list[QLineEdit]:
    """The fields on screen that take a password or passphrase."""
    return [
        edit
        for edit in dialog.findChildren(QLineEdit)
        if edit.echoMode() == QLineEdit.EchoMode.Password and edit.isVisible()
    ]


def wizard_for(qtbot, session, keystore) -> OffboardingWizard:
    wizard = OffboardingWizard(session, keystore=keystore)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def run(qtbot, dialog) -> None:
    """Start the dialog's work and wait until it is over (done or refused)."""
    qtbot.waitUntil(lambda: dialog.op is None, timeout=WAIT)


# -- the wizard ---------------------------------------------------------------------------


def test_offboarding_disables_changes_every_key_they_held_and_prints_both_reports(
    qtbot, office_and_key, vault_dir, keystore
):
    office, recovery_key = office_and_key
    wizard = wizard_for(qtbot, office, keystore)
    assert wizard.current_page() is wizard.choose_page
    assert not wizard.offboard_button.isEnabled()  # nobody chosen yet
    assert wizard.users_model.rowCount() == 1  # not the owner
    assert wizard.users_model.text_at(0, 0) == "Bob Stone"
    assert wizard.users_model.text_at(0, 2) == "Salesperson"
    assert wizard.users_model.text_at(0, 3) != "Never"  # his last sign-in
    assert wizard.days_spin.value() == 90
    assert password_fields(wizard) == []  # keys are changed without anyone's password

    assert wizard.select_user("bob")
    assert wizard.offboard_button.text() == "Offboard Bob Stone"
    summary = wizard.summary_text
    assert "Bob Stone's account (bob) is disabled at once" in summary
    assert "Every key Bob held (the main database's and their own book's) is changed" in summary
    assert "Your recovery key stays as it is: Bob never had it." in summary
    assert "last 90 days" in summary
    assert "cannot be undone" in wizard.undo_note.text()

    wizard.days_spin.setValue(30)
    wizard.offboard_button.click()
    run(qtbot, wizard)
    assert wizard.current_page() is wizard.results_page, wizard.message.text()
    assert wizard.results_title.text() == "Bob Stone is offboarded"
    done = wizard.done_label.text()
    assert "The account bob is disabled" in done
    assert "Every key Bob held was changed and given again to everyone else" in done
    assert "Your recovery key stays as it is" in done

    # The account is disabled.
    assert not UserService(office).get("bob").enabled
    # The Access report mentions Bob and what he did; the certificate has signature lines.
    result = wizard.result_
    assert result.rotated and result.recovery_key is None
    access = pdf_text(result.access_report.data)
    assert "Bob Stone" in access and "bob" in access
    assert "Viewed" in access
    certificate = pdf_text(result.certificate.data)
    assert "Signature of Bob Stone, employee" in certificate
    assert "Date" in certificate
    assert result.access_report.record.report_id in wizard.access_row.info_label.text()
    assert result.certificate.record.report_id in wizard.certificate_row.info_label.text()

    # No new recovery key to store: Finish at once.
    assert wizard.finish_button.isEnabled()
    wizard.finish_button.click()
    assert wizard.result() == wizard.DialogCode.Accepted

    with pytest.raises(signin.SignInFailed, match="disabled"):
        signin.sign_in(office.vault.folder, "bob", BOB_PASSWORD)
    rotated = ActivityService(office).log(ActivityFilter(action="key.rotated"))
    assert rotated[0].details["reason"] == "bob disabled"
    actions = [e.action for e in ActivityService(office).log(ActivityFilter(limit=30))]
    assert {"user.disabled", "key.rotated", "user.offboarded"} <= set(actions)
    # The recovery kit the owner printed when bob was added still opens the vault.
    office.close()
    assert opens_the_vault(vault_dir, recovery_key)


def test_reports_preview_and_save(qtbot, office, keystore, tmp_path, monkeypatch):
    wizard = wizard_for(qtbot, office, keystore)
    wizard.select_user("bob")
    wizard.offboard()
    run(qtbot, wizard)
    preview = wizard.access_row.show_preview()
    qtbot.addWidget(preview)
    assert preview.isVisible()
    assert preview.page_count() == wizard.result_.access_report.record.page_count >= 1

    # Save as PDF… through the preview: written and audited.
    target = tmp_path / "certificate.pdf"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    wizard.certificate_row.save_button.click()
    assert "Signature of Bob Stone" in pdf_text(target.read_bytes())
    saved = ActivityService(office).log(ActivityFilter(action="report.saved"))
    assert saved[0].object == f"report:{wizard.result_.certificate.record.report_id}"
    wizard.finish()


def test_the_access_reports_entries_are_saved_as_csv(
    qtbot, office, keystore, tmp_path, monkeypatch
):
    wizard = wizard_for(qtbot, office, keystore)
    wizard.select_user("bob")
    wizard.offboard()
    run(qtbot, wizard)
    companion = wizard.result_.access_report.companion
    assert companion is not None
    assert wizard.certificate_row.entries_button is None  # the certificate has none
    target = tmp_path / "bob-entries.csv"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV"))
    wizard.access_row.entries_button.click()
    assert target.read_bytes() == companion.data
    saved = ActivityService(office).log(ActivityFilter(action="report.saved"))
    assert saved[0].object == f"report:{companion.record.report_id}"
    wizard.finish()


def test_only_enabled_users_other_than_the_owner_are_offered(qtbot, office, keystore):
    users = UserService(office)
    users.add("carl", "Carl Ray", "assistant", "initial pass 456")
    users.add("dina", "Dina Fox", "manager", "initial pass 789")
    users.disable("dina", reason="left in 2025")
    wizard = wizard_for(qtbot, office, keystore)
    logins = [wizard.users_model.key_at(r) for r in range(wizard.users_model.rowCount())]
    assert sorted(logins) == ["bob", "carl"]
    assert wizard.users_model.text_at(logins.index("carl"), 3) == "Never"


def test_vault_open_elsewhere_is_explained_and_offboarding_can_resume(
    qtbot, office, vault_dir, keystore
):
    other = session_service.unlock(
        vault_dir, keystore=keystore, login="zoe", password=OWNER_PASSWORD
    )  # another window
    wizard = wizard_for(qtbot, office, keystore)
    wizard.select_user("bob")
    wizard.offboard()
    run(qtbot, wizard)
    assert wizard.current_page() is wizard.choose_page
    text = wizard.message.text()
    assert wizard.message.isVisible()
    assert "Bob Stone's account is disabled, but the keys they held are not changed yet" in text
    assert "Close it there, then choose Offboard again" in text
    # Bob is disabled already, and stays on the list to finish the work.
    assert wizard.users_model.text_at(0, 0) == "Bob Stone (disabled; offboarding not finished)"
    assert wizard.chosen_user().login == "bob"
    assert wizard.offboard_button.isEnabled()

    other.close()
    wizard.offboard()
    run(qtbot, wizard)
    assert wizard.current_page() is wizard.results_page, wizard.message.text()
    assert wizard.result_.rotated
    assert "Every key Bob held was changed" in wizard.done_label.text()
    wizard.finish()


# -- a vault made with a passphrase ---------------------------------------------------------


@pytest.fixture
def passphrase_office(tmp_path, fast_passwords):
    """A vault made with a passphrase (no keyring), then bob: the owner's password opens
    their key, as everyone's does; the recovery key is the one from the vault's making."""
    folder = tmp_path / "pvault"
    owner, recovery_key = session_service.create_vault(
        folder, Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"), passphrase=PHRASE,
        kdf=FAST_KDF,
    )  # fmt: skip
    assert add_bob(owner, owner.vault) is None  # no keyring: the recovery key stays
    yield owner, folder, recovery_key
    if owner.is_open:
        owner.close()


def test_offboarding_in_a_vault_made_with_a_passphrase_asks_for_nothing(qtbot, passphrase_office):
    owner, folder, recovery_key = passphrase_office
    wizard = wizard_for(qtbot, owner, None)
    assert password_fields(wizard) == []
    wizard.select_user("bob")
    wizard.offboard()
    run(qtbot, wizard)
    assert wizard.current_page() is wizard.results_page, wizard.message.text()
    assert wizard.result_.rotated
    wizard.finish()
    owner.close()
    assert opens_the_vault(folder, recovery_key)


def test_summary_text_in_words():
    assert summary_text(None, 90) == "Choose the person who is leaving."


# -- changing the key on its own ---------------------------------------------------------


def rotate_dialog(qtbot, session, keystore) -> RotateKeyDialog:
    dialog = RotateKeyDialog(session, keystore=keystore)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_rotating_the_keys_asks_the_owners_password_and_shows_the_new_recovery_key_once(
    qtbot, office_and_key, vault_dir, keystore
):
    office, old_key = office_and_key
    dialog = rotate_dialog(qtbot, office, keystore)
    explained = dialog.explanation.text()
    assert "Everyone keeps their password" in explained
    assert "old recovery kits stop opening this vault" in explained
    assert "Backups and copies made before now keep the old keys" in explained
    assert password_fields(dialog) == [dialog.passphrase_edit]  # the owner's own password
    dialog.rotate_button.click()  # no reason yet
    assert dialog.op is None and "Say why" in dialog.message.text()
    dialog.reason_edit.setText("a laptop with a copy was stolen")
    dialog.rotate_button.click()  # no password yet
    assert dialog.op is None and "Type the password you sign in with" in dialog.message.text()
    dialog.passphrase_edit.setText("not my password at all")
    dialog.rotate_button.click()
    run(qtbot, dialog)
    assert not dialog.rotated
    assert "That password does not open your key; nothing was changed" in dialog.message.text()
    assert dialog.passphrase_edit.text() == ""
    dialog.passphrase_edit.setText(OWNER_PASSWORD)
    dialog.rotate_button.click()
    run(qtbot, dialog)
    assert dialog.rotated, dialog.message.text()
    assert dialog.current_page() is dialog.key_page

    # The new recovery key: shown once, monospaced, grouped, not selectable.
    panel = dialog.key_panel
    shown = panel.shown_key()
    assert len(shown.splitlines()) == 2 and shown.count("-") >= 10
    assert panel.key_label.font().styleHint() == panel.key_label.font().StyleHint.Monospace
    assert panel.key_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert panel.key_label.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    assert typed(shown) not in (QApplication.clipboard().text() or "")
    assert panel.stored_checkbox.text() == STORED_TEXT

    # Finish waits for the box; closing is refused meanwhile.
    assert not dialog.finish_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible()
    assert "will not be shown again" in panel.message.text()
    kit = panel.print_kit()  # built in memory, previewed to print, registered
    assert kit is not None
    qtbot.addWidget(kit)
    assert shown.split("-")[0] in pdf_text(kit.report.data)
    assert kit.report.record.kind == "recovery-kit"
    panel.stored_checkbox.setChecked(True)
    dialog.finish_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert panel.shown_key() == ""  # gone from the screen
    rotated = ActivityService(office).log(ActivityFilter(action="key.rotated"))
    assert rotated[0].details["reason"] == "a laptop with a copy was stolen"

    # Everyone signs in as before; the new key opens the vault, the old one no more.
    session_service.sign_in_at(vault_dir, "bob", BOB_PASSWORD).close()
    office.close()
    with pytest.raises(CrmdeskError, match="does not open this vault"):
        opens_the_vault(vault_dir, old_key)
    assert opens_the_vault(vault_dir, typed(shown))


def test_rotating_the_keys_of_a_one_person_vault_keeps_them_in_the_keyring(
    qtbot, gui_session, vault_dir, keystore
):
    before = dict(keystore.entries)
    dialog = rotate_dialog(qtbot, gui_session, keystore)
    assert password_fields(dialog) == []  # the keyring opens the owner's key
    dialog.reason_edit.setText("yearly")
    dialog.rotate()
    run(qtbot, dialog)
    assert dialog.rotated, dialog.message.text()
    assert keystore.entries != before  # a new secret for the new keys, where the old was
    shown = dialog.key_panel.shown_key()
    dialog.key_panel.stored_checkbox.setChecked(True)
    dialog.finish()
    gui_session.close()
    session_service.unlock(vault_dir, keystore=keystore).close()
    assert opens_the_vault(vault_dir, typed(shown))


def test_rotation_refused_while_the_vault_is_open_elsewhere(qtbot, office, vault_dir, keystore):
    other = session_service.unlock(
        vault_dir, keystore=keystore, login="zoe", password=OWNER_PASSWORD
    )
    dialog = rotate_dialog(qtbot, office, keystore)
    dialog.reason_edit.setText("yearly")
    dialog.passphrase_edit.setText(OWNER_PASSWORD)
    dialog.rotate()
    run(qtbot, dialog)
    other.close()
    assert not dialog.rotated
    assert dialog.current_page() is dialog.confirm_page
    assert dialog.message.isVisible() and "open elsewhere" in dialog.message.text()
    assert dialog.rotate_button.isEnabled()
    dialog.reject()
    assert not dialog.isVisible()


def test_rotation_of_a_passphrase_vault(qtbot, tmp_path, fast_passwords):
    folder = tmp_path / "pvault"
    owner, _ = session_service.create_vault(
        folder, Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"), passphrase=PHRASE,
        kdf=FAST_KDF,
    )  # fmt: skip
    dialog = rotate_dialog(qtbot, owner, None)
    assert password_fields(dialog) == [dialog.passphrase_edit]
    dialog.reason_edit.setText("yearly")
    dialog.rotate()
    assert "master passphrase" in dialog.message.text()
    dialog.passphrase_edit.setText("wrong wrong wrong wrong")
    dialog.rotate()
    run(qtbot, dialog)
    assert not dialog.rotated and "does not open your key" in dialog.message.text()
    dialog.passphrase_edit.setText(PHRASE)
    dialog.rotate()
    run(qtbot, dialog)
    assert dialog.rotated, dialog.message.text()
    key = typed(dialog.key_panel.shown_key())
    dialog.key_panel.stored_checkbox.setChecked(True)
    dialog.finish()
    owner.close()
    # The new keys are wrapped by the same passphrase, and the recovery key opens them too.
    session_service.unlock(folder, passphrase=PHRASE).close()
    assert opens_the_vault(folder, key)


def modal_driver(step, seconds: float = 60.0):
    """Call ``step(dialog)`` every 50 ms with the open RotateKeyDialog until it returns
    True; past the deadline the dialog is closed, so a failing test cannot hang."""
    import time

    deadline = time.monotonic() + seconds

    def tick() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, RotateKeyDialog)]
        shown = [d for d in dialogs if d.isVisible()]
        if time.monotonic() > deadline:
            for d in shown:
                d.done(0)
            return
        if not shown or not step(shown[0]):
            QTimer.singleShot(50, tick)

    QTimer.singleShot(0, tick)


def test_rotate_key_flow_returns_whether_the_key_changed(qtbot, office, keystore):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)

    def change(dialog: RotateKeyDialog) -> bool:
        if dialog.op is not None:
            return False
        if not dialog.rotated:
            if dialog.reason_edit.text():
                dialog.done(0)  # refused: give up (the assertion below fails)
                return True
            dialog.reason_edit.setText("someone left")
            dialog.passphrase_edit.setText(OWNER_PASSWORD)
            dialog.rotate()
            return False
        dialog.key_panel.stored_checkbox.setChecked(True)
        dialog.finish()
        return True

    modal_driver(change)
    assert rotate_key_flow(parent, office, keystore=keystore) is True

    def cancel(dialog: RotateKeyDialog) -> bool:
        dialog.cancel_button.click()
        return True

    modal_driver(cancel)
    assert rotate_key_flow(parent, office, keystore=keystore) is False


def test_enter_in_a_field_does_not_change_the_key(qtbot, office, keystore):
    dialog = rotate_dialog(qtbot, office, keystore)
    dialog.reason_edit.setText("someone left")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.op is None and not dialog.rotated
    assert dialog.isVisible()


def test_enter_in_the_wizard_does_not_offboard(qtbot, office, keystore):
    wizard = wizard_for(qtbot, office, keystore)
    wizard.select_user("bob")
    qtbot.keyClick(wizard.days_spin, Qt.Key.Key_Return)
    assert wizard.op is None and wizard.result_ is None
    assert UserService(office).get("bob").enabled
