"""The owner of a vault of several people lost their password: the recovery key from
their printed kit opens their account, with a new password they choose now.

Reached from the sign-in dialog ("Use recovery key…"). Only the owner's account opens
this way: everyone else keeps their own password, and one who forgot it asks the owner
to reset it. The unlock dialog and the first-run screen use the same words when they
recover a vault of several people.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.secret_fields import NewPasswordFields, RecoveryKeyEdit
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services import unlocking
from crmdesk.services.session import Unlocked
from crmdesk.services.signin import MIN_PASSWORD_CHARS


def recovery_owner(folder: Path) -> str | None:
    """The owner's login when recovering ``folder``'s vault needs a new password for them
    (several people), else None; None too when the folder cannot be read (recovering
    then says what is wrong)."""
    try:
        return unlocking.recovery_owner(folder)
    except CrmdeskError:
        return None


def owner_recovery_note(login: str) -> str:
    """What the recovery key opens in a vault of several people, and what follows."""
    return (
        f"The recovery key opens the account of the vault's owner ({login}). Choose a new "
        "password for it: you are then signed in as the owner. Everyone else keeps their "
        "own password."
    )


class OwnerRecoveryDialog(AppDialog):
    """Recovery key and the owner's new password; after ``exec()``, :meth:`unlocked`
    holds the vault opened as its owner (or None)."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._unlocked: Unlocked | None = None
        owner = self._owner = recovery_owner(self.folder)
        layout = dialog_frame(self, "Use the recovery key", 560)
        layout.addWidget(title_label("Sign in with the recovery key"))
        self.owner_note = note_label(owner_recovery_note(owner or "the owner"))
        layout.addWidget(self.owner_note)
        folder_label = note_label(f"Vault folder: {self.folder}")
        folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder_label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.recovery_key_edit = RecoveryKeyEdit()
        form.addRow("Recovery key:", self.recovery_key_edit)
        self.new_password = NewPasswordFields(self, MIN_PASSWORD_CHARS)
        self.new_password.add_to(form, "New password:")
        layout.addLayout(form)
        layout.addWidget(
            note_label(
                "Capital or small letters, spaces and dashes in the key do not matter. "
                "Not the owner? Cancel, and ask the owner to reset your password."
            )
        )
        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons, self.cancel_button, self.sign_in_button = button_row(
            "Cancel", "Sign in as the owner"
        )
        self.sign_in_button.clicked.connect(self.recover)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.recovery_key_edit.setFocus()

    def unlocked(self) -> Unlocked | None:
        """The vault opened as its owner, once the dialog was accepted."""
        return self._unlocked

    def recover(self) -> None:
        key = self.recovery_key_edit.key_text()
        if not key:
            self.message.show_error("Type the recovery key from your recovery kit.")
            self.recovery_key_edit.setFocus()
            return
        try:
            password = self.new_password.value()
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            self.new_password.focus_first()
            return
        try:
            with busy():
                opened = unlocking.recover_for_sign_in(
                    self.folder, key, login=self._owner, new_password=password
                )
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            self.recovery_key_edit.setFocus()
            return
        self.recovery_key_edit.clear()
        self.new_password.clear()
        self._unlocked = opened
        self.accept()
