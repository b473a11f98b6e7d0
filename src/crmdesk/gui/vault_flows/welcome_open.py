"""Opening an existing vault, or restoring access with its recovery key, from the
first-run screen.

A part of :class:`crmdesk.gui.vault_flows.welcome.WelcomeDialog` (its open and restore
pages and their actions), kept apart so that each file has one job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
)

from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.people.owner_recovery import owner_recovery_note, recovery_owner
from crmdesk.gui.vault_flows.unlock import keyring_explanation
from crmdesk.gui.vault_flows.welcome_parts import FolderRow, Page
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import busy, call_service
from crmdesk.gui.widgets.secret_fields import (
    NewPasswordFields,
    PassphraseFields,
    RecoveryKeyEdit,
    secret_edit,
)
from crmdesk.gui.widgets.style import note_label, primary_button
from crmdesk.services import session as session_service
from crmdesk.services import unlocking
from crmdesk.services.session import Session
from crmdesk.services.signin import MIN_PASSWORD_CHARS


class OpenVaultFlow(AppDialog):
    """The open page and the restore page of the first-run screen (WelcomeDialog supplies
    ``_back_button``, ``go_to_restore`` and ``_sign_in_and_accept``)."""

    # Set by WelcomeDialog.__init__ (which also builds these pages).
    folder: Path
    stack: QStackedWidget
    _keystore: Any
    _keyring_usable: bool
    _keyring_problem: str
    _session: Session | None
    open_page: Page
    restore_page: Page

    def _build_open_page(self) -> Page:
        page = Page("Open an existing vault", "Choose the folder that holds the vault.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.open_folder_row = FolderRow(self.folder, "Choose…", "The vault folder")
        self.open_folder_row.button.clicked.connect(self._choose_open_folder)
        self.open_passphrase_edit = secret_edit("Master passphrase")
        self.open_passphrase_label = QLabel("Master passphrase:")
        form.addRow("Vault folder:", self.open_folder_row)
        form.addRow(self.open_passphrase_label, self.open_passphrase_edit)
        page.body.addLayout(form)
        self.open_hint = note_label("")
        page.body.addWidget(self.open_hint)
        self.use_recovery_button = QPushButton("Use the recovery key instead…")
        self.use_recovery_button.setAutoDefault(False)
        self.use_recovery_button.clicked.connect(self._open_to_restore)
        self.open_button = primary_button("Open vault")
        self.open_button.clicked.connect(self.open_vault)
        page.finish_layout([self.use_recovery_button, self.open_button], self._back_button())
        return page

    def _build_restore_page(self) -> Page:
        page = Page(
            "Restore access with a recovery key",
            "Type the recovery key from your printed recovery kit. Capital or small letters, "
            "spaces and dashes do not matter.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.restore_folder_row = FolderRow(self.folder, "Choose…", "The vault folder")
        self.restore_folder_row.button.clicked.connect(self._choose_restore_folder)
        self.restore_key_edit = RecoveryKeyEdit()
        form.addRow("Vault folder:", self.restore_folder_row)
        form.addRow("Recovery key:", self.restore_key_edit)
        self.restore_passphrase = PassphraseFields(page)
        # Several people: the recovery key opens the owner's account, with a new password.
        self.restore_owner_note = note_label(owner_recovery_note("the owner"))
        form.addRow(self.restore_owner_note)
        self.restore_password = NewPasswordFields(page, MIN_PASSWORD_CHARS)
        self.restore_password.add_to(form, "New password for the owner:")
        if self._keyring_usable:
            self.restore_where_note = note_label(
                "The key will be kept in this computer's keyring from now on."
            )
            form.addRow(self.restore_where_note)
        else:
            self.restore_where_note = note_label(
                keyring_explanation(self._keyring_problem), "warningNote"
            )
            form.addRow(self.restore_where_note)
            self.restore_passphrase.add_to(form)
        self._restore_form = form
        page.body.addLayout(form)
        self.restore_button = primary_button("Restore access")
        self.restore_button.clicked.connect(self.restore)
        page.finish_layout([self.restore_button], self._back_button())
        self._restore_owner: str | None = None
        self._show_restore_password(False)
        return page

    def _show_restore_password(self, needed: bool) -> None:
        """Several people: a new password for the owner instead of the keyring or a new
        passphrase."""
        self._restore_password_needed = needed
        self.restore_owner_note.setVisible(needed)
        self.restore_password.set_visible(needed)
        self.restore_where_note.setVisible(not needed)
        if not self._keyring_usable:
            for edit in (
                self.restore_passphrase.passphrase_edit,
                self.restore_passphrase.confirm_edit,
            ):
                self._restore_form.setRowVisible(edit, not needed)

    def _refresh_restore_page(self) -> None:
        """What recovering the chosen folder's vault asks for."""
        owner = recovery_owner(self.restore_folder_row.folder)
        self._restore_owner = owner
        if owner is not None:
            self.restore_owner_note.setText(owner_recovery_note(owner))
        self._show_restore_password(owner is not None)

    # -- open existing ---------------------------------------------------------------------

    def _choose_open_folder(self) -> None:
        chosen = self.open_folder_row.pick()
        if chosen is not None:
            self.open_folder_row.set_folder(chosen)
            self._refresh_open_page()

    def _folder_needs_passphrase(self, folder: Path) -> bool:
        try:
            return session_service.vault_exists(folder) and session_service.needs_passphrase(folder)
        except CrmdeskError:
            return False  # opening will say what is wrong

    def _refresh_open_page(self) -> None:
        folder = self.open_folder_row.folder
        self.open_page.message.clear_message()
        needs = self._folder_needs_passphrase(folder)
        self.open_passphrase_edit.setVisible(needs)
        self.open_passphrase_label.setVisible(needs)
        if not session_service.vault_exists(folder):
            self.open_hint.setText("There is no crmdesk vault in this folder yet: choose another.")
        elif needs:
            self.open_hint.setText("This vault is protected by a master passphrase.")
            self.open_passphrase_edit.setFocus()
        else:
            self.open_hint.setText("The vault key will be taken from this computer's keyring.")

    def open_vault(self) -> None:
        """Unlock the chosen folder's vault (with the passphrase when it has one)."""
        folder = self.open_folder_row.folder
        message = self.open_page.message
        if not session_service.vault_exists(folder):
            message.show_error(
                f"{folder} holds no crmdesk vault (its vault.json is missing). Choose the "
                "folder that contains crmdesk.db and vault.json."
            )
            return
        needs = self._folder_needs_passphrase(folder)
        passphrase = self.open_passphrase_edit.text() if needs else None
        if needs and not passphrase:
            message.show_error("Type the vault's master passphrase.")
            self.open_passphrase_edit.setFocus()
            return
        opened = call_service(
            message,
            lambda: session_service.open_vault(
                folder, keystore=self._keystore, passphrase=passphrase
            ),
        )
        if opened is None:
            if needs:
                self.open_passphrase_edit.selectAll()
                self.open_passphrase_edit.setFocus()
            return
        self.open_passphrase_edit.clear()
        self._sign_in_and_accept(opened, folder)

    def _open_to_restore(self) -> None:
        self.restore_folder_row.set_folder(self.open_folder_row.folder)
        self._refresh_restore_page()
        self.go_to_restore()

    # -- restore ---------------------------------------------------------------------------

    def _choose_restore_folder(self) -> None:
        chosen = self.restore_folder_row.pick()
        if chosen is not None:
            self.restore_folder_row.set_folder(chosen)
            self._refresh_restore_page()

    def restore(self) -> None:
        """Open the vault with the recovery key and keep its key on this computer again."""
        folder = self.restore_folder_row.folder
        message = self.restore_page.message
        message.clear_message()
        key = self.restore_key_edit.key_text()
        new_passphrase: str | None = None
        new_password: str | None = None
        if recovery_owner(folder) != self._restore_owner:  # a folder typed or changed
            self._refresh_restore_page()
            if self._restore_password_needed:
                message.show_error(owner_recovery_note(self._restore_owner or "the owner"))
                self.restore_password.focus_first()
                return
        try:
            if not session_service.vault_exists(folder):
                raise BadInput(
                    f"{folder} holds no crmdesk vault (its vault.json is missing). Choose the "
                    "folder that contains crmdesk.db and vault.json.",
                    code="vault.none.folder",
                    folder=folder,
                )
            if not key:
                raise BadInput(
                    "Type the recovery key from your printed recovery kit.",
                    code="recovery_key.missing",
                )
            if self._restore_password_needed:
                new_password = self.restore_password.value()
            elif not self._keyring_usable:
                new_passphrase = self.restore_passphrase.value()
        except CrmdeskError as exc:
            message.show_error(error_text(exc))
            return
        # The recovery key opens the owner's key slot: the owner is the one who goes on.
        try:
            with busy():
                opened = unlocking.recover_for_sign_in(
                    folder,
                    key,
                    login=self._restore_owner,
                    keystore=self._keystore,
                    new_passphrase=new_passphrase,
                    new_password=new_password,
                )
        except CrmdeskError as exc:
            if exc.code == "recover.password_needed":
                # An old-format vault of several people: only its upgrade knew.
                self._show_restore_password(True)
                self.restore_password.focus_first()
            else:
                self.restore_key_edit.setFocus()
            message.show_error(error_text(exc))
            return
        self.restore_key_edit.clear()
        self.restore_passphrase.clear()
        self.restore_password.clear()
        self._sign_in_and_accept(opened, folder)
