"""Unlocking a vault that needs a secret, or whose key could not be found.

Also what the welcome screen shares with it: whether the OS keyring can hold the key,
and the line that says why a passphrase is asked for instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.people.gates import complete_sign_in
from crmdesk.gui.people.owner_recovery import owner_recovery_note, recovery_owner
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy, call_service
from crmdesk.gui.widgets.secret_fields import (
    NewPasswordFields,
    PassphraseFields,
    RecoveryKeyEdit,
    secret_edit,
)
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button, title_label
from crmdesk.services import session as session_service
from crmdesk.services import unlocking
from crmdesk.services.session import Session, Unlocked
from crmdesk.services.signin import MIN_PASSWORD_CHARS


def keyring_explanation(reason: str) -> str:
    """One line on why a passphrase is asked for: ``reason`` is why no keyring can be used
    (one sentence, from :func:`resolve_keyring_usable`)."""
    first = reason.strip().rstrip(".") or "No usable OS keyring was found on this computer"
    return f"{first}. The vault key will be protected by a master passphrase instead."


def resolve_keyring_usable(override: bool | None) -> tuple[bool, str]:
    """Whether the OS keyring can hold the key, and if not why (one sentence)."""
    if override is not None:
        return override, ""
    state = session_service.keyring_state()
    return state.usable, state.reason


class UnlockDialog(AppDialog):
    """Opening the vault needs a passphrase, or the usual way failed (``reason`` says why).

    With ``needs_passphrase`` it asks for the master passphrase; otherwise it offers to try
    the keyring again. Either way "Use recovery key…" opens the vault with the recovery
    key, which opens its owner's key slot, and makes that open the usual way again: in the
    keyring, or under a new passphrase when no keyring is usable (one person), or with a
    new password for the owner (several people: the owner is then the one signed in).
    Then the first sign-in gates (:mod:`crmdesk.gui.people.gates`). After ``exec()``,
    :meth:`session` is the open session or None. With ``sign_in=False`` the dialog stops
    at the open vault, :meth:`unlocked`, and the caller signs in (the lock screen does).
    """

    def __init__(
        self,
        folder: Path,
        reason: str,
        *,
        needs_passphrase: bool,
        keystore: Any = None,
        keyring_usable: bool | None = None,
        parent: QWidget | None = None,
        sign_in: bool = True,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._keystore = keystore
        self._needs_passphrase = needs_passphrase
        self._sign_in = sign_in
        self._keyring_usable, self._keyring_problem = resolve_keyring_usable(keyring_usable)
        # Several people: the recovery key opens the owner's slot, which needs a new
        # password (an old-format vault says so only once the key has opened it).
        self._owner = recovery_owner(self.folder)
        self._password_needed = self._owner is not None
        self._session: Session | None = None
        self._unlocked: Unlocked | None = None
        self.setWindowTitle("Unlock crmdesk")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(title_label("Unlock your vault"))
        folder_label = note_label(f"Vault folder: {self.folder}")
        folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder_label)
        self.reason_label = note_label(reason, "warningNote" if reason else "note")
        self.reason_label.setVisible(bool(reason))
        layout.addWidget(self.reason_label)

        # The usual way: the passphrase, or another try at the keyring.
        self.normal_box = QWidget()
        normal = QFormLayout(self.normal_box)
        normal.setContentsMargins(0, 4, 0, 0)
        self.passphrase_edit = secret_edit("Master passphrase")
        if needs_passphrase:
            normal.addRow("Master passphrase:", self.passphrase_edit)
        else:
            self.passphrase_edit.hide()
            normal.addRow(
                note_label(
                    "If the keyring was locked or not running, unlock or start it, then "
                    "try again. Otherwise use the recovery key from your recovery kit."
                )
            )
        layout.addWidget(self.normal_box)

        # The other way: the recovery key.
        self.recovery_box = QFrame()
        recovery = QFormLayout(self.recovery_box)
        recovery.setContentsMargins(0, 4, 0, 0)
        recovery.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        recovery.addRow(note_label("Type the recovery key from your printed recovery kit."))
        self.recovery_key_edit = RecoveryKeyEdit()
        recovery.addRow("Recovery key:", self.recovery_key_edit)
        self.new_passphrase = PassphraseFields(self.recovery_box)
        self.new_password = NewPasswordFields(self.recovery_box, MIN_PASSWORD_CHARS)
        self.owner_note = note_label(owner_recovery_note(self._owner or "the owner"))
        recovery.addRow(self.owner_note)
        self.new_password.add_to(recovery, "New password for the owner:")
        self.where_note = note_label("The key will be stored in this computer's keyring again.")
        if not self._keyring_usable:
            self.where_note = note_label(keyring_explanation(self._keyring_problem), "warningNote")
            recovery.addRow(self.where_note)
            self.new_passphrase.add_to(recovery)
        else:
            recovery.addRow(self.where_note)
        self._recovery_form = recovery
        self._show_owner_password(self._password_needed)
        self.recovery_box.hide()
        layout.addWidget(self.recovery_box)

        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addStretch(1)

        buttons = QDialogButtonBox()
        self.recovery_button = QPushButton("Use recovery key…")
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.clicked.connect(self.show_recovery)
        buttons.addButton(self.recovery_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.unlock_button = primary_button("Unlock" if needs_passphrase else "Try again")
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.unlock_button.clicked.connect(self.unlock)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        if needs_passphrase:
            self.passphrase_edit.setFocus()

    def _show_owner_password(self, needed: bool) -> None:
        """Several people: a new password for the owner, instead of the keyring or a new
        passphrase."""
        self._password_needed = needed
        self.owner_note.setVisible(needed)
        self.new_password.set_visible(needed)
        self.where_note.setVisible(not needed)
        if not self._keyring_usable:
            for edit in (self.new_passphrase.passphrase_edit, self.new_passphrase.confirm_edit):
                self._recovery_form.setRowVisible(edit, not needed)

    # -- actions -----------------------------------------------------------------------

    def session(self) -> Session | None:
        """The unlocked session once the dialog was accepted, else None."""
        return self._session

    def unlocked(self) -> Unlocked | None:
        """With ``sign_in=False``: the open vault, nobody signed in yet."""
        return self._unlocked

    @property
    def recovering(self) -> bool:
        return self.recovery_box.isVisibleTo(self)

    def show_recovery(self) -> None:
        """Switch to unlocking with the recovery key."""
        self.normal_box.hide()
        self.recovery_box.show()
        self.recovery_button.hide()
        self.unlock_button.setText("Unlock with recovery key")
        self.message.clear_message()
        self.recovery_key_edit.setFocus()
        self.adjustSize()

    def unlock(self) -> None:
        """The primary button: the passphrase, the keyring again, or the recovery key."""
        if self.recovering:
            self._recover()
            return
        passphrase = self.passphrase_edit.text() if self._needs_passphrase else None
        if self._needs_passphrase and not passphrase:
            self.message.show_error("Type the vault's master passphrase.")
            self.passphrase_edit.setFocus()
            return
        opened = call_service(
            self.message,
            lambda: session_service.open_vault(
                self.folder, keystore=self._keystore, passphrase=passphrase
            ),
        )
        if opened is None:
            if self._needs_passphrase:
                self.passphrase_edit.selectAll()
                self.passphrase_edit.setFocus()
            return
        self._finish(opened)

    def _recover(self) -> None:
        key = self.recovery_key_edit.key_text()
        if not key:
            self.message.show_error("Type the recovery key from your recovery kit.")
            self.recovery_key_edit.setFocus()
            return
        new_passphrase: str | None = None
        new_password: str | None = None
        try:
            if self._password_needed:
                new_password = self.new_password.value()
            elif not self._keyring_usable:
                new_passphrase = self.new_passphrase.value()
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            (self.new_password if self._password_needed else self.new_passphrase).focus_first()
            return
        try:
            with busy():
                opened = unlocking.recover_for_sign_in(
                    self.folder,
                    key,
                    login=self._owner,
                    keystore=self._keystore,
                    new_passphrase=new_passphrase,
                    new_password=new_password,
                )
        except CrmdeskError as exc:
            if exc.code == "recover.password_needed":
                # An old-format vault of several people: only its upgrade knew.
                self._show_owner_password(True)
                self.new_password.focus_first()
            else:
                self.recovery_key_edit.setFocus()
            self.message.show_error(error_text(exc))
            return
        self._finish(opened)

    def _finish(self, opened: Unlocked) -> None:
        self.passphrase_edit.clear()
        self.recovery_key_edit.clear()
        self.new_passphrase.clear()
        self.new_password.clear()
        if not self._sign_in:
            self._unlocked = opened
            self.accept()
            return
        session = complete_sign_in(self, opened)
        if session is None:  # they cancelled sign-in or refused a gate: the vault is closed
            self.reject()
            return
        self._session = session
        self.accept()
