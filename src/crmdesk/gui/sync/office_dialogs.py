"""Office › Make this vault an office… and Office › Invite a laptop… (the owner's).

Making the office chooses the shared folder its devices exchange change files through
(a Syncthing folder, a network share, a USB stick); inviting writes, for one user, the
invitation file their laptop joins with. The file holds a one-time secret: the dialog
says so, and when it expires. Both run their service on the database worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from crmdesk.domain.roles import Role
from crmdesk.gui.ops import Pending, QueryOp
from crmdesk.gui.sync import texts
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label
from crmdesk.services.people import User, UserService
from crmdesk.services.replication import joining
from crmdesk.services.replication.state import Office
from crmdesk.services.session import Session

INVITATION_SUFFIX = ".crmdesk-invite"


class GrowingMessage(InlineMessage):
    """An inline message whose dialog grows to show it whole (wrapped lines and all)."""

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.window().adjustSize()

    def show_info(self, text: str) -> None:
        super().show_info(text)
        self.window().adjustSize()


class PathRow(QWidget):
    """A path typed or chosen with a button (a folder, a file to open or to save)."""

    def __init__(self, text: str, button: str, choose) -> None:  # noqa: ANN001 - a callable
        super().__init__()
        self.edit = QLineEdit(text)
        self.edit.setMinimumWidth(320)
        self.button = QPushButton(button)
        self.button.setAutoDefault(False)
        self.button.clicked.connect(lambda: self._choose(choose))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)

    def _choose(self, choose) -> None:  # noqa: ANN001
        chosen = choose(self.edit.text().strip())
        if chosen:
            self.edit.setText(chosen)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None


def folder_chooser(parent: QWidget, caption: str):  # noqa: ANN201 - a callable
    def choose(current: str) -> str:
        return QFileDialog.getExistingDirectory(parent, caption, current or str(Path.home()))

    return choose


class MakeOfficeDialog(AppDialog):
    """The owner's vault becomes an office whose devices share a folder."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.office: Office | None = None
        self.op: Pending | None = None
        layout = dialog_frame(self, "Make this vault an office", 560)
        layout.addWidget(
            note_label(
                "Your salespeople's laptops can each keep their own copy of this vault and "
                "exchange changes with it while they travel, without a server. Choose the "
                "folder the office's devices share: a Syncthing folder, a network share, or "
                "a folder on a USB stick carried between them. Only encrypted, signed change "
                "files are written there, never the vault itself."
            )
        )
        form = QFormLayout()
        self.folder_row = PathRow("", "Choose…", folder_chooser(self, "The shared folder"))
        form.addRow("Shared folder:", self.folder_row)
        layout.addLayout(form)
        layout.addWidget(
            note_label(
                "Then invite each person's laptop (Office › Invite a laptop…). This vault "
                "stays the office's own: it answers the laptops' requests when it syncs."
            )
        )
        self.message = GrowingMessage()
        layout.addWidget(self.message)
        buttons, cancel, self.make_button = button_row("Cancel", "Make it an office")
        cancel.clicked.connect(self.reject)
        self.make_button.clicked.connect(self.make_office)
        layout.addWidget(buttons)

    def make_office(self) -> None:
        folder = self.folder_row.path()
        if folder is None:
            self.message.show_error("Choose the folder the office's devices share (Choose…).")
            return
        if self.op is not None and not self.op.is_done():
            return
        session = self.session
        self.message.clear_message()
        self.make_button.setEnabled(False)

        def done(office: Office) -> None:
            self.office = office
            self.accept()

        def failed(exc: BaseException) -> None:
            self.make_button.setEnabled(True)
            self.message.show_error(texts.failure_text(exc, str(folder)))

        self.op = (
            QueryOp(parent=self, op=lambda: joining.create_office(session, folder), success=done)
            .failure(failed)
            .run_in_background()
        )


@dataclass(frozen=True, slots=True)
class Saved:
    path: Path
    login: str
    expires_at: str


def write_invitation(session: Session, login: str, path: Path) -> Saved:
    """On the worker: the invitation made and written where the owner chose, readable
    by this computer's user only (it holds the secret until it is used)."""
    data = joining.invite(session, login)
    invitation = joining.read_invitation(data)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return Saved(path, invitation.login, invitation.expires_at)


class InviteDialog(AppDialog):
    """An invitation file for one user's laptop."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.saved: Saved | None = None
        self.op: Pending | None = None
        layout = dialog_frame(self, "Invite a laptop", 560)
        layout.addWidget(
            note_label(
                "The invitation lets one person's laptop join this office. On the laptop, "
                "they choose “Join an office” when crmdesk starts, then this file."
            )
        )
        form = QFormLayout()
        self.user_box = QComboBox()
        self.user_box.setPlaceholderText("Reading the users…")
        self.file_row = PathRow("", "Choose…", self._choose_file)
        form.addRow("Whose laptop:", self.user_box)
        form.addRow("Save the invitation as:", self.file_row)
        layout.addLayout(form)
        self.secret_note = note_label(
            "The file holds a secret: whoever has it can join the office as that person. "
            "Hand it over in person or on a USB stick, never by e-mail or chat, and delete "
            "it once the laptop has joined. It works once, for 7 days.",
            "warningNote",
        )
        layout.addWidget(self.secret_note)
        self.message = GrowingMessage()
        layout.addWidget(self.message)
        buttons, self.close_button, self.save_button = button_row("Cancel", "Save invitation")
        self.close_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save_invitation)
        self.save_button.setEnabled(False)
        layout.addWidget(buttons)
        self._read_users()

    def _read_users(self) -> None:
        session = self.session

        def listed(users: list[User]) -> None:
            for user in users:
                if user.enabled and user.role != Role.OWNER:
                    self.user_box.addItem(f"{user.full_name} ({user.login})", user.login)
            if self.user_box.count() == 0:
                self.user_box.setPlaceholderText("(no other user)")
                self.message.show_error(
                    "Add the person as a user first (Office › Users…), then invite their laptop."
                )
                return
            self.user_box.setCurrentIndex(0)
            self.save_button.setEnabled(True)

        QueryOp(parent=self, op=lambda: UserService(session).list(), success=listed).failure(
            lambda exc: self.message.show_error(texts.failure_text(exc))
        ).run_in_background()

    def _choose_file(self, current: str) -> str:
        login = self.user_box.currentData() or "laptop"
        start = current or str(Path.home() / f"{login}{INVITATION_SUFFIX}")
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the invitation", start, f"crmdesk invitations (*{INVITATION_SUFFIX})"
        )
        return chosen

    def save_invitation(self) -> None:
        login = self.user_box.currentData()
        path = self.file_row.path()
        if not login:
            return
        if path is None:
            self.message.show_error("Choose where to save the invitation (Choose…).")
            return
        if self.op is not None and not self.op.is_done():
            return
        if not path.suffix:
            path = path.with_name(path.name + INVITATION_SUFFIX)
        session = self.session
        self.message.clear_message()
        self.save_button.setEnabled(False)

        def done(saved: Saved) -> None:
            self.saved = saved
            expires = texts.local_time(saved.expires_at, today=None)
            self.message.show_info(
                f"Saved to {saved.path}. It expires on {expires}. Give it to {saved.login} "
                "in person or on a USB stick; once their laptop has joined, sync here "
                "(File › Sync now) so that it receives its keys."
            )
            self.close_button.setText("Close")

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            if isinstance(exc, OSError):
                reason = exc.strerror or type(exc).__name__
                self.message.show_error(
                    f"The invitation could not be saved to {path} ({reason}). Choose another "
                    "place (Choose…)."
                )
            else:
                self.message.show_error(texts.failure_text(exc))

        self.op = (
            QueryOp(parent=self, op=lambda: write_invitation(session, login, path), success=done)
            .failure(failed)
            .run_in_background()
        )
