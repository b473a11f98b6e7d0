"""Office › Users… › Add user…: a new colleague, and what the first one changes.

The form asks for the login, the full name, the role and an initial password the new
user changes at their first sign-in. Adding the first colleague to a vault whose key
slot opens with this computer's keyring ends the keyring's part: the owner confirms
their own password (from then on each person's password is the only way in), every key
is replaced, and the owner gets a new recovery key, shown once here with its kit to
print, as when the vault was made. The dialog cannot be closed before the owner ticks
that they stored it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.roles import Role
from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.offboarding.common import bullets
from crmdesk.gui.offboarding.recovery_key import RecoveryKeyPanel
from crmdesk.gui.people.user_fields import PasswordPair, role_combo
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import (
    STYLE,
    button_row,
    note_label,
    primary_button,
    title_label,
)
from crmdesk.services.opening import pending_recovery_key
from crmdesk.services.people import OwnerPasswordNeeded, User, UserService
from crmdesk.services.session import Session
from crmdesk.services.vault_state import security_state

FIRST_COLLEAGUE = (
    "From now on everyone, you too, signs in with their own login and password at every "
    "unlock: nothing on this computer opens the vault without a password.",
    "Every key of the vault is replaced: the old ones were within reach of this "
    "computer's keyring.",
    "You get a new recovery key to print; the recovery kit you have stops working.",
)


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    body = QVBoxLayout(page)
    body.setContentsMargins(0, 0, 0, 0)
    body.setSpacing(10)
    return page, body


class AddUserDialog(AppDialog):
    """The form; the owner's password for the first colleague; the new recovery key."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._service = UserService(session)
        self.added: User | None = None
        self.setWindowTitle("Add a user")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack)
        self.form_page = self._build_form_page()
        self.owner_page = self._build_owner_page()
        self.key_page = self._build_key_page()
        for page in (self.form_page, self.owner_page, self.key_page):
            self.stack.addWidget(page)
        self.login_edit.setFocus()

    # -- the form ---------------------------------------------------------------------

    def _build_form_page(self) -> QWidget:
        page, body = _page()
        body.addWidget(title_label("Add a user"))
        form = QFormLayout()
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("What they type to sign in, e.g. bob")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Printed on every page they print")
        self.role_combo = role_combo(Role.SALESPERSON)
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Full name:", self.name_edit)
        form.addRow("&Role:", self.role_combo)
        self.password = PasswordPair(form, "&Initial password:")
        body.addLayout(form)
        body.addWidget(
            note_label(
                "Give them the initial password in person: they must change it at their "
                "first sign-in, and then read and accept the confidentiality policy."
            )
        )
        self.message = InlineMessage()
        body.addWidget(self.message)
        body.addStretch(1)
        buttons, cancel, self.add_button = button_row("Cancel", "Add user")
        self.add_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        body.addWidget(buttons)
        return page

    def submit(self) -> None:
        """Add the user from the form; the first colleague asks for the owner's password."""
        problem = self.password.problem()
        if problem:
            self.message.show_error(problem)
            self.password.first.setFocus()
            return
        self.message.clear_message()
        self._add(None, self.message)

    def _add(self, owner_password: str | None, message: InlineMessage) -> None:
        try:
            with busy():
                self.added = self._service.add(
                    self.login_edit.text(),
                    self.name_edit.text(),
                    self.role_combo.currentData(),
                    self.password.value(),
                    owner_password=owner_password,
                )
        except OwnerPasswordNeeded:
            self._ask_owner_password()
            return
        except CrmdeskError as exc:
            message.show_error(error_text(exc))
            if message is self.owner_message:
                self.owner_password_edit.selectAll()
                self.owner_password_edit.setFocus()
            return
        self.password.clear()
        self.owner_password_edit.clear()
        self._show_recovery_key_or_close()

    # -- the first colleague: the owner's own password ----------------------------------

    def _build_owner_page(self) -> QWidget:
        page, body = _page()
        body.addWidget(title_label("Confirm your password"))
        self.owner_intro = QLabel()
        self.owner_intro.setWordWrap(True)
        self.owner_intro.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.owner_intro)
        self.owner_explanation = bullets(list(FIRST_COLLEAGUE))
        body.addWidget(self.owner_explanation)
        form = QFormLayout()
        self.owner_password_edit = secret_edit("The password you sign in with")
        label = QLabel("&Your password:")
        label.setBuddy(self.owner_password_edit)
        form.addRow(label, self.owner_password_edit)
        body.addLayout(form)
        self.owner_message = InlineMessage()
        body.addWidget(self.owner_message)
        body.addStretch(1)
        row = QHBoxLayout()
        self.back_button = QPushButton("< Back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self._back_to_form)
        self.confirm_button = primary_button("Add user")
        self.confirm_button.clicked.connect(self.confirm_owner_password)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        body.addLayout(row)
        return page

    def _ask_owner_password(self) -> None:
        name = " ".join(self.name_edit.text().split()) or self.login_edit.text().strip()
        self.owner_intro.setText(
            f"{name} is the first colleague in this vault. Until now this computer's "
            "keyring opened it for you without a password; that ends now:"
        )
        self.confirm_button.setText(f"Add {name}")
        self.owner_message.clear_message()
        self.stack.setCurrentWidget(self.owner_page)
        self.owner_password_edit.setFocus()

    def _back_to_form(self) -> None:
        self.owner_password_edit.clear()
        self.stack.setCurrentWidget(self.form_page)

    def confirm_owner_password(self) -> None:
        password = self.owner_password_edit.text()
        if not password:
            self.owner_message.show_error("Type the password you sign in with.")
            self.owner_password_edit.setFocus()
            return
        self.owner_message.clear_message()
        self._add(password, self.owner_message)

    # -- the new recovery key, once --------------------------------------------------------

    def _build_key_page(self) -> QWidget:
        page, body = _page()
        body.addWidget(title_label("Your new recovery key"))
        self.added_label = QLabel()
        self.added_label.setWordWrap(True)
        self.added_label.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.added_label)
        self.waiting_note = note_label("", "warningNote")
        self.waiting_note.hide()
        body.addWidget(self.waiting_note)
        self.key_panel = RecoveryKeyPanel(self._session, page)
        self.key_panel.stored_changed.connect(lambda stored: self.finish_button.setEnabled(stored))
        body.addWidget(self.key_panel)
        body.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.finish_button: QPushButton = primary_button("Finish")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish)
        row.addWidget(self.finish_button)
        body.addLayout(row)
        return page

    def _show_recovery_key_or_close(self) -> None:
        key = pending_recovery_key(self._session)
        if key is None:
            self.accept()
            return
        user = self.added
        assert user is not None
        self.added_label.setText(
            f"{user.full_name} ({user.login}) was added as "
            f"{user.role.title}. This vault now opens only with each person's password, and "
            "your recovery key changed with its keys: the one below replaces the kit you "
            "have."
        )
        if security_state(self._session).rotation_waiting:
            self.waiting_note.setText(
                "The vault's data keys are replaced the next time you open it alone: close "
                "crmdesk in its other windows (the status bar says when it is done)."
            )
            self.waiting_note.show()
        self.key_panel.show_key(key)
        self.stack.setCurrentWidget(self.key_page)
        # Room for the key and its advice (wrapped rich text does not ask for its height).
        self.setMinimumSize(660, 560)
        self.adjustSize()
        self.key_panel.print_kit_button.setFocus()

    def recovery_key_shown(self) -> bool:
        return self.key_panel.has_key()

    def finish(self) -> None:
        if not self.key_panel.is_stored():
            self.key_panel.remind()
            return
        self.key_panel.forget()
        self.accept()

    def reject(self) -> None:
        """Esc and Cancel: not before the new recovery key is stored."""
        if self.key_panel.has_key():
            self.finish()
            return
        self.owner_password_edit.clear()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.key_panel.has_key() and not self.key_panel.is_stored():
            event.ignore()
            self.key_panel.remind()
            return
        super().closeEvent(event)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()
