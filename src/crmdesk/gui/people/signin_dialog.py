"""Signing in to a vault with several users: login and password, at every unlock.

A wrong password is said in place (the password field is emptied, the dialog stays);
after too many, the service makes sign-in wait and the button counts the wait down.
Cancel leaves the vault closed: whoever opened the dialog closes it. "Use recovery key…"
is the owner's way in when their password is lost: the dialog closes with
:attr:`wants_recovery` set, and whoever opened it offers the recovery key.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLineEdit, QPushButton, QWidget

from crmdesk.errors import CrmdeskError, SignInFailed, SignInThrottled
from crmdesk.gui import settings as app_settings
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services.session import Session, Unlocked

_LAST_LOGIN = "signin/last_login"


class SignInDialog(AppDialog):
    """Login and password; after ``exec()``, :meth:`session` is the signed-in session."""

    def __init__(
        self, unlocked: Unlocked, parent: QWidget | None = None, *, login: str = ""
    ) -> None:
        super().__init__(parent)
        self._unlocked = unlocked
        self._session: Session | None = None
        self._wait_left = 0
        layout = dialog_frame(self, "Sign in to crmdesk", 460)
        layout.addWidget(title_label("Sign in"))
        layout.addWidget(
            note_label(
                "This vault has several users: sign in with your own login and password. "
                "What you see, print and change is recorded under your name."
            )
        )
        folder = note_label(f"Vault folder: {unlocked.folder}")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder)

        form = QFormLayout()
        form.setContentsMargins(0, 6, 0, 0)
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("Your login, e.g. jane")
        self.login_edit.setAccessibleName("Login")
        self.password_edit = secret_edit("Password")
        self.password_edit.setAccessibleName("Password")
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Password:", self.password_edit)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addStretch(1)

        buttons, self.cancel_button, self.sign_in_button = button_row("Cancel", "Sign in")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.cancel_button.clicked.connect(self.reject)
        self.wants_recovery = False
        self.recovery_button = QPushButton("Use recovery key…")
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.setToolTip(
            "For the vault's owner who lost their password: the recovery key from the "
            "printed recovery kit opens the owner's account, with a new password. Anyone "
            "else who forgot theirs: ask the owner to reset it."
        )
        self.recovery_button.clicked.connect(self.use_recovery_key)
        buttons.addButton(self.recovery_button, QDialogButtonBox.ButtonRole.ResetRole)
        layout.addWidget(buttons)
        # Enter anywhere presses "Sign in" (the default button); with no password yet
        # it moves to the password field instead.

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

        remembered = login or str(app_settings.settings().value(_LAST_LOGIN, "") or "")
        self.login_edit.setText(remembered)
        (self.password_edit if remembered else self.login_edit).setFocus()

    def session(self) -> Session | None:
        """The signed-in session once the dialog was accepted, else None."""
        return self._session

    def use_recovery_key(self) -> None:
        """The owner lost their password: close, asking for the recovery key instead."""
        if self._wait_left > 0:
            return
        self.password_edit.clear()
        self.wants_recovery = True
        self.reject()

    def sign_in(self) -> None:
        if self._wait_left > 0:
            return
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login:
            self.message.show_error("Type your login.")
            self.login_edit.setFocus()
            return
        if not password:
            if self.password_edit.hasFocus():
                self.message.show_error("Type your password.")
            self.password_edit.setFocus()
            return
        self.message.clear_message()
        try:
            with busy():
                session = self._unlocked.sign_in(login, password)
        except SignInThrottled as exc:
            self.password_edit.clear()
            self.message.show_error(error_text(exc))
            self._start_wait(exc.retry_after_seconds)
            return
        except SignInFailed as exc:
            self.password_edit.clear()
            self.message.show_error(error_text(exc))
            self.password_edit.setFocus()
            return
        except CrmdeskError as exc:
            self.password_edit.clear()
            self.message.show_error(error_text(exc))
            return
        self.password_edit.clear()
        app_settings.settings().setValue(_LAST_LOGIN, session.actor)
        self._session = session
        self.accept()

    # -- throttling --------------------------------------------------------------------

    def waiting_seconds(self) -> int:
        return self._wait_left

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = max(1, int(seconds))
        self.sign_in_button.setEnabled(False)
        self._show_wait()
        self._timer.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._timer.stop()
            self._wait_left = 0
            self.sign_in_button.setEnabled(True)
            self.sign_in_button.setText("Sign in")
            self.password_edit.setFocus()
            return
        self._show_wait()

    def _show_wait(self) -> None:
        seconds = self._wait_left
        wait = f"{seconds} s" if seconds < 90 else f"{(seconds + 59) // 60} min"
        self.sign_in_button.setText(f"Sign in (wait {wait})")
