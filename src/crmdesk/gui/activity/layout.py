"""How the Activity page is laid out: the filters, the alerts, the bar shown while one
alert's entries are on screen, the entries with their details, and the per-person counts.

Only widgets are made here; :class:`crmdesk.gui.activity.page.ActivityPage` wires them to
what the page does.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.activity import words
from crmdesk.gui.activity.alert_icons import alert_icons
from crmdesk.gui.activity.entries import EntriesModel
from crmdesk.gui.activity.models import AlertsModel
from crmdesk.gui.widgets.formats import full_year_date_format
from crmdesk.gui.widgets.rows import RowsModel, rows_table

DEFAULT_DAYS = 30
ENTRY_COLUMNS = ("Time", "Person", "Action", "About", "Details")
EMPTY_TEXT = "No activity in this period."


class ActivityLayout(QWidget):
    """The Activity page's widgets (a base of the page)."""

    def _build(self, today: dt.date) -> None:
        """The heading, the filters (the last ``DEFAULT_DAYS`` days up to ``today``), the
        alerts, the alert bar, and the two tabs."""
        title = QLabel("Activity", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        explanation = QLabel(
            "Every view of value-added information, edit, search, print, export, copy and "
            "sign-in, as recorded in the vault's audit trail. Only you, the owner, see this.",
            self,
        )
        explanation.setWordWrap(True)
        explanation.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addLayout(self._build_filters(today))
        layout.addWidget(self._build_alerts())
        layout.addWidget(self._build_focus_bar())
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_entries(), "Entries")
        self.tabs.addTab(self._build_per_person(), "Per person")
        layout.addWidget(self.tabs, 1)

    def _build_filters(self, today: dt.date) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.person_combo = QComboBox(self)
        self.person_combo.addItem("Everyone", None)
        self.person_combo.setMinimumContentsLength(18)
        self.person_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.family_combo = QComboBox(self)
        for fam in words.FAMILIES:
            self.family_combo.addItem(fam.label, fam.key)
        self.from_edit = self._date_edit(today - dt.timedelta(days=DEFAULT_DAYS - 1))
        self.to_edit = self._date_edit(today)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.setToolTip("Read the audit trail again (Ctrl+R or F5)")
        self.refresh_button.setAutoDefault(False)
        self.thresholds_button = QPushButton("&Thresholds…", self)
        self.thresholds_button.setToolTip("When an alert is raised")
        self.thresholds_button.setAutoDefault(False)

        for text, widget in (
            ("&Person:", self.person_combo),
            ("&Actions:", self.family_combo),
            ("&From:", self.from_edit),
            ("T&o:", self.to_edit),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.thresholds_button)
        return row

    def _date_edit(self, day: dt.date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(full_year_date_format())
        edit.setMaximumDate(QDate(2999, 12, 31))
        return edit

    def _build_alerts(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.alerts_title = QLabel(box)
        bold = QFont(self.alerts_title.font())
        bold.setBold(True)
        self.alerts_title.setFont(bold)
        self.alerts_model = AlertsModel(alert_icons(self), self)
        self.alerts_view = QListView(box)
        self.alerts_view.setModel(self.alerts_model)
        self.alerts_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.alerts_view.setWordWrap(True)
        self.alerts_view.setUniformItemSizes(False)
        self.alerts_view.setAlternatingRowColors(True)
        self.alerts_view.setIconSize(QSize(20, 20))
        self.alerts_view.setSpacing(1)
        layout.addWidget(self.alerts_title)
        layout.addWidget(self.alerts_view)
        self.alerts_title.setText("Alerts")
        return box

    def _build_focus_bar(self) -> QFrame:
        self.focus_bar = QFrame(self)
        self.focus_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.focus_bar.setAutoFillBackground(True)
        self.focus_bar.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        row = QHBoxLayout(self.focus_bar)
        row.setContentsMargins(10, 6, 6, 6)
        self.focus_label = QLabel(self.focus_bar)
        self.focus_label.setWordWrap(True)
        self.show_all_button = QPushButton("Back to all entries", self.focus_bar)
        self.show_all_button.setAutoDefault(False)
        row.addWidget(self.focus_label, 1)
        row.addWidget(self.show_all_button)
        self.focus_bar.hide()
        return self.focus_bar

    def _build_entries(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        self.count_label = QLabel(tab)
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # Paged and sorted in SQL (a header click asks the service, not a Python sort).
        self.entries_model = EntriesModel(ENTRY_COLUMNS, tab)
        self.entries_table = rows_table(RowsModel(ENTRY_COLUMNS), tab)
        self.entries_table.setModel(self.entries_model)
        header = self.entries_table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.entries_table.setSortingEnabled(True)
        self._size_columns(
            self.entries_table,
            self.entries_model,
            ("11/29/2026 14:05:12", "Margaux Mercier", "Viewed value-added information",
             "Evergreen Lantern Catering Co."),
        )  # fmt: skip
        self.details = QTextEdit(tab)
        self.details.setReadOnly(True)
        self.details.setAcceptRichText(False)
        self.details.setPlaceholderText("Choose an entry to see all of its details.")
        self.details.setMinimumWidth(260)
        self.empty_label = QLabel(EMPTY_TEXT, tab)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setMargin(24)
        self.empty_label.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self.splitter.addWidget(self.entries_table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty_label, 1)
        return tab

    def _build_per_person(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        note = QLabel(
            "How many times each person did each kind of thing in the period "
            "(the person and dates chosen above; every kind of action).",
            tab,
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        headers = ["Person"] + [h for h, _, _ in words.PER_PERSON_COLUMNS] + ["All entries"]
        tips = ["Login in brackets"] + [t for _, t, _ in words.PER_PERSON_COLUMNS]
        tips.append("Every audit entry of the person in the period")
        self.people_model = RowsModel(headers, tab, right=range(1, len(headers)), header_tips=tips)
        self.people_table = rows_table(self.people_model, tab, sortable=True)
        header = self.people_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.people_empty = QLabel(EMPTY_TEXT, tab)
        self.people_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people_empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.people_empty.hide()
        layout.addWidget(note)
        layout.addWidget(self.people_table, 1)
        layout.addWidget(self.people_empty, 1)
        return tab

    def _size_columns(
        self, table: QTableView, model: RowsModel | EntriesModel, samples: tuple[str, ...]
    ) -> None:
        metrics = table.fontMetrics()
        header = table.horizontalHeader()
        for column, sample in enumerate(samples):
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            wide = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
            header.resizeSection(column, wide + 30)
        header.setStretchLastSection(True)
