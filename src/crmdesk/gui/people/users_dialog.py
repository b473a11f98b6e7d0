"""The owner's list of users: add, reset a password, change a role, disable and enable.

Every change is the service's (one transaction with its audit event); this only asks.
Each small dialog performs its change itself and stays open with the service's message
when it is refused, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from crmdesk.domain.roles import Role
from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.people.add_user import AddUserDialog
from crmdesk.gui.people.common import local_date, local_time
from crmdesk.gui.people.user_fields import PasswordPair, role_combo
from crmdesk.gui.vault_flows.lock_screen import SetPasswordDialog
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.rows import RowsModel, rows_table, text_row
from crmdesk.gui.widgets.style import button_row, dialog_frame, note_label, title_label
from crmdesk.services import signin
from crmdesk.services.people import User, UserService
from crmdesk.services.session import Session

COLUMNS = ("Login", "Name", "Role", "Status", "Last sign-in")


NEEDS_PASSWORD = "Needs a new password"


def needs_new_password(user: User) -> bool:
    """An enabled colleague without a key slot (the old format's passwords were dropped
    at the upgrade): they cannot sign in until the owner resets their password."""
    return user.enabled and user.role is not Role.OWNER and not user.has_password


def user_status(user: User, *, own_password: bool = True) -> str:
    """``own_password``: for the owner, whether they set a sign-in password."""
    if not user.enabled:
        return f"Disabled since {local_date(user.disabled_at)}"
    if needs_new_password(user):
        return NEEDS_PASSWORD
    if user.must_change_password:
        return "Active · must choose a password"
    if user.role is Role.OWNER and not own_password:
        return "Active · no password set"
    return "Active"


class ResetPasswordDialog(AppDialog):
    """A new password for someone who forgot theirs; they must change it at sign-in."""

    def __init__(self, service: UserService, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._user = service, user
        layout = dialog_frame(self, "Reset password", 480)
        layout.addWidget(title_label(f"Reset {user.full_name}’s password"))
        layout.addWidget(
            note_label(
                "Give them the new password in person. They must choose their own at "
                "their next sign-in; a wait after wrong passwords is lifted."
            )
        )
        form = QFormLayout()
        self.password = PasswordPair(form, "&New password:")
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons, cancel, self.ok_button = button_row("Cancel", "Reset password")
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def submit(self) -> None:
        problem = self.password.problem()
        if problem:
            self.message.show_error(problem)
            return
        try:
            with busy():
                self._service.reset_password(self._user.login, self.password.value())
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.password.clear()
        self.accept()


class ChangeRoleDialog(AppDialog):
    def __init__(self, service: UserService, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._user = service, user
        self.warning: str | None = None  # the keys' rotation waits (the vault is open elsewhere)
        layout = dialog_frame(self, "Change role", 520)
        layout.addWidget(title_label(f"{user.full_name}’s role"))
        layout.addWidget(note_label("The new role applies from their next action."))
        self.role_combo = role_combo(user.role)
        layout.addWidget(self.role_combo)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons, cancel, self.ok_button = button_row("Cancel", "Change role")
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def submit(self) -> None:
        try:
            self.warning = self._service.set_role(self._user.login, self.role_combo.currentData())
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.accept()


class DisableUserDialog(AppDialog):
    """Confirm disabling an account, with the reason kept in the audit trail."""

    def __init__(self, service: UserService, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._user = service, user
        self.warning: str | None = None  # the keys' rotation waits (the vault is open elsewhere)
        layout = dialog_frame(self, "Disable user", 500)
        layout.addWidget(title_label(f"Disable {user.full_name}?"))
        layout.addWidget(
            note_label(
                "They can no longer sign in. Their clients, history and audit trail stay "
                "as they are, and you can enable the account again later. When someone "
                "leaves the business, Office › Offboard a user… also takes the exit steps.",
                "warningNote",
            )
        )
        form = QFormLayout()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("e.g. left the company on 30 November")
        form.addRow("&Reason:", self.reason_edit)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons, cancel, self.ok_button = button_row("Cancel", "Disable")
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    def submit(self) -> None:
        try:
            self.warning = self._service.disable(
                self._user.login, reason=self.reason_edit.text().strip()
            )
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.accept()


class EnableUserDialog(AppDialog):
    """Enable an account again, with a new initial password (its key slot went when it
    was disabled); they choose their own at their next sign-in."""

    def __init__(self, service: UserService, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._user = service, user
        layout = dialog_frame(self, "Enable user", 480)
        layout.addWidget(title_label(f"Enable {user.full_name}?"))
        layout.addWidget(
            note_label(
                "They can sign in again with the role they had. Their old password no "
                "longer works: give them this initial password in person; they choose "
                "their own at their next sign-in."
            )
        )
        form = QFormLayout()
        self.password = PasswordPair(form, "&Initial password:")
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons, cancel, self.ok_button = button_row("Cancel", "Enable")
        self.ok_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.password.first.setFocus()

    def submit(self) -> None:
        problem = self.password.problem()
        if problem:
            self.message.show_error(problem)
            self.password.first.setFocus()
            return
        try:
            with busy():
                self._service.enable(self._user.login, self.password.value())
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.password.clear()
        self.accept()


class UsersDialog(AppDialog):
    """Everyone who may open this vault, their role and state; the owner's changes."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.service = UserService(session)
        layout = dialog_frame(self, "Users", 820)
        self.resize(900, 560)
        layout.addWidget(title_label("Users of this vault"))
        layout.addWidget(
            note_label(
                "Once a vault has more than one user, everyone signs in with their own "
                "login and password at every unlock, and sees what their role allows."
            )
        )

        self.password_box = QWidget()
        row = QHBoxLayout(self.password_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(
            note_label(
                "Set your own sign-in password before you add anyone: from then on "
                "everyone, you too, signs in.",
                "warningNote",
            ),
            1,
        )
        self.set_password_button = QPushButton("Set my password…")
        self.set_password_button.clicked.connect(self.set_own_password)
        row.addWidget(self.set_password_button)
        layout.addWidget(self.password_box)

        self.awaiting_note = note_label("", "warningNote")
        self.awaiting_note.hide()
        layout.addWidget(self.awaiting_note)

        self.model = RowsModel(COLUMNS, self, cell_tips=True)
        self.table = rows_table(self.model, self, stretch_last=True)
        self.table.setAccessibleName("Users")
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.add_button = QPushButton("&Add user…")
        self.reset_button = QPushButton("&Reset password…")
        self.role_button = QPushButton("Change r&ole…")
        self.disable_button = QPushButton("&Disable…")
        self.enable_button = QPushButton("&Enable")
        for button, slot in (
            (self.add_button, self.add_user),
            (self.reset_button, self.reset_password),
            (self.role_button, self.change_role),
            (self.disable_button, self.disable_user),
            (self.enable_button, self.enable_user),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.change_role())
        self.refresh()

    # -- reading -----------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        keep = select or self.selected_login()
        self.users = self.service.list()
        own_password = signin.has_password(self._session)
        self.model.set_rows(
            [
                text_row(
                    (
                        u.login,
                        u.full_name,
                        u.role.title,
                        user_status(u, own_password=own_password),
                        local_time(u.last_signin, "never"),
                    ),
                    u.login,
                )
                for u in self.users
            ]
        )
        for column, width in enumerate((120, 200, 110, 230)):
            self.table.setColumnWidth(column, width)
        self.password_box.setVisible(not own_password)
        waiting = [u.full_name for u in self.users if needs_new_password(u)]
        self.awaiting_note.setVisible(bool(waiting))
        if waiting:
            who = ", ".join(waiting)
            self.awaiting_note.setText(
                f"Waiting for a new password: {who}. They cannot sign in until you give "
                "them one: since the upgrade to personal keys only a person's own password "
                "opens their key, and the old passwords were dropped. Select each one, "
                "then choose Reset password…"
            )
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    def selected_login(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.key_at(rows[0].row()) if rows else None

    def selected_user(self) -> User | None:
        login = self.selected_login()
        return next((u for u in self.users if u.login == login), None)

    def _update_buttons(self, *_args: object) -> None:
        user = self.selected_user()
        is_owner = user is not None and user.role is Role.OWNER
        self.reset_button.setEnabled(user is not None)
        self.role_button.setEnabled(user is not None and not is_owner)
        self.disable_button.setEnabled(user is not None and not is_owner and user.enabled)
        self.enable_button.setEnabled(user is not None and not user.enabled)
        self.disable_button.setVisible(user is None or user.enabled)
        self.enable_button.setVisible(user is not None and not user.enabled)
        # The action that user needs: Enter presses it, and it says why.
        needed = user is not None and needs_new_password(user)
        self.reset_button.setDefault(needed)
        self.reset_button.setToolTip(
            f"{user.full_name} cannot sign in until you give them a new password."
            if needed and user is not None
            else ""
        )

    # -- changes -----------------------------------------------------------------------

    def set_own_password(self) -> None:
        dialog = SetPasswordDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            signin.set_password(self._session, dialog.password())
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return
        self.message.show_info("Your sign-in password is set.")
        self.refresh()

    def add_user(self) -> None:
        dialog = AddUserDialog(self._session, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.added is None:
            return
        user = dialog.added
        self.refresh(select=user.login)
        self.message.show_info(
            f"{user.full_name} ({user.login}) was added as {user.role.title}. Give them the "
            "initial password: they choose their own at their first sign-in."
        )

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if ResetPasswordDialog(self.service, user, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.message.show_info(f"{user.full_name}’s password was reset.")

    def change_role(self) -> None:
        user = self.selected_user()
        if user is None or user.role is Role.OWNER:
            return
        dialog = ChangeRoleDialog(self.service, user, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            changed = self.selected_user()
            role = changed.role.title if changed else ""
            self._said(f"{user.full_name} is now {role}.", dialog.warning)

    def disable_user(self) -> None:
        user = self.selected_user()
        if user is None or not user.enabled:
            return
        dialog = DisableUserDialog(self.service, user, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self._said(f"{user.full_name} can no longer sign in.", dialog.warning)

    def _said(self, done: str, warning: str | None) -> None:
        """What a change did, and the rotation of keys that waits, if one does."""
        if warning:
            self.message.show_error(f"{done} {warning}")
        else:
            self.message.show_info(done)

    def enable_user(self) -> None:
        user = self.selected_user()
        if user is None or user.enabled:
            return
        if EnableUserDialog(self.service, user, self).exec() != QDialog.DialogCode.Accepted:
            return
        self.refresh()
        self.message.show_info(
            f"{user.full_name} can sign in again. Give them the initial password: they "
            "choose their own at their next sign-in."
        )
