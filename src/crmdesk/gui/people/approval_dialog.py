"""The owner's approval on the spot, for a print or copy above the owner's threshold.

The service refuses such an output with :class:`ApprovalRequired` (how many clients, and
the limit); the owner then types their login and password here and the output is tried
once more with that approval. A wrong password is the service's refusal: shown, and
nothing is printed or copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QWidget

from crmdesk.gui.clients.list_model import format_count
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services.egress import ApprovalRequired, OwnerApproval

T = TypeVar("T")


class OwnerApprovalDialog(AppDialog):
    """Explains the count and the limit; the owner signs in to approve."""

    def __init__(self, count: int, limit: int, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._approval: OwnerApproval | None = None
        layout = dialog_frame(self, "Owner approval", 500)
        layout.addWidget(title_label("The owner's approval is needed"))
        layout.addWidget(
            note_label(
                f"This {what} holds {format_count(count)} clients: more than the "
                f"{format_count(limit)} the owner allows in one print, export or copy. The "
                "owner can approve it now by signing in here. The approval is recorded "
                "with their name, yours and the number of clients."
            )
        )
        form = QFormLayout()
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("The owner's login")
        self.password_edit = secret_edit("The owner's password")
        form.addRow("Owner's &login:", self.login_edit)
        form.addRow("Owner's &password:", self.password_edit)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons, self.cancel_button, self.approve_button = button_row("Cancel", "Approve")
        self.approve_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.login_edit.setFocus()

    def submit(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if login and not password and self.login_edit.hasFocus():
            self.password_edit.setFocus()  # Enter after the login: on to the password
            return
        if not login or not password:
            self.message.show_error("The owner types their login and password to approve.")
            return
        self._approval = OwnerApproval(login, password)
        self.password_edit.clear()
        self.accept()

    def approval(self) -> OwnerApproval | None:
        return self._approval


def ask_owner_approval(
    parent: QWidget | None, refusal: ApprovalRequired, what: str
) -> OwnerApproval | None:
    """The owner's login and password, or None when cancelled. Tests may replace this."""
    dialog = OwnerApprovalDialog(refusal.count, refusal.limit, what, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.approval()


def with_approval(
    parent: QWidget | None, what: str, attempt: Callable[[OwnerApproval | None], T]
) -> tuple[bool, T | None]:
    """Run ``attempt`` without approval; above the threshold ask the owner and run it
    again with theirs. Returns (done, result); done is False when the approval was not
    given. Other refusals (a wrong owner password too) are raised for the caller to show.
    """
    try:
        return True, attempt(None)
    except ApprovalRequired as refusal:
        approval = ask_owner_approval(parent, refusal, what)
        if approval is None:
            return False, None
        return True, attempt(approval)
