"""Tools › Offboard a user…: the owner's exit procedure for an employee who leaves.

Step 1 chooses the person and the period of the Access report, and says plainly what
will happen and that it cannot be undone. Step 2 runs the offboarding service on a
worker thread (:mod:`crmdesk.gui.ops`) and shows what it produced: the account disabled,
every key the person held changed (and given again to everyone else, without asking
anyone's password; the owner's recovery key stays, the person never had it), the Access
report and the exit certification (each with Preview, Print and Save as PDF).

Every page action is a method (``offboard``, ``finish``) that a button calls, so tests
drive the dialog with ``show()`` and calls, never ``exec()``.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QPalette
from PySide6.QtWidgets import (
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
from crmdesk.gui.offboarding.report_row import ReportRow
from crmdesk.gui.ops import Operation, run_with_progress
from crmdesk.gui.people.common import local_time
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.rows import RowsModel, rows_table, text_row
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button
from crmdesk.services.offboarding import OffboardingResult, OffboardingService
from crmdesk.services.people import User, UserService
from crmdesk.services.reports import ReportService
from crmdesk.services.session import KeyStore, Session

DEFAULT_DAYS = 90
USER_COLUMNS = ("Name", "Login", "Role", "Last sign-in")


def first_name(user: User) -> str:
    return user.full_name.split()[0] if user.full_name.split() else user.login


def keys_held(user: User) -> str:
    """Which keys the person's role gave them (SECURITY.md, "What each role's keys open")."""
    if user.role is Role.MANAGER:
        return "the main database's, every book's and the audit trail's"
    if user.role is Role.SALESPERSON:
        return "the main database's and their own book's"
    return "the main database's"


def summary_text(user: User | None, days: int) -> str:
    """What pressing the button will do, in order, for the person chosen."""
    if user is None:
        return "Choose the person who is leaving."
    steps = summary_steps(user, days)
    return "\n".join(f"{n}.  {s}" for n, s in enumerate(steps, start=1))


def summary_steps(user: User, days: int) -> list[str]:
    name, first = user.full_name, first_name(user)
    return [
        f"{name}'s account ({user.login}) is disabled at once: {first} can no longer sign "
        "in. Their history stays in the audit trail.",
        f"Every key {first} held ({keys_held(user)}) is changed and given again to everyone "
        f"else, without asking anyone's password: a key {first} may have copied opens "
        f"nothing written from then on. Your recovery key stays as it is: {first} never "
        "had it.",
        f"An Access report lists everything {first} viewed, changed, printed, exported "
        f"and copied in the last {days} day{'s' if days != 1 else ''}, marked with your name.",
        f"An exit certification lists the reports {first} printed, for {first} to sign.",
    ]


class OffboardingWizard(AppDialog):
    """Two steps: choose and confirm; then what was done, and the reports."""

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
                "When an employee leaves: their account is closed, the keys they held "
                "changed, and the evidence of what they did with the client information "
                "printed."
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
            "This cannot be undone. The account can be enabled again later, with a new "
            "password, but the reports are registered in the vault and the old keys never "
            "come back.",
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
        self._update_summary()
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

    def _update_summary(self) -> None:
        user = self._user
        days = self.days_spin.value()
        self.summary_text = summary_text(user, days)
        if user is None:
            self.summary_label.setText(html.escape(self.summary_text))
        else:
            self.summary_label.setText(numbered(summary_steps(user, days)))
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
            lambda job: service.offboard(user.login, days=days),
            self._on_done,
            self._on_error,
        )
        # The service cannot stop half-way: no Cancel that would not cancel.
        self.op.dialog.setCancelButton(None)  # type: ignore[arg-type]
        self.op.dialog.setLabelText(
            "Disabling the account, changing the keys it held and printing the reports…"
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.users_table, self.days_spin):
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
        self.load_users()  # the account may be disabled already: it stays in the list
        if not isinstance(exc, CrmdeskError):
            show_error(self, exc)
        self.message.show_error(error_text(exc))

    def _on_done(self, result: OffboardingResult) -> None:
        self._finish_op()
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
        if result.rotated:
            lines.append(
                f"✓  Every key {first} held was changed and given again to everyone else: a "
                f"key {first} may have copied opens nothing written from now on. Nobody "
                "needs a new password."
            )
        else:
            lines.append(
                f"•  The keys {first} held are changed the next time the vault is opened "
                "alone: it is open in another window or command."
            )
        lines.append(
            f"✓  Your recovery key stays as it is: {first} never had it, so your printed "
            "recovery kit still opens this vault."
        )
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

    def finish(self) -> None:
        """Close, once the work is done."""
        if self.result_ is None:
            return
        self.accept()

    # -- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc and the close button: not while working."""
        if self.op is not None:
            return
        if self.result_ is not None:
            self.finish()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.op is not None:
            event.ignore()
            return
        super().closeEvent(event)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()
