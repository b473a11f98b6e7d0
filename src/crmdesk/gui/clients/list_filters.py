"""The client list's filters: status, salesperson, tag, buying month, days without
contact, birthdays, missing value-added information, follow-ups due, and "Clear filters".

The panel (:mod:`crmdesk.gui.clients.list_panel`) owns them; here they are made, laid
out (wrapping onto more lines when the panel is narrow), read into a query and reset.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.entities import CLIENT_STATUSES
from crmdesk.gui.widgets.flow_layout import FlowLayout
from crmdesk.gui.widgets.formats import value_words
from crmdesk.services.client_query import ClientQuery

_MAX_DAYS = 3660  # what the service accepts


class Filters:
    """The filter widgets of one panel; ``changed`` is called on every edit."""

    def __init__(self, parent: QWidget, changed: Callable[[], None]) -> None:
        self.status_combo = QComboBox(parent)
        self.status_combo.addItem("All", None)
        for status in CLIENT_STATUSES:
            self.status_combo.addItem(value_words(status), status)
        self.status_combo.currentIndexChanged.connect(changed)

        self.salesperson_edit = QLineEdit(parent)
        self.salesperson_edit.setPlaceholderText("Anyone")
        self.salesperson_edit.setClearButtonEnabled(True)
        self.salesperson_edit.setToolTip("Only clients of this salesperson (their user name)")
        self.salesperson_edit.textChanged.connect(changed)

        self.tag_edit = QLineEdit(parent)
        self.tag_edit.setPlaceholderText("Any tag")
        self.tag_edit.setClearButtonEnabled(True)
        self.tag_edit.setToolTip("Only clients with this tag")
        self.tag_edit.textChanged.connect(changed)

        self.month_combo = QComboBox(parent)
        self.month_combo.addItem("Any month", None)
        for month in range(1, 13):
            self.month_combo.addItem(QLocale().standaloneMonthName(month), month)
        self.month_combo.setToolTip("Clients whose purchase history shows orders in this month")
        self.month_combo.currentIndexChanged.connect(changed)

        self.no_contact_spin = _days_spin(parent, "Clients not contacted for at least this long")
        self.no_contact_spin.valueChanged.connect(changed)

        self.birthday_spin = _days_spin(
            parent, "Clients with a contact whose birthday falls within this many days"
        )
        self.birthday_spin.setMaximum(366)
        self.birthday_spin.valueChanged.connect(changed)

        self.missing_combo = QComboBox(parent)
        self.missing_combo.setObjectName("missingFilter")
        self.missing_combo.addItem("Anything", None)
        for category in COVERAGE_CATEGORIES:
            self.missing_combo.addItem(category.label, category.key)
        self.missing_combo.setToolTip(
            "Clients with nothing on file of this kind: who is still bare (only the "
            "clients whose value-added information you see)"
        )
        self.missing_combo.currentIndexChanged.connect(changed)

        self.followups_check = QCheckBox("Follow-ups due", parent)
        self.followups_check.setToolTip("Clients with an open task due today or earlier")
        self.followups_check.toggled.connect(changed)

        self.clear_button = QPushButton("Clear filters", parent)
        self.clear_button.setToolTip("Show all clients again")
        self._parent = parent
        self._boxes: dict[QWidget, QWidget] = {}

    def widgets(self) -> list[QWidget]:
        """In tab order."""
        return [
            self.status_combo,
            self.salesperson_edit,
            self.tag_edit,
            self.month_combo,
            self.no_contact_spin,
            self.birthday_spin,
            self.missing_combo,
            self.followups_check,
            self.clear_button,
        ]

    def layout(self) -> FlowLayout:
        """The panel shares the window with the client editor: the filters wrap onto
        more lines when it is narrow instead of forcing it wide."""
        metrics = self._parent.fontMetrics()
        for edit in (self.salesperson_edit, self.tag_edit):
            edit.setFixedWidth(metrics.horizontalAdvance("price-sensitive") + 40)
        filters = FlowLayout(h_spacing=14, v_spacing=6)
        for text, widget in (
            ("Status", self.status_combo),
            ("Salesperson", self.salesperson_edit),
            ("Tag", self.tag_edit),
            ("Buys in", self.month_combo),
            ("No contact for", self.no_contact_spin),
            ("Birthday within", self.birthday_spin),
            ("Missing", self.missing_combo),
        ):
            # No mnemonics: the editor beside this panel uses the same letters.
            label = QLabel(text, self._parent)
            label.setBuddy(widget)
            box = _pair(label, widget)
            self._boxes[widget] = box
            filters.addWidget(box)
        filters.addWidget(self.followups_check)
        filters.addWidget(self.clear_button)
        return filters

    def query(self, text: str) -> ClientQuery:
        no_contact = self.no_contact_spin.value()
        birthday = self.birthday_spin.value()
        return ClientQuery(
            text=text.strip(),
            status=self.status_combo.currentData(),
            salesperson=self.salesperson_edit.text().strip() or None,
            tag=self.tag_edit.text().strip() or None,
            buys_in_month=self.month_combo.currentData(),
            no_contact_days=no_contact or None,  # 0 is "off"
            birthday_within_days=birthday or None,
            followups_due=self.followups_check.isChecked(),
            missing=(key,) if (key := self.missing_combo.currentData()) else (),
        )

    def reset(self) -> None:
        """Every filter off, without a signal per widget (the caller reloads once)."""
        widgets = self.widgets()
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.status_combo.setCurrentIndex(0)
            self.salesperson_edit.clear()
            self.tag_edit.clear()
            self.month_combo.setCurrentIndex(0)
            self.no_contact_spin.setValue(0)
            self.birthday_spin.setValue(0)
            self.missing_combo.setCurrentIndex(0)
            self.followups_check.setChecked(False)
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def set_value_added(self, visible: bool) -> None:
        """Buying months, birthdays and coverage are value-added: hidden (and off) for
        someone without them (coverage would only ever say "withheld")."""
        for widget in (self.month_combo, self.birthday_spin, self.missing_combo):
            if not visible:
                widget.blockSignals(True)
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(0)
                else:
                    widget.setValue(0)
                widget.blockSignals(False)
            self._boxes[widget].setVisible(visible)


def _pair(label: QLabel, field: QWidget) -> QWidget:
    """A label and its field, kept together when the filters wrap."""
    box = QWidget(field.parentWidget())
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addWidget(label)
    row.addWidget(field)
    return box


def _days_spin(parent: QWidget, tip: str) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(0, _MAX_DAYS)
    spin.setSuffix(" days")
    spin.setSpecialValueText("off")  # shown at 0: the filter is not applied
    spin.setToolTip(tip + " (0 = off)")
    spin.setAccelerated(True)
    return spin
