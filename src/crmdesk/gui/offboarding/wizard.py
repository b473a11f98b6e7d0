"""Tools › Offboard a user…: the owner's exit procedure for an employee who leaves.

Step 1 chooses the person, the period of the Access report and whether to change the
vault key (recommended), and says plainly what will happen and that it cannot be undone.
Step 2 runs the offboarding service on a worker thread (:mod:`crmdesk.gui.ops`) and shows
what it produced: the Access report and the exit certification (each with Preview,
Print and Save as PDF) and, when the key was changed, the new recovery key, shown once,
which the owner must confirm they stored before Finish.

Every page action is a method (``offboard``, ``finish``) that a button calls, so tests
drive the dialog with ``show()`` and calls, never ``exec()``.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.roles import Role
from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text, show_error
from crmdesk.gui.offboarding.common import heading, numbered, quiet
from crmdesk.gui.offboarding.recovery_key import RecoveryKeyPanel
from crmdesk.gui.offboarding.report_row import ReportRow
from crmdesk.gui.ops import Operation, run_with_progress
from crmdesk.gui.people.common import local_time
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.rows import RowsModel, rows_table, text_row
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button
from crmdesk.services import session as session_service
from crmdesk.services.offboarding import OffboardingResult, OffboardingService
from crmdesk.services.people import User, UserService
from crmdesk.services.reports import ReportService
from crmdesk.services.session import KeyStore, Session
from crmdesk.services.vault_state import vault_folder

DEFAULT_DAYS = 90
ROTATE_TEXT = (
    "Rotate the vault key now (recommended: an old key copied by the employee then opens "
    "no later copy of the vault)"
)
ROTATE_CHECK = "Rotate the vault key now (recommended)"
ROTATE_HINT = "An old key copied by the employee then opens no later copy of the vault."
USER_COLUMNS = ("Name", "Login", "Role", "Last sign-in")


def first_name(user: User) -> str:
    return user.full_name.split()[0] if user.full_name.split() else user.login


def summary_text(user: User | None, days: int, rotate: bool) -> str:
    """What pressing the button will do, in order, for the person chosen."""
    if user is None:
        return "Choose the person who is leaving."
    steps = summary_steps(user, days, rotate)
    return "\n".join(f"{n}.  {s}" for n, s in enumerate(steps, start=1))


def summary_steps(user: User, days: int, rotate: bool) -> list[str]:
    name, first = user.full_name, first_name(user)
    steps = [
        f"{name}'s account ({user.login}) is disabled at once: {first} can no longer sign "
        "in. Their history stays in the audit trail.",
    ]
    if rotate:
        steps.append(
            "The vault key is changed. The old key and the old recovery key stop opening "
            f"this vault, so a key {first} may have copied opens no later copy of it. You "
            "get a new recovery key to store; backups made before keep the old key."
        )
    else:
        steps.append(
            "The vault key stays as it is. Not recommended: a key or recovery key "
            f"{first} may have copied keeps opening every copy of the vault."
        )
    steps.append(
        f"An Access report lists everything {first} viewed, changed, printed, exported "
        f"and copied in the last {days} day{'s' if days != 1 else ''}, marked with your name."
    )
    steps.append(f"An exit certification lists the reports {first} printed, for {first} to sign.")
    return steps


class OffboardingWizard(AppDialog):
    """Two steps: choose and confirm; then the reports and the new recovery key."""

    offboarded = Signal(str)  # the login, once the service has done its work

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        keystore: KeyStore | None = None,
        now: Any = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._keystore = keystore
        self._now = now
        self.op: Operation | None = None
        self.result_: OffboardingResult | None = None
        self._attempted: str | None = None  # a login whose offboarding stopped half-way
        self._users: list[User] = []
        self._user: User | None = None
        try:
            self._needs_passphrase = session_service.needs_passphrase(vault_folder(session))
        except CrmdeskError:
            self._needs_passphrase = False

        self.setWindowTitle("Offboard a user")
        self.setStyleSheet(STYLE)
        self.setMinimumSize(760, 640)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.choose_page = self._build_choose_page()
        self.results_page = self._build_results_page()
        self.stack.addWidget(self.choose_page)
        self.stack.addWidget(self.results_page)
        self.load_users()

    # -- step 1 -------------------------------------------------------------------------

    def _build_choose_page(self) -> QWidget:
        page = QWidget(self)
        body = QVBoxLayout(page)
        body.setContentsMargins(28, 20, 28, 18)
        body.setSpacing(10)
        body.addWidget(heading("Offboard a user"))
        body.addWidget(
            quiet(
                "When an employee leaves: their account is closed, the vault key changed, "
                "and the evidence of what they did with the client information printed."
            )
        )
        body.addWidget(QLabel("Who is leaving?"))
        self.users_model = RowsModel(USER_COLUMNS, page, cell_tips=True)
        self.users_table = rows_table(self.users_model, page, stretch_last=True)
        self.users_table.setMinimumHeight(self.fontMetrics().height() * 7)
        self.users_table.selectionModel().selectionChanged.connect(self._user_changed)
        self.no_users_label = note_label(
            "There is nobody to offboard: every other account is already disabled."
        )
        self.no_users_label.hide()
        body.addWidget(self.users_table, 1)
        body.addWidget(self.no_users_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.days_spin = QSpinBox(page)
        self.days_spin.setRange(1, 3660)
        self.days_spin.setValue(DEFAULT_DAYS)
        self.days_spin.setSuffix(" days")
        self.days_spin.setMaximumWidth(140)
        self.days_spin.valueChanged.connect(self._update_summary)
        form.addRow("Access report covers the &last:", self.days_spin)
        self.rotate_check = QCheckBox(ROTATE_CHECK, page)
        self.rotate_check.setChecked(True)
        self.rotate_check.setToolTip(ROTATE_TEXT)
        self.rotate_check.toggled.connect(self._rotate_toggled)
        rotate_hint = quiet(ROTATE_HINT)
        rotate_hint.setContentsMargins(22, 0, 0, 0)
        rotate_box = QVBoxLayout()
        rotate_box.setSpacing(0)
        rotate_box.addWidget(self.rotate_check)
        rotate_box.addWidget(rotate_hint)
        form.addRow(rotate_box)
        self.passphrase_edit = secret_edit("The vault's master passphrase")
        self.passphrase_label = QLabel("Master &passphrase:", page)
        self.passphrase_label.setBuddy(self.passphrase_edit)
        form.addRow(self.passphrase_label, self.passphrase_edit)
        body.addLayout(form)

        self.summary_label = QLabel(page)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_text = ""
        summary_box = QFrame(page)
        summary_box.setFrameShape(QFrame.Shape.StyledPanel)
        summary_box.setAutoFillBackground(True)
        summary_box.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        box = QVBoxLayout(summary_box)
        box.setContentsMargins(12, 10, 12, 10)
        box.addWidget(QLabel("<b>What will happen</b>", summary_box))
        box.addWidget(self.summary_label)
        body.addWidget(summary_box)
        self.undo_note = note_label(
            "This cannot be undone. The account can be enabled again later, but the reports "
            "are registered in the vault and the old key never comes back: the new recovery "
            "key must be stored safely.",
            "warningNote",
        )
        body.addWidget(self.undo_note)
        self.message = InlineMessage(page)
        body.addWidget(self.message)

        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel", page)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.offboard_button = primary_button("Offboard")
        # Not the default button: Enter in a field must not start what cannot be undone.
        self.offboard_button.setDefault(False)
        self.offboard_button.setAutoDefault(False)
        self.offboard_button.clicked.connect(self.offboard)
        row.addWidget(self.cancel_button)
        row.addWidget(self.offboard_button)
        body.addLayout(row)
        self._rotate_toggled(True)
        return page

    def load_users(self) -> None:
        """The enabled users other than the owner, and one whose offboarding stopped."""
        try:
            users = UserService(self.session).list()
        except CrmdeskError as exc:
            users = []
            self.message.show_error(error_text(exc))
        chosen = self._user.login if self._user else None
        self._users = [
            u
            for u in users
            if u.role is not Role.OWNER
            and (u.enabled or (self._attempted and u.login == self._attempted))
        ]
        rows = []
        for u in self._users:
            last = local_time(u.last_signin, "Never")
            status = "" if u.enabled else " (disabled; offboarding not finished)"
            rows.append(text_row((u.full_name + status, u.login, u.role.title, last), u.login))
        self.users_model.set_rows(rows)
        header = self.users_table.horizontalHeader()
        header.resizeSection(0, 260)
        header.resizeSection(1, 120)
        header.resizeSection(2, 120)
        self.no_users_label.setVisible(not self._users)
        self.users_table.setVisible(bool(self._users))
        if chosen is not None:
            self.select_user(chosen)
        else:
            self._user = None
            self._update_summary()

    def select_user(self, login: str) -> bool:
        row = self.users_model.row_of(login)
        if row is None:
            return False
        self.users_table.selectRow(row)
        return True

    def _user_changed(self) -> None:
        rows = self.users_table.selectionModel().selectedRows()
        login = self.users_model.key_at(rows[0].row()) if rows else None
        self._user = next((u for u in self._users if u.login == login), None)
        self.message.clear_message()
        self._update_summary()

    def _rotate_toggled(self, checked: bool) -> None:
        needs = checked and self._needs_passphrase
        self.passphrase_edit.setVisible(needs)
        self.passphrase_label.setVisible(needs)
        self._update_summary()

    def _update_summary(self) -> None:
        user = self._user
        days, rotate = self.days_spin.value(), self.rotate_check.isChecked()
        self.summary_text = summary_text(user, days, rotate)
        if user is None:
            self.summary_label.setText(html.escape(self.summary_text))
        else:
            self.summary_label.setText(numbered(summary_steps(user, days, rotate)))
        self.offboard_button.setEnabled(user is not None and self.op is None)
        self.offboard_button.setText(f"Offboard {user.full_name}" if user else "Offboard")

    def chosen_user(self) -> User | None:
        return self._user

    # -- running --------------------------------------------------------------------------

    def offboard(self) -> None:
        """Run the offboarding for the chosen person (on a worker thread)."""
        user = self._user
        if user is None or self.op is not None:
            return
        self.message.clear_message()
        rotate = self.rotate_check.isChecked()
        passphrase: str | None = None
        if rotate and self._needs_passphrase:
            passphrase = self.passphrase_edit.text()
            if not passphrase:
                self.message.show_error(
                    "Type the vault's master passphrase: the new key is protected by it."
                )
                self.passphrase_edit.setFocus()
                return
        days = self.days_spin.value()
        kwargs: dict[str, Any] = {"keystore": self._keystore}
        if self._now is not None:
            kwargs["now"] = self._now
        service = OffboardingService(self.session, **kwargs)
        self._attempted = user.login
        self._set_busy(True)
        self.op = run_with_progress(
            self,
            f"Offboarding {user.full_name}",
            1,
            lambda job: service.offboard(
                user.login, days=days, rotate_key=rotate, passphrase=passphrase
            ),
            self._on_done,
            self._on_error,
        )
        # The service cannot stop half-way: no Cancel that would not cancel.
        self.op.dialog.setCancelButton(None)  # type: ignore[arg-type]
        self.op.dialog.setLabelText(
            "Disabling the account, changing the vault key and printing the reports…"
            if rotate
            else "Disabling the account and printing the reports…"
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.users_table, self.days_spin, self.rotate_check, self.passphrase_edit):
            widget.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.offboard_button.setEnabled(not busy and self._user is not None)

    def _finish_op(self) -> None:
        op, self.op = self.op, None
        if op is not None:
            op.dialog.deleteLater()
            op.deleteLater()
        self._set_busy(False)

    def _on_error(self, exc: BaseException) -> None:
        self._finish_op()
        self.passphrase_edit.clear()
        self.load_users()  # the account may be disabled already: it stays in the list
        text = error_text(exc)
        if not isinstance(exc, CrmdeskError):
            show_error(self, exc)
        self.message.show_error(text)
        if self._needs_passphrase and "passphrase" in text.lower():
            self.passphrase_edit.setFocus()

    def _on_done(self, result: OffboardingResult) -> None:
        self._finish_op()
        self.passphrase_edit.clear()
        self.result_ = result
        self._attempted = None
        self._show_results(result)
        self.stack.setCurrentWidget(self.results_page)
        if self._user is not None:
            self.offboarded.emit(self._user.login)

    # -- step 2 -------------------------------------------------------------------------

    def _build_results_page(self) -> QWidget:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(scroll)
        self.results_body = QVBoxLayout(content)
        self.results_body.setContentsMargins(28, 20, 28, 12)
        self.results_body.setSpacing(10)
        self.results_title = heading("")
        self.results_body.addWidget(self.results_title)
        self.done_label = QLabel(content)
        self.done_label.setWordWrap(True)
        self.done_label.setTextFormat(Qt.TextFormat.PlainText)
        self.results_body.addWidget(self.done_label)
        self.results_body.addWidget(heading("Reports", 1.1))
        self.reports_box = QVBoxLayout()
        self.results_body.addLayout(self.reports_box)
        self.key_panel = RecoveryKeyPanel(self.session, content)
        self.key_panel.stored_changed.connect(self._update_finish)
        self.key_panel.hide()
        self.results_body.addSpacing(6)
        self.results_body.addWidget(self.key_panel)
        self.results_body.addStretch(1)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)

        row = QHBoxLayout()
        row.setContentsMargins(28, 0, 28, 18)
        row.addStretch(1)
        self.finish_button = primary_button("Finish")
        self.finish_button.clicked.connect(self.finish)
        row.addWidget(self.finish_button)
        outer.addLayout(row)
        return page

    def _show_results(self, result: OffboardingResult) -> None:
        user = self._user
        name = user.full_name if user else "The user"
        first = first_name(user) if user else "they"
        login = user.login if user else ""
        self.results_title.setText(f"{name} is offboarded")
        lines = [f"✓  The account {login} is disabled: {first} can no longer sign in."]
        if result.recovery_key:
            lines.append(
                "✓  The vault key was changed: the old key and the old recovery key no "
                "longer open this vault."
            )
        else:
            lines.append("•  The vault key was not changed.")
        lines.append(
            "✓  The Access report and the exit certification are registered in the vault. "
            f"Print the certification for {first} to sign, and keep both with your records."
        )
        self.done_label.setText("\n".join(lines))

        reports = ReportService(self.session)
        self.access_row = ReportRow(
            reports,
            result.access_report,
            "Access report",
            f"Everything {first} viewed, changed, printed, exported and copied, with the "
            "alerts and the audit trail's check.",
        )
        self.certificate_row = ReportRow(
            reports,
            result.certificate,
            "Exit certification",
            f"The reports {first} printed and the statements to sign that they keep no copies.",
        )
        self.reports_box.addWidget(self.access_row)
        self.reports_box.addWidget(self.certificate_row)
        if result.recovery_key:
            self.key_panel.show_key(result.recovery_key)
            self.key_panel.show()
        else:
            self.key_panel.hide()
        self._update_finish()

    def _update_finish(self, *_args: object) -> None:
        waiting = self.key_panel.has_key() and not self.key_panel.is_stored()
        self.finish_button.setEnabled(not waiting)
        self.finish_button.setToolTip(
            "Tick “I have stored the new recovery key safely” first." if waiting else ""
        )

    def finish(self) -> None:
        """Close (the new recovery key, if any, must have been stored)."""
        if self.result_ is None:
            return
        if self.key_panel.has_key() and not self.key_panel.is_stored():
            self.key_panel.remind()
            return
        self.key_panel.forget()
        self.accept()

    # -- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc and the close button: not while working, nor before the key is stored."""
        if self.op is not None:
            return
        if self.result_ is not None:
            if self.key_panel.has_key() and not self.key_panel.is_stored():
                self.key_panel.remind()
                return
            self.finish()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.op is not None or (
            self.result_ is not None and self.key_panel.has_key() and not self.key_panel.is_stored()
        ):
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()
