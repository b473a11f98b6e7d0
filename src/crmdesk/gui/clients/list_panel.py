"""The client list panel: search as you type, filters, and the lazily loaded table."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QLocale,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.entities import CLIENT_STATUSES
from crmdesk.gui.clients.list_model import (
    COVERAGE,
    LAST_CONTACT,
    NAME,
    NEXT_ORDER,
    SALESPERSON,
    SPEND,
    STATUS,
    ClientListModel,
    format_count,
)
from crmdesk.gui.errors import show_error
from crmdesk.services.client_query import ClientQuery, ClientRow
from crmdesk.services.clients import ClientService

DEBOUNCE_MS = 150
_MAX_DAYS = 3660  # what the service accepts
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ClientListPanel(QWidget):
    """Find a client: type to search, narrow with filters, pick one from the table."""

    current_client_changed = Signal(object)  # int client id, or None when nothing is selected
    client_activated = Signal(int)  # double-click or Enter on a client
    # Ctrl+C on the table: the window copies the selection through the service. The
    # table's own copy (one cell, straight to the clipboard) is never used.
    copy_requested = Signal()

    def __init__(self, service: ClientService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown_id: int | None = None
        self._reloading = False
        self._applied = ClientQuery()

        # Nothing loads until the error signal is connected, so a failure is shown.
        self.model = ClientListModel(service, self, load=False)
        self.model.load_failed.connect(self._on_load_failed)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._apply_filters)

        self._build_search()
        self._build_filters()
        self._build_table()
        self._lay_out()

        self.model.modelAboutToBeReset.connect(self._before_reset)
        self.model.modelReset.connect(self._after_reset)
        self._apply_filters()

    # -- building -------------------------------------------------------------------------

    def _build_search(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("clientSearch")
        self.search_edit.setPlaceholderText("Search clients, contacts, products, notes…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search clients")
        self.search_edit.textChanged.connect(self._schedule)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.installEventFilter(self)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("clientCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _build_filters(self) -> None:
        self.status_combo = QComboBox(self)
        self.status_combo.addItem("All", None)
        for status in CLIENT_STATUSES:
            self.status_combo.addItem(status.capitalize(), status)
        self.status_combo.currentIndexChanged.connect(self._schedule)

        self.salesperson_edit = QLineEdit(self)
        self.salesperson_edit.setPlaceholderText("Anyone")
        self.salesperson_edit.setClearButtonEnabled(True)
        self.salesperson_edit.setToolTip("Only clients of this salesperson (their user name)")
        self.salesperson_edit.textChanged.connect(self._schedule)

        self.tag_edit = QLineEdit(self)
        self.tag_edit.setPlaceholderText("Any tag")
        self.tag_edit.setClearButtonEnabled(True)
        self.tag_edit.setToolTip("Only clients with this tag")
        self.tag_edit.textChanged.connect(self._schedule)

        self.month_combo = QComboBox(self)
        self.month_combo.addItem("Any month", None)
        for month in range(1, 13):
            self.month_combo.addItem(QLocale().standaloneMonthName(month), month)
        self.month_combo.setToolTip("Clients whose purchase history shows orders in this month")
        self.month_combo.currentIndexChanged.connect(self._schedule)

        self.no_contact_spin = _days_spin(self, "Clients not contacted for at least this long")
        self.no_contact_spin.valueChanged.connect(self._schedule)

        self.birthday_spin = _days_spin(
            self, "Clients with a contact whose birthday falls within this many days"
        )
        self.birthday_spin.setMaximum(366)
        self.birthday_spin.valueChanged.connect(self._schedule)

        self.missing_combo = QComboBox(self)
        self.missing_combo.setObjectName("missingFilter")
        self.missing_combo.addItem("Anything", None)
        for category in COVERAGE_CATEGORIES:
            self.missing_combo.addItem(category.label, category.key)
        self.missing_combo.setToolTip(
            "Clients with nothing on file of this kind: who is still bare (only the "
            "clients whose value-added information you see)"
        )
        self.missing_combo.currentIndexChanged.connect(self._schedule)

        self.followups_check = QCheckBox("Follow-ups due", self)
        self.followups_check.setToolTip("Clients with an open task due today or earlier")
        self.followups_check.toggled.connect(self._schedule)

        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.setToolTip("Show all clients again")
        self.clear_button.clicked.connect(self.clear_filters)

    def _build_table(self) -> None:
        table = QTableView(self)
        self.table = table
        table.setObjectName("clientTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows can be selected (to copy them); the current one is shown.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setShowGrid(False)
        table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        table.verticalHeader().hide()

        # Uniform row heights: the view then never measures rows, which keeps scrolling
        # through many thousands of loaded clients smooth.
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)

        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # No column chosen yet: the default order (name, or relevance while searching).
        # Clicking a sorted header a third time returns to it.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        metrics = table.fontMetrics()
        for column, sample in (
            (NAME, "Evergreen Lantern Catering Co."),
            (STATUS, "Prospect"),
            (SALESPERSON, "Salesperson"),
            (LAST_CONTACT, "Last contact"),
            (SPEND, "12-month spend"),
            (NEXT_ORDER, "Expected next order"),
            (COVERAGE, "●●●●●●●"),
        ):
            # Header text plus room for the sort arrow; the last column stretches.
            wide = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance("00/00/0000"))
            header.resizeSection(column, wide + 36)
        table.setSortingEnabled(True)

        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.doubleClicked.connect(self._on_double_clicked)
        table.installEventFilter(self)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)

        for edit in (self.salesperson_edit, self.tag_edit):
            edit.setFixedWidth(self.fontMetrics().horizontalAdvance("price-sensitive") + 40)
        # The panel shares the window with the client editor: the filters wrap onto more
        # lines when it is narrow instead of forcing it wide.
        filters = _FlowLayout(h_spacing=14, v_spacing=6)
        self._filter_boxes: dict[QWidget, QWidget] = {}
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
            label = QLabel(text, self)
            label.setBuddy(widget)
            box = _pair(label, widget)
            self._filter_boxes[widget] = box
            filters.addWidget(box)
        filters.addWidget(self.followups_check)
        filters.addWidget(self.clear_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        chain = [
            self.search_edit,
            self.status_combo,
            self.salesperson_edit,
            self.tag_edit,
            self.month_combo,
            self.no_contact_spin,
            self.birthday_spin,
            self.missing_combo,
            self.followups_check,
            self.clear_button,
            self.table,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- public API -----------------------------------------------------------------------

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected, ready to retype."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def refresh(self) -> None:
        """Reload from the vault (after an edit elsewhere), keeping filters and selection."""
        if self._timer.isActive():
            self._apply_filters()  # typing not yet applied: apply it, which reloads too
        else:
            self.model.refresh()

    def select_client(self, client_id: int | None) -> bool:
        """Select a client if it is loaded (None clears the selection); returns whether it was."""
        if client_id is None:
            self.table.clearSelection()
            return False
        row = self.model.row_of(client_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, NAME))
        return True

    def current_client_id(self) -> int | None:
        """The client shown: the current row if it is selected, else the first selected."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows()
        if not rows:
            return None
        current = self.table.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row()):
            return self.model.client_id_at(current.row())
        return self.model.client_id_at(min(r.row() for r in rows))

    def selected_rows(self) -> list[ClientRow]:
        """The selected clients, in the order shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [row for row in map(self.model.client_row, rows) if row is not None]

    def set_value_added_filters(self, visible: bool) -> None:
        """Buying months, birthdays and coverage are value-added: hidden for someone
        without them (coverage would only ever say "withheld")."""
        self.table.setColumnHidden(COVERAGE, not visible)
        for widget in (self.month_combo, self.birthday_spin, self.missing_combo):
            if not visible:
                widget.blockSignals(True)
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(0)
                else:
                    widget.setValue(0)
                widget.blockSignals(False)
            self._filter_boxes[widget].setVisible(visible)
        if not visible and self._applied != self._build_query():
            self._apply_filters()

    def query(self) -> ClientQuery:
        """What is shown: the search text and filters, with the sort order in effect."""
        return self.model.query()

    def clear_filters(self) -> None:
        """Back to every client: search text and all filters cleared."""
        widgets = (
            self.search_edit,
            self.status_combo,
            self.salesperson_edit,
            self.tag_edit,
            self.month_combo,
            self.no_contact_spin,
            self.birthday_spin,
            self.missing_combo,
            self.followups_check,
        )
        for widget in widgets:
            widget.blockSignals(True)  # one reload, not one per filter
        try:
            self.search_edit.clear()
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
        self._timer.stop()
        self._apply_filters()

    # -- filters ------------------------------------------------------------------------

    def _build_query(self) -> ClientQuery:
        no_contact = self.no_contact_spin.value()
        birthday = self.birthday_spin.value()
        return ClientQuery(
            text=self.search_edit.text().strip(),
            status=self.status_combo.currentData(),
            salesperson=self.salesperson_edit.text().strip() or None,
            tag=self.tag_edit.text().strip() or None,
            buys_in_month=self.month_combo.currentData(),
            no_contact_days=no_contact or None,  # 0 is "off"
            birthday_within_days=birthday or None,
            followups_due=self.followups_check.isChecked(),
            missing=(key,) if (key := self.missing_combo.currentData()) else (),
        )

    def _schedule(self) -> None:
        # Wait for a pause in typing: one query per burst of keys, not one per key.
        self._timer.start()

    def _apply_filters(self) -> None:
        self._timer.stop()
        self._applied = self._build_query()
        self.clear_button.setEnabled(self._applied != ClientQuery())
        self.model.set_query(self._applied)

    def _search_entered(self) -> None:
        if self._timer.isActive():
            self._apply_filters()
        self._focus_table()

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.current_client_id() is None and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _update_count(self) -> None:
        total = self.model.total_count()
        noun = "client" if total == 1 else "clients"
        if self._applied == ClientQuery():
            self.count_label.setText(f"{format_count(total)} {noun}")
        else:
            verb = "matches" if total == 1 else "match"
            self.count_label.setText(f"{format_count(total)} {noun} {verb}")

    # -- selection ------------------------------------------------------------------------

    def _before_reset(self) -> None:
        self._reloading = True

    def _after_reset(self) -> None:
        # Keep the same client selected if it still matches, so the details stay put.
        self._reloading = False
        if self._shown_id is not None:
            self.select_client(self._shown_id)
        self._update_count()
        self._announce_current()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._reloading:
            self._announce_current()

    def _announce_current(self) -> None:
        current = self.current_client_id()
        if current != self._shown_id:
            self._shown_id = current
            self.current_client_changed.emit(current)

    def _on_double_clicked(self, index: object) -> None:
        client_id = self.model.client_id_at(index.row())  # type: ignore[attr-defined]
        if client_id is not None:
            self.client_activated.emit(client_id)

    def _on_load_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        show_error(self, exc)

    # -- keys -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            event.accept()  # the key comes to the table, below, not to a window shortcut
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit and key == Qt.Key.Key_Down:
                self._focus_table()
                return True
            if watched is self.table and key in _ENTER_KEYS:
                current = self.current_client_id()
                if current is not None:
                    self.client_activated.emit(current)
                    return True
            if watched is self.table and event.matches(QKeySequence.StandardKey.Copy):
                self.copy_requested.emit()
                return True
        return super().eventFilter(watched, event)


def _pair(label: QLabel, field: QWidget) -> QWidget:
    """A label and its field, kept together when the filters wrap."""
    box = QWidget(field.parentWidget())
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addWidget(label)
    row.addWidget(field)
    return box


class _FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping onto new lines like words in a paragraph."""

    def __init__(self, *, h_spacing: int, v_spacing: int) -> None:
        super().__init__()
        self._items: list[QLayoutItem] = []
        self._h, self._v = h_spacing, v_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = rect.x()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if lines[-1] and x + hint.width() > rect.right() + 1:
                lines.append([])
                x = rect.x()
            lines[-1].append((item, hint))
            x += hint.width() + self._h
        y = rect.y()
        for line in lines:
            height = max((hint.height() for _, hint in line), default=0)
            x = rect.x()
            for item, hint in line:
                if move:
                    # Centred on the line: check boxes are shorter than combo boxes.
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), hint))
                x += hint.width() + self._h
            y += height + self._v
        return max(0, y - self._v - rect.y())


def _days_spin(parent: QWidget, tip: str) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(0, _MAX_DAYS)
    spin.setSuffix(" days")
    spin.setSpecialValueText("off")  # shown at 0: the filter is not applied
    spin.setToolTip(tip + " (0 = off)")
    spin.setAccelerated(True)
    return spin
