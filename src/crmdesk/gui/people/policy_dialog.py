"""The confidentiality policy, to read and accept before any client is shown.

The whole text is shown read-only with its version and date; "Accept" is enabled by the
box "I have read the confidentiality policy and accept it". Decline leaves the vault
closed. Opened from the Help menu it only shows the policy in force.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QPlainTextEdit, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.people.common import local_date
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services.policy import PolicyService, PolicyVersion
from crmdesk.services.session import Session

ACCEPT_TEXT = "I have read the confidentiality policy and accept it"


def policy_heading(policy: PolicyVersion) -> str:
    return f"Version {policy.version} · published {local_date(policy.published_at)}"


class PolicyDialog(AppDialog):
    """Read (and, with ``must_accept``, accept) the policy in force."""

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, must_accept: bool = True
    ) -> None:
        super().__init__(parent)
        self._service = PolicyService(session)
        self.must_accept = must_accept
        layout = dialog_frame(self, "Confidentiality policy", 680)
        self.resize(760, 720)
        self.policy = self._service.current()
        if must_accept:
            layout.addWidget(title_label("Please read the confidentiality policy"))
            layout.addWidget(
                note_label(
                    f"{session.full_name}, before crmdesk shows any client, read the policy "
                    "of this business about its client information and accept it. Your "
                    "acceptance is recorded with the date and this version."
                )
            )
        else:
            layout.addWidget(title_label("Confidentiality policy"))
        self.version_label = note_label(policy_heading(self.policy))
        layout.addWidget(self.version_label)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Policy text")
        font = QFont(self.text_view.font())
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.text_view.setFont(font)
        self.text_view.setPlainText(self.policy.text)
        layout.addWidget(self.text_view, 1)

        self.message = InlineMessage()
        self.accept_check = QCheckBox(ACCEPT_TEXT)
        if must_accept:
            layout.addWidget(self.accept_check)
            layout.addWidget(self.message)
            buttons, self.decline_button, self.accept_button = button_row("Decline", "Accept")
            self.accept_button.setEnabled(False)
            self.accept_check.toggled.connect(self.accept_button.setEnabled)
            self.accept_button.clicked.connect(self.accept_policy)
            self.decline_button.clicked.connect(self.reject)
            self.decline_button.setToolTip("crmdesk closes the vault: nothing is shown")
        else:
            self.accept_check.hide()
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.text_view.setFocus()

    def accept_policy(self) -> None:
        if not self.accept_check.isChecked():
            return
        try:
            with busy():
                self._service.accept(self.policy.version)
        except CrmdeskError as exc:
            # Most likely a newer version was published meanwhile: show that one instead.
            self.message.show_error(error_text(exc))
            try:
                self.policy = self._service.current()
            except CrmdeskError:
                return
            self.version_label.setText(policy_heading(self.policy))
            self.text_view.setPlainText(self.policy.text)
            self.accept_check.setChecked(False)
            return
        self.accept()
