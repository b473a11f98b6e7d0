"""The first-run screen: create a vault, open one, or restore access with a recovery key.

A :class:`QStackedWidget` of pages under one banner. Every page action is a method
(``create_vault``, ``save_recovery_kit``, ``finish``, ``open_vault``, ``restore``) that
the page's button calls, so tests drive the dialog with ``show()`` and clicks, never
``exec()``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.gui.people.gates import complete_sign_in
from crmdesk.gui.vault_flows.unlock import keyring_explanation, resolve_keyring_usable
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy, call_service
from crmdesk.gui.widgets.secret_fields import PassphraseFields, RecoveryKeyEdit, secret_edit
from crmdesk.gui.widgets.style import STYLE, mono_font, note_label, primary_button, title_label
from crmdesk.services import session as session_service
from crmdesk.services import unlocking
from crmdesk.services.recovery_kit import key_lines
from crmdesk.services.reports import ReportService
from crmdesk.services.session import (  # Owner: not from crmdesk.vault (layering)
    Owner,
    Session,
    Unlocked,
)

APP_NAME = "crmdesk"
TAGLINE = (
    "Your clients, contacts and deals in one place, kept in an encrypted vault on this "
    "computer. Nothing is sent anywhere."
)
KIT_FILE_NAME = "crmdesk-recovery-kit.pdf"
NEW_VAULT_SUBFOLDER = "crmdesk-vault"

WELCOME_STYLE = (
    STYLE
    + """
QFrame#banner { background: #1f3a5f; }
QLabel#appName { color: white; font-size: 24pt; font-weight: 700; }
QLabel#tagline { color: #d6e0ee; font-size: 10.5pt; }
QLabel#recoveryKey {
    background: #f3f5f8; border: 1px solid #c9ced6; border-radius: 6px;
    padding: 14px 18px; color: #1b2430;
}
QLabel#folderPath {
    background: #f3f5f8; border: 1px solid #d9dde3; border-radius: 4px; padding: 4px 8px;
}
QCommandLinkButton { padding: 10px; }
QLabel#advice { color: #1b2430; }
"""
)


def login_from_name(full_name: str) -> str:
    """A login suggested from a full name: lowercase, words joined by dots, no spaces."""
    words = re.findall(r"[^\s]+", full_name.lower())
    return ".".join(words)[:64]


def documents_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


class _Page(QWidget):
    """A page: a title, a body, an inline message line and a row of buttons."""

    def __init__(self, title: str, intro: str = "") -> None:
        super().__init__()
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(32, 22, 32, 20)
        self.body.setSpacing(10)
        self.body.addWidget(title_label(title))
        if intro:
            self.body.addWidget(note_label(intro))
        self.message = InlineMessage()

    def finish_layout(self, buttons: list[QPushButton], back: QPushButton | None) -> None:
        """The message line, a stretch, then Back on the left and the buttons on the right."""
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        if back is not None:
            row.addWidget(back)
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        self.body.addLayout(row)


class _FolderRow(QWidget):
    """A folder shown as text, with a button to pick another."""

    def __init__(self, folder: Path, button_text: str, caption: str) -> None:
        super().__init__()
        self.folder = folder
        self.caption = caption
        self.label = QLabel()
        self.label.setObjectName("folderPath")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setMinimumWidth(280)
        self.button = QPushButton(button_text)
        self.button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.set_folder(folder)

    def set_folder(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.label.setText(str(self.folder))
        self.label.setToolTip(str(self.folder))

    def pick(self) -> Path | None:
        start = self.folder if self.folder.exists() else self.folder.parent
        chosen = QFileDialog.getExistingDirectory(self, self.caption, str(start))
        return Path(chosen) if chosen else None


class WelcomeDialog(AppDialog):
    """First run: create a vault (and show its recovery key once), open one, or restore."""

    def __init__(
        self,
        folder: Path,
        *,
        keystore: Any = None,
        keyring_usable: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._keystore = keystore
        self._keyring_usable, self._keyring_problem = resolve_keyring_usable(keyring_usable)
        self._session: Session | None = None
        self._recovery_key = ""
        self._created: datetime | None = None
        self._login_edited = False
        self.kit_path: Path | None = None

        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setStyleSheet(WELCOME_STYLE)
        self.setMinimumSize(640, 560)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._banner())
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        self.choice_page = self._build_choice_page()
        self.create_page = self._build_create_page()
        self.key_page = self._build_key_page()
        self.open_page = self._build_open_page()
        self.restore_page = self._build_restore_page()
        for page in (
            self.choice_page,
            self.create_page,
            self.key_page,
            self.open_page,
            self.restore_page,
        ):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.choice_page)

    # -- building ----------------------------------------------------------------------

    def _banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("banner")
        layout = QVBoxLayout(banner)
        layout.setContentsMargins(32, 22, 32, 20)
        layout.setSpacing(4)
        name = QLabel(APP_NAME)
        name.setObjectName("appName")
        tagline = QLabel(TAGLINE)
        tagline.setObjectName("tagline")
        tagline.setWordWrap(True)
        layout.addWidget(name)
        layout.addWidget(tagline)
        return banner

    def _back_button(self) -> QPushButton:
        button = QPushButton("Back")
        button.setAutoDefault(False)
        button.clicked.connect(self.go_to_choice)
        return button

    def _build_choice_page(self) -> _Page:
        page = _Page("Welcome", "How would you like to start?")
        self.new_vault_button = QCommandLinkButton(
            "Create a new vault",
            "Start fresh. crmdesk makes an encrypted vault for your client records and gives "
            "you a recovery key to print.",
        )
        self.open_existing_button = QCommandLinkButton(
            "Open an existing vault folder…",
            "You already have a crmdesk vault on this computer (or copied it here with its "
            "key still in this computer's keyring, or protected by a passphrase).",
        )
        self.restore_choice_button = QCommandLinkButton(
            "Restore access with a recovery key",
            "New computer, or the key entry was lost? Use the recovery key from your "
            "printed recovery kit.",
        )
        self.new_vault_button.clicked.connect(self.go_to_create)
        self.open_existing_button.clicked.connect(self.go_to_open)
        self.restore_choice_button.clicked.connect(self.go_to_restore)
        for button in (
            self.new_vault_button,
            self.open_existing_button,
            self.restore_choice_button,
        ):
            button.setAutoDefault(False)
            page.body.addWidget(button)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        page.finish_layout([self.quit_button], None)
        return page

    def _build_create_page(self) -> _Page:
        page = _Page(
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
        self.create_folder_row = _FolderRow(self.folder, "Change…", "Where to keep the vault")
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

    def _build_key_page(self) -> _Page:
        page = _Page("Your recovery key")
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

    def _build_open_page(self) -> _Page:
        page = _Page("Open an existing vault", "Choose the folder that holds the vault.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.open_folder_row = _FolderRow(self.folder, "Choose…", "The vault folder")
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

    def _build_restore_page(self) -> _Page:
        page = _Page(
            "Restore access with a recovery key",
            "Type the recovery key from your printed recovery kit. Capital or small letters, "
            "spaces and dashes do not matter.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.restore_folder_row = _FolderRow(self.folder, "Choose…", "The vault folder")
        self.restore_folder_row.button.clicked.connect(self._choose_restore_folder)
        self.restore_key_edit = RecoveryKeyEdit()
        form.addRow("Vault folder:", self.restore_folder_row)
        form.addRow("Recovery key:", self.restore_key_edit)
        self.restore_passphrase = PassphraseFields(page)
        if self._keyring_usable:
            form.addRow(note_label("The key will be kept in this computer's keyring from now on."))
        else:
            form.addRow(note_label(keyring_explanation(self._keyring_problem), "warningNote"))
            self.restore_passphrase.add_to(form)
        page.body.addLayout(form)
        self.restore_button = primary_button("Restore access")
        self.restore_button.clicked.connect(self.restore)
        page.finish_layout([self.restore_button], self._back_button())
        return page

    # -- navigation --------------------------------------------------------------------

    def session(self) -> Session | None:
        """The open session after the dialog was accepted, else None."""
        return self._session if self.result() == QDialog.DialogCode.Accepted else None

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def go_to_choice(self) -> None:
        self.stack.setCurrentWidget(self.choice_page)

    def go_to_create(self) -> None:
        self.stack.setCurrentWidget(self.create_page)
        self.name_edit.setFocus()

    def go_to_open(self) -> None:
        self.stack.setCurrentWidget(self.open_page)
        self._refresh_open_page()

    def go_to_restore(self) -> None:
        self.stack.setCurrentWidget(self.restore_page)
        self.restore_key_edit.setFocus()

    def reject(self) -> None:
        """Closing is refused while the recovery key is on screen and not yet stored."""
        if self.stack.currentWidget() is self.key_page and self._session is not None:
            if not self.stored_checkbox.isChecked():
                self.key_page.message.show_error(
                    "Your vault is created. Store the recovery key safely and tick the box "
                    "before closing: it will not be shown again."
                )
                return
            self.finish()
            return
        super().reject()

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
                    "Type your full name: it is shown on reports and in the audit trail."
                )
            if not self._keyring_usable:
                passphrase = self.create_passphrase.value()
        except CrmdeskError as exc:
            page.message.show_error(exc.message)
            return
        folder = self.create_folder_row.folder
        result = call_service(
            page.message,
            lambda: session_service.create_vault(
                folder, owner, keystore=self._keystore, passphrase=passphrase
            ),
        )
        if result is None:
            if passphrase is not None and "passphrase" in page.message.text().lower():
                self.create_passphrase.focus_first()
            return
        self._session, self._recovery_key = result
        self.folder = folder
        self._created = datetime.now().astimezone()
        self.create_passphrase.clear()
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
            message.show_error(f"{exc.message} Choose another folder.")
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
        self.go_to_restore()

    # -- restore ---------------------------------------------------------------------------

    def _choose_restore_folder(self) -> None:
        chosen = self.restore_folder_row.pick()
        if chosen is not None:
            self.restore_folder_row.set_folder(chosen)

    def restore(self) -> None:
        """Open the vault with the recovery key and keep its key on this computer again."""
        folder = self.restore_folder_row.folder
        message = self.restore_page.message
        message.clear_message()
        key = self.restore_key_edit.key_text()
        new_passphrase: str | None = None
        try:
            if not session_service.vault_exists(folder):
                raise BadInput(
                    f"{folder} holds no crmdesk vault (its vault.json is missing). Choose the "
                    "folder that contains crmdesk.db and vault.json."
                )
            if not key:
                raise BadInput("Type the recovery key from your printed recovery kit.")
            if not self._keyring_usable:
                new_passphrase = self.restore_passphrase.value()
        except CrmdeskError as exc:
            message.show_error(exc.message)
            return
        # The recovery key opens the vault, not anyone's account: sign in as usual.
        opened = call_service(
            message,
            lambda: unlocking.recover_for_sign_in(
                folder, key, keystore=self._keystore, new_passphrase=new_passphrase
            ),
        )
        if opened is None:
            self.restore_key_edit.setFocus()
            return
        self.restore_key_edit.clear()
        self.restore_passphrase.clear()
        self._sign_in_and_accept(opened, folder)

    def _sign_in_and_accept(self, opened: Unlocked, folder: Path) -> None:
        """Sign in (with several users) and pass the first sign-in gates; a refusal
        leaves the vault closed and this screen open."""
        session = complete_sign_in(self, opened)
        if session is None:
            self.current_page().message.show_info(  # type: ignore[attr-defined]
                "The vault was closed again: nothing was shown. Open it when you are ready."
            )
            return
        self._accept_with(session, folder)

    def _accept_with(self, opened: Session, folder: Path) -> None:
        self._session = opened
        self.folder = folder
        self.accept()
