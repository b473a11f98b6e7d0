"""Changing one's own sign-in password: required after a first or reset password.

At a first sign-in nothing is shown until the password the owner chose is replaced;
"Quit" then leaves the vault closed. From the Tools menu it is the ordinary change.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QWidget

from crmdesk.errors import CrmdeskError, SignInFailed
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services import signin
from crmdesk.services.session import Session
from crmdesk.services.signin import MIN_PASSWORD_CHARS


class ChangePasswordDialog(AppDialog):
    """Current (or initial) password, the new one twice; the service checks and stores."""

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, required: bool = False
    ) -> None:
        super().__init__(parent)
        self._session = session
        self.required = required
        layout = dialog_frame(self, "Choose your password" if required else "Change password")
        if required:
            layout.addWidget(title_label(f"Welcome, {session.full_name}"))
            layout.addWidget(
                note_label(
                    "The password you signed in with was set by the vault's owner. Choose "
                    "your own before you continue: only you will know it. Use at least "
                    f"{MIN_PASSWORD_CHARS} characters; a few unrelated words make a strong one."
                )
            )
            current_label = "&Initial password:"
        else:
            layout.addWidget(title_label("Change your password"))
            layout.addWidget(
                note_label(
                    f"Use at least {MIN_PASSWORD_CHARS} characters; a few unrelated words "
                    "make a strong one."
                )
            )
            current_label = "&Current password:"
        form = QFormLayout()
        self.current_edit = secret_edit()
        self.new_edit = secret_edit()
        self.confirm_edit = secret_edit()
        form.addRow(current_label, self.current_edit)
        form.addRow("&New password:", self.new_edit)
        form.addRow("&Type it again:", self.confirm_edit)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons, self.cancel_button, self.ok_button = button_row(
            "Quit" if required else "Cancel", "Change password"
        )
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.current_edit.setFocus()

    def submit(self) -> None:
        current, new, again = (
            self.current_edit.text(),
            self.new_edit.text(),
            self.confirm_edit.text(),
        )
        if not current:
            self.message.show_error(
                "Type the password you signed in with."
                if self.required
                else "Type your current password."
            )
            self.current_edit.setFocus()
            return
        if len(new) < MIN_PASSWORD_CHARS:
            self.message.show_error(
                f"The new password must have at least {MIN_PASSWORD_CHARS} characters; "
                "a few unrelated words make a strong one."
            )
            self.new_edit.selectAll()
            self.new_edit.setFocus()
            return
        if new != again:
            self.message.show_error("The two new passwords differ. Type the same one twice.")
            self.confirm_edit.selectAll()
            self.confirm_edit.setFocus()
            return
        try:
            with busy():
                signin.change_password(self._session, current, new)
        except SignInFailed as exc:
            self.current_edit.clear()
            if exc.code == "signin.wrong":
                self.message.show_error("That password is wrong. Check Caps Lock and try again.")
            else:
                self.message.show_error(error_text(exc))
            self.current_edit.setFocus()
            return
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        for edit in (self.current_edit, self.new_edit, self.confirm_edit):
            edit.clear()
        self.accept()
