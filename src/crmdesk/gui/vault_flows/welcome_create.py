"""Creating a vault on the first-run screen, then showing its recovery key once.

A part of :class:`crmdesk.gui.vault_flows.welcome.WelcomeDialog` (its create and
recovery-key pages and their actions), kept apart so that each file has one job.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
)

from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.vault_flows.unlock import keyring_explanation
from crmdesk.gui.vault_flows.welcome_parts import FolderRow, Page, documents_dir, login_from_name
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import busy
from crmdesk.gui.widgets.secret_fields import PassphraseFields
from crmdesk.gui.widgets.style import mono_font, note_label, primary_button
from crmdesk.services import session as session_service
from crmdesk.services.recovery_kit import key_lines
from crmdesk.services.reports import ReportService
from crmdesk.services.session import (  # Owner: not from crmdesk.vault (layering)
    Owner,
    Session,
)

KIT_FILE_NAME = "crmdesk-recovery-kit.pdf"
NEW_VAULT_SUBFOLDER = "crmdesk-vault"


class CreateVaultFlow(AppDialog):
    """The create page and the recovery-key page of the first-run screen (WelcomeDialog
    supplies ``_back_button``)."""

    # Set by WelcomeDialog.__init__ (which also builds these pages).
    folder: Path
    stack: QStackedWidget
    _keystore: Any
    _keyring_usable: bool
    _keyring_problem: str
    _session: Session | None
    create_page: Page
    key_page: Page

    _recovery_key: str
    _created: datetime | None
    _login_edited: bool
    kit_path: Path | None

    def _build_create_page(self) -> Page:
        page = Page(
            "Create a new vault",
            "Your name and your business appear on printed reports and in the audit trail.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Zoë Łukasiewicz")
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("used to sign actions in the audit trail")
        self.business_edit = QLineEdit()
        self.business_edit.setPlaceholderText("e.g. Łukasiewicz Trading")
        self.name_edit.textChanged.connect(self._suggest_login)
        self.login_edit.textEdited.connect(self._login_was_edited)
        self.create_folder_row = FolderRow(self.folder, "Change…", "Where to keep the vault")
        self.create_folder_row.button.clicked.connect(self._change_create_folder)
        form.addRow("Your full name:", self.name_edit)
        form.addRow("Login:", self.login_edit)
        form.addRow("Business name:", self.business_edit)
        form.addRow("Vault folder:", self.create_folder_row)
        self.create_passphrase = PassphraseFields(page)
        if self._keyring_usable:
            self.keyring_note = note_label(
                "The vault key is kept in this computer's keyring: nothing to type to open "
                "the vault, and a recovery key to print in case the keyring entry is ever lost."
            )
        else:
            self.keyring_note = note_label(
                keyring_explanation(self._keyring_problem), "warningNote"
            )
        form.addRow(self.keyring_note)
        if not self._keyring_usable:
            self.create_passphrase.add_to(form)
        page.body.addLayout(form)

        self.create_button = primary_button("Create vault")
        self.create_button.clicked.connect(self.create_vault)
        page.finish_layout([self.create_button], self._back_button())
        return page

    def _build_key_page(self) -> Page:
        page = Page("Your recovery key")
        page.body.addWidget(
            note_label(
                "This key is the only way back into your vault if you move to a new computer "
                "or this computer's keyring entry is lost. It is shown only this once: "
                "crmdesk never stores it."
            )
        )
        self.recovery_key_label = QLabel()
        self.recovery_key_label.setObjectName("recoveryKey")
        self.recovery_key_label.setFont(mono_font(17))
        self.recovery_key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recovery_key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.recovery_key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        page.body.addWidget(self.recovery_key_label)
        page.body.addWidget(
            note_label(
                "•  Print the recovery kit (or write the key down) and lock it away, "
                "apart from this computer.\n"
                "•  Anyone who has this key can open the vault and read every record in it.\n"
                "•  If you save the kit as a file, delete the file once it is printed.",
                "advice",
            )
        )
        kit_row = QHBoxLayout()
        self.print_kit_button = QPushButton("Print recovery kit…")
        self.print_kit_button.setAutoDefault(False)
        self.print_kit_button.clicked.connect(self.save_recovery_kit)
        self.open_kit_button = QPushButton("Open it to print")
        self.open_kit_button.setAutoDefault(False)
        self.open_kit_button.clicked.connect(self.open_recovery_kit)
        self.open_kit_button.hide()
        kit_row.addWidget(self.print_kit_button)
        kit_row.addWidget(self.open_kit_button)
        kit_row.addStretch(1)
        page.body.addLayout(kit_row)
        self.stored_checkbox = QCheckBox(
            "I have printed or written down my recovery key and stored it safely"
        )
        self.stored_checkbox.toggled.connect(self._update_finish)
        page.body.addSpacing(6)
        page.body.addWidget(self.stored_checkbox)
        self.finish_button = primary_button("Finish")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish)
        page.finish_layout([self.finish_button], None)
        return page

    # -- create --------------------------------------------------------------------------

    def _suggest_login(self, name: str) -> None:
        if not self._login_edited:
            self.login_edit.setText(login_from_name(name))

    def _login_was_edited(self, text: str) -> None:
        self._login_edited = bool(text)

    def _change_create_folder(self) -> None:
        chosen = self.create_folder_row.pick()
        if chosen is None:
            return
        # A vault is a folder of its own: never spread its files among other files.
        has_other_files = chosen.is_dir() and any(chosen.iterdir())
        if has_other_files and not session_service.vault_exists(chosen):
            chosen = chosen / NEW_VAULT_SUBFOLDER
        self.create_folder_row.set_folder(chosen)

    def create_vault(self) -> None:
        """Create the vault from the form; on success show the recovery key page."""
        page = self.create_page
        page.message.clear_message()
        owner = Owner(
            self.name_edit.text().strip(),
            self.login_edit.text().strip(),
            self.business_edit.text().strip(),
        )
        passphrase: str | None = None
        try:
            if not owner.full_name:
                raise BadInput(
                    "Type your full name: it is shown on reports and in the audit trail.",
                    code="owner.full_name_missing",
                )
            if not self._keyring_usable:
                passphrase = self.create_passphrase.value()
        except CrmdeskError as exc:
            page.message.show_error(error_text(exc))
            return
        folder = self.create_folder_row.folder
        try:
            with busy():
                result = session_service.create_vault(
                    folder, owner, keystore=self._keystore, passphrase=passphrase
                )
        except CrmdeskError as exc:
            page.message.show_error(error_text(exc))
            if passphrase is not None and exc.code.startswith("passphrase."):
                self.create_passphrase.focus_first()  # e.g. too short: type another
            return
        self.create_passphrase.clear()
        self._show_recovery_key(result, folder)

    def _show_recovery_key(self, result: tuple[Session, str], folder: Path) -> None:
        """The new vault is open: its recovery key shown once (create, and join)."""
        self._session, self._recovery_key = result
        self.folder = folder
        self._created = datetime.now().astimezone()
        self.recovery_key_label.setText("\n".join(key_lines(self._recovery_key)))
        self.stored_checkbox.setChecked(False)
        self.stack.setCurrentWidget(self.key_page)
        self.print_kit_button.setFocus()

    # -- recovery key ------------------------------------------------------------------

    def _update_finish(self, checked: bool) -> None:
        self.finish_button.setEnabled(checked)
        if checked:
            self.key_page.message.clear_message()

    def save_recovery_kit(self) -> Path | None:
        """Ask where to save the recovery kit PDF, write it, and offer to open it."""
        if self._session is None:
            return None
        default = documents_dir() / KIT_FILE_NAME
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the recovery kit", str(default), "PDF documents (*.pdf)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        message = self.key_page.message
        try:
            with busy():
                # Through the report service: marked with the owner's name, registered
                # and audited like every printed report.
                ReportService(self._session).recovery_kit(
                    self._recovery_key,
                    path,
                    vault_folder=self.folder,
                    created=self._created or datetime.now().astimezone(),
                )
        except CrmdeskError as exc:
            message.show_error(f"{error_text(exc)} Choose another folder.")
            return None
        self.kit_path = path
        message.show_info(
            f"Saved to {path}. Open it to print it, then delete the file: it holds the key."
        )
        self.open_kit_button.show()
        return path

    def open_recovery_kit(self) -> None:
        """Open the saved kit in the system's PDF viewer, to print it."""
        if self.kit_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.kit_path)))

    def finish(self) -> None:
        """Close the first-run screen with the new vault open (the box must be ticked)."""
        if self._session is None or not self.stored_checkbox.isChecked():
            return
        self._recovery_key = ""
        self.recovery_key_label.clear()
        self.accept()
