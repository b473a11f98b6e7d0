"""The owner's confidentiality policy: edit the text, publish a version, see who accepted.

Publishing makes a new version that everyone else must read and accept before crmdesk
shows them any client again; the service keeps every version with its SHA-256 and
refuses a text that drops the whistleblower immunity notice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.people.common import local_time
from crmdesk.gui.people.policy_dialog import policy_heading
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy, confirm
from crmdesk.gui.widgets.rows import RowsModel, rows_table, text_row
from crmdesk.gui.widgets.style import dialog_frame, note_label, title_label
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.session import Session

ACCEPTANCE_COLUMNS = ("User", "Login", "Version", "Accepted")


def ask_publish(parent: QWidget | None, next_version: int) -> bool:
    """Confirm publishing; tests may replace this function."""
    return confirm(
        parent,
        "Publish a new version",
        f"Publish this text as version {next_version} of the policy?",
        "Everyone else must read and accept it again before crmdesk shows them any "
        "client. Earlier versions and their acceptances are kept.",
        "Publish",
    )


class PolicyEditor(AppDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.service = PolicyService(session)
        layout = dialog_frame(self, "Confidentiality policy", 820)
        self.resize(940, 820)
        layout.addWidget(title_label("Confidentiality policy"))
        self.version_label = note_label("")
        layout.addWidget(self.version_label)

        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Policy text")
        self.editor.setTabChangesFocus(True)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(
            note_label(
                "Plain text: paragraphs separated by blank lines. Keep the notice of "
                "immunity under the Defend Trade Secrets Act (18 U.S.C. § 1833(b)): "
                "without it the business loses exemplary damages and attorney fees."
            )
        )
        row = QHBoxLayout()
        self.publish_button = QPushButton("&Publish new version…")
        self.publish_button.setObjectName("primary")
        self.revert_button = QPushButton("&Revert")
        self.revert_button.setToolTip("Discard your edits: show the version in force")
        self.publish_button.clicked.connect(self.publish)
        self.revert_button.clicked.connect(self.revert)
        row.addWidget(self.publish_button)
        row.addWidget(self.revert_button)
        row.addStretch(1)
        editor_layout.addLayout(row)

        self.model = RowsModel(ACCEPTANCE_COLUMNS, self, cell_tips=True)
        self.table = rows_table(self.model, self, stretch_last=True)
        self.table.setAccessibleName("Acceptances")
        self.pending_label = note_label("")
        accept_box = QWidget()
        accept_layout = QVBoxLayout(accept_box)
        accept_layout.setContentsMargins(0, 6, 0, 0)
        accept_layout.addWidget(title_label("Acceptances"))
        accept_layout.addWidget(self.pending_label)
        accept_layout.addWidget(self.table, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(editor_box)
        splitter.addWidget(accept_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)

        self.editor.textChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        self.current = self.service.current()
        self.version_label.setText(
            f"In force: {policy_heading(self.current)} by {self.current.published_by}"
        )
        self.editor.setPlainText(self.current.text)
        acceptances = self.service.acceptances()
        self.model.set_rows(
            [
                text_row((a.full_name, a.login, a.version, local_time(a.accepted_at)), a)
                for a in sorted(acceptances, key=lambda a: (-a.version, a.accepted_at))
            ]
        )
        for column, width in enumerate((220, 120, 80)):
            self.table.setColumnWidth(column, width)
        accepted = {a.login for a in acceptances if a.version == self.current.version}
        waiting = [
            u.full_name
            for u in UserService(self._session).list()
            if u.enabled and u.login not in accepted
        ]
        self.pending_label.setText(
            f"Not yet accepted version {self.current.version}: " + ", ".join(waiting)
            if waiting
            else f"Everyone who can sign in has accepted version {self.current.version}."
        )
        self._update_buttons()

    def edited(self) -> bool:
        return self.editor.toPlainText().strip() != self.current.text.strip()

    def _update_buttons(self) -> None:
        changed = self.edited()
        self.publish_button.setEnabled(changed)
        self.revert_button.setEnabled(changed)

    def revert(self) -> None:
        self.editor.setPlainText(self.current.text)
        self.message.clear_message()

    def publish(self) -> None:
        if not self.edited():
            return
        if not ask_publish(self, self.current.version + 1):
            return
        text = self.editor.toPlainText()
        try:
            with busy():
                published = self.service.publish(text)
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.refresh()
        self.message.show_info(
            f"Version {published.version} is in force. Everyone else is asked to accept it "
            "at their next sign-in or unlock."
        )
