"""The owner's alert thresholds: when the Activity page raises an alert.

The numbers are the domain's (:class:`crmdesk.domain.alerts.AlertThresholds`), checked by
its ``validated()`` and saved by the settings service (audited, old and new); this
dialog only asks, in the owner's words.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.alerts import DAY_NAMES, AlertThresholds, ThresholdError
from crmdesk.errors import CrmdeskError
from crmdesk.gui.activity.words import THRESHOLD_WORDS
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.style import STYLE, primary_button
from crmdesk.services.session import Session
from crmdesk.services.settings import change_settings, settings

_MOST = 1_000_000  # the spin boxes' own limit; the domain says what it accepts


def _spin(value: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, _MOST)
    spin.setGroupSeparatorShown(True)
    spin.setSuffix(suffix)
    spin.setValue(value)
    spin.setFixedWidth(150)
    return spin


def _hour_combo(first: int, last: int, chosen: int) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for hour in range(first, last + 1):
        combo.addItem(f"{hour:02d}:00", hour)
    combo.setCurrentIndex(max(0, combo.findData(chosen)))
    return combo


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    return label


def owner_message(exc: ThresholdError) -> str:
    """The rule broken, in the dialog's words: the field as the dialog names it, without
    its programme name or the value typed (both are in the domain's message)."""
    if exc.code == "threshold.working_hours":
        return "Working hours must end after they start (for example from 07:00 to 19:00)."
    if exc.code == "threshold.working_days":
        return "Tick at least one working day."
    if exc.code == "threshold.out_of_range":
        facts = exc.facts
        return (
            f"{facts['words']} must be a whole number from {facts['low']:,} to {facts['high']:,}."
        )
    return exc.message


class ThresholdsDialog(AppDialog):
    """Spin boxes for each threshold, working hours and days; Save checks and saves."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        current = settings(session).thresholds
        self.saved: AlertThresholds | None = None
        self.setWindowTitle("Alert thresholds")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)

        intro = QLabel(
            "The Activity page raises an alert when someone's use of the client information "
            "passes one of these. They bind everyone who opens this vault, and every change "
            "is recorded in the audit trail."
        )
        intro.setWordWrap(True)

        self.views_spin = _spin(current.value_added_clients_per_hour, " clients")
        self.egress_spin = _spin(current.egress_clients, " clients")
        self.start_combo = _hour_combo(0, 23, current.working_hours[0])
        self.end_combo = _hour_combo(1, 24, current.working_hours[1])
        self.day_checks: list[QCheckBox] = []
        days = QHBoxLayout()
        days.setSpacing(10)
        for number, name in enumerate(DAY_NAMES):
            check = QCheckBox(name[:3])
            check.setToolTip(name)
            check.setChecked(number in current.working_days)
            self.day_checks.append(check)
            days.addWidget(check)
        days.addStretch(1)
        self.failures_spin = _spin(current.failed_signins, " sign-ins")
        self.window_spin = _spin(current.failed_signin_window_minutes, " minutes")
        self.refusals_spin = _spin(current.refused_actions, " actions")
        self.refused_window_spin = _spin(current.refused_window_minutes, " minutes")

        hours = QHBoxLayout()
        hours.setSpacing(8)
        hours.addWidget(QLabel("from"))
        hours.addWidget(self.start_combo)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.end_combo)
        hours.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setVerticalSpacing(6)
        form.addRow(THRESHOLD_WORDS["value_added_clients_per_hour"] + ":", self.views_spin)
        form.addRow(
            _hint("More than this by one person within an hour raises an alert: the pattern "
                  "of someone copying the client list by hand.")
        )  # fmt: skip
        form.addRow(THRESHOLD_WORDS["egress_clients"] + ":", self.egress_spin)
        form.addRow(
            _hint("More raises an alert; above it, anyone but you needs your approval on "
                  "the spot to print, export or copy.")
        )  # fmt: skip
        form.addRow(THRESHOLD_WORDS["working_hours"] + ":", hours)
        form.addRow(THRESHOLD_WORDS["working_days"] + ":", days)
        form.addRow(_hint("A print, export or copy outside these hours and days raises an alert."))
        form.addRow(THRESHOLD_WORDS["failed_signins"] + ":", self.failures_spin)
        form.addRow(THRESHOLD_WORDS["failed_signin_window_minutes"] + ":", self.window_spin)
        form.addRow(
            _hint("This many wrong passwords for one login within these minutes raises an "
                  "alert.")
        )  # fmt: skip
        form.addRow(THRESHOLD_WORDS["refused_actions"] + ":", self.refusals_spin)
        form.addRow(THRESHOLD_WORDS["refused_window_minutes"] + ":", self.refused_window_spin)
        form.addRow(
            _hint("This many refused actions by one person within these minutes raises an "
                  "alert (someone trying what their role may not, or guessing withheld "
                  "values).")
        )  # fmt: skip

        self.message = InlineMessage(self)
        buttons = QDialogButtonBox()
        self.defaults_button = QPushButton("Restore &defaults")
        self.defaults_button.setAutoDefault(False)
        buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.save_button = primary_button("&Save")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.defaults_button.clicked.connect(lambda: self.show_thresholds(AlertThresholds()))
        cancel.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._fields: dict[str, QWidget] = {
            "value_added_clients_per_hour": self.views_spin,
            "egress_clients": self.egress_spin,
            "working_hours": self.end_combo,
            "working_days": self.day_checks[0],
            "failed_signins": self.failures_spin,
            "failed_signin_window_minutes": self.window_spin,
            "refused_actions": self.refusals_spin,
            "refused_window_minutes": self.refused_window_spin,
        }

    def show_thresholds(self, values: AlertThresholds) -> None:
        self.views_spin.setValue(values.value_added_clients_per_hour)
        self.egress_spin.setValue(values.egress_clients)
        self.start_combo.setCurrentIndex(self.start_combo.findData(values.working_hours[0]))
        self.end_combo.setCurrentIndex(self.end_combo.findData(values.working_hours[1]))
        for number, check in enumerate(self.day_checks):
            check.setChecked(number in values.working_days)
        self.failures_spin.setValue(values.failed_signins)
        self.window_spin.setValue(values.failed_signin_window_minutes)
        self.refusals_spin.setValue(values.refused_actions)
        self.refused_window_spin.setValue(values.refused_window_minutes)
        self.message.clear_message()

    def thresholds(self) -> AlertThresholds:
        """The thresholds on screen (not yet checked)."""
        return AlertThresholds(
            value_added_clients_per_hour=self.views_spin.value(),
            egress_clients=self.egress_spin.value(),
            working_hours=(int(self.start_combo.currentData()), int(self.end_combo.currentData())),
            working_days=frozenset(i for i, c in enumerate(self.day_checks) if c.isChecked()),
            failed_signins=self.failures_spin.value(),
            failed_signin_window_minutes=self.window_spin.value(),
            refused_actions=self.refusals_spin.value(),
            refused_window_minutes=self.refused_window_spin.value(),
        )

    def save(self) -> bool:
        """Check and save; on a mistake say what is wrong next to the buttons."""
        self.message.clear_message()
        try:
            values = self.thresholds().validated()
        except ThresholdError as exc:
            self.message.show_error(owner_message(exc))
            widget = self._fields.get(exc.field)
            if widget is not None:
                widget.setFocus()
            return False
        try:
            with busy():
                change_settings(self.session, thresholds=values)
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return False
        self.saved = values
        self.accept()
        return True
