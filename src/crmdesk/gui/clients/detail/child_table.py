"""A generic editable table for a list of dicts (the rows of a client's child tables).

The table edits plain JSON-shaped rows: text stays text, money and quantities stay the
strings the user typed (the domain parses them), months become a list of numbers where
they can be read and are passed on as typed otherwise so the domain can name the problem.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .banners import WITHHELD_TEXT
from .cell_text import months_text, parse_months_text
from .field_marks import clear_invalid, mark_invalid

WITHHELD_CELL = "withheld"
_ERROR_BRUSH = QBrush(QColor(211, 47, 47, 70))
_EDITABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable


@dataclass(frozen=True)
class Column:
    """One column: ``kind`` is text, date, money, int, bool, choice, months or computed."""

    key: str
    label: str
    kind: str = "text"
    choices: Sequence[str] = ()
    display: Callable[[dict[str, Any]], str] | None = None  # for kind "computed"
    width: int | None = None
    tooltip: str = ""
    stretch: bool = False


_HINTS = {
    "date": "A date, YYYY-MM-DD",
    "money": 'An amount like "19.90"',
    "months": 'Month names or numbers, e.g. "Nov, Dec" or "11, 12"',
}


class _ChoiceDelegate(QStyledItemDelegate):
    def __init__(self, choices: Sequence[str], parent: QWidget) -> None:
        super().__init__(parent)
        self._choices = list(choices)

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems(self._choices)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentText(str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText())


@dataclass
class _Mark:
    row: dict[str, Any]
    key: str
    message: str = field(default="")


class ChildTable(QWidget):
    """Edits a list of dicts; rows keep keys that have no column (e.g. an order's items).

    ``rows()`` returns the rows in data order; ``sort_key`` only changes the order shown.
    """

    changed = Signal()
    current_row_changed = Signal(int)  # data index, -1 for none

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        new_row: Callable[[], dict[str, Any]],
        noun: str = "row",
        sort_key: Callable[[dict[str, Any]], Any] | None = None,
        sort_descending: bool = False,
        row_brush: Callable[[dict[str, Any]], QBrush | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._new_row = new_row
        self._sort_key = sort_key
        self._descending = sort_descending
        self._row_brush = row_brush
        self._rows: list[dict[str, Any]] = []  # data order
        self._shown: list[dict[str, Any]] = []  # display order
        self._marks: list[_Mark] = []
        self._filling = False
        self._read_only = False
        # Cells withheld from the signed-in person: these keys of these (stored) rows.
        self._locked_keys: frozenset[str] = frozenset()
        self._locked_rows: list[dict[str, Any]] = []
        # Keys no row may be given a value for, new rows included (the part of the record
        # they go to is in a book the person's key does not open).
        self._closed_keys: frozenset[str] = frozenset()

        self.table = QTableWidget(0, len(self.columns))
        self.table.setHorizontalHeaderLabels([c.label for c in self.columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self._edit_triggers = (
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setEditTriggers(self._edit_triggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(self.columns):
            if col.width:
                self.table.setColumnWidth(i, col.width)
            if col.stretch:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            if col.kind == "choice":
                self.table.setItemDelegateForColumn(i, _ChoiceDelegate(col.choices, self.table))
            tip = col.tooltip or _HINTS.get(col.kind, "")
            if tip:
                self.table.horizontalHeaderItem(i).setToolTip(tip)
        if not any(c.stretch for c in self.columns):
            header.setStretchLastSection(True)

        self.add_button = QPushButton(f"Add {noun}")
        self.delete_button = QPushButton(f"Delete {noun}")
        self.add_button.setToolTip(f"Add a new {noun}")
        self.delete_button.setToolTip(f"Delete the selected {noun} (Delete key)")
        self.delete_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_row)
        self.delete_button.clicked.connect(self.delete_current)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.delete_current)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)

        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection)

    # -- data in and out

    def set_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Show copies of ``rows`` (nothing is marked changed)."""
        index = self.current_index()
        self._rows = [copy.deepcopy(r) for r in rows]
        self._marks.clear()
        self._locked_rows = []
        self._refill(self._rows[index] if 0 <= index < len(self._rows) else None)

    def rows(self) -> list[dict[str, Any]]:
        """The rows in data order, as JSON-shaped dicts (copies)."""
        return copy.deepcopy(self._rows)

    def row_data(self, data_index: int) -> dict[str, Any]:
        """The live dict of a row (for a tab that edits keys without columns)."""
        return self._rows[data_index]

    def row_count(self) -> int:
        return len(self._rows)

    def current_index(self) -> int:
        """Data index of the selected row, or -1."""
        row = self.table.currentRow()
        if 0 <= row < len(self._shown) and self.table.selectionModel().hasSelection():
            return self._index_of(self._shown[row])
        return -1

    def select(self, data_index: int) -> None:
        if 0 <= data_index < len(self._rows):
            self.table.selectRow(self._shown.index(self._rows[data_index]))

    def display_row(self, data_index: int) -> int:
        return self._shown.index(self._rows[data_index])

    def refresh_row(self, data_index: int) -> None:
        """Redraw one row after its dict was changed from outside (computed columns)."""
        row = self.display_row(data_index)
        self._filling = True
        try:
            self._fill_row(row, self._rows[data_index])
        finally:
            self._filling = False

    # -- withheld information

    def set_read_only(self, read_only: bool) -> None:
        """Show the rows without any way to change them (no editing, adding or deleting)."""
        self._read_only = read_only
        no_edit = QAbstractItemView.EditTrigger.NoEditTriggers
        self.table.setEditTriggers(no_edit if read_only else self._edit_triggers)
        self.add_button.setVisible(not read_only)
        self.delete_button.setVisible(not read_only)
        index = self.current_index()
        self._refill(self._rows[index] if index >= 0 else None)

    def is_read_only(self) -> bool:
        return self._read_only

    def lock_existing(self, keys: Iterable[str]) -> None:
        """The ``keys`` of every row shown now are withheld: they read "withheld" and
        cannot be edited, and those rows cannot be deleted. Rows added later are free."""
        self._locked_keys = frozenset(keys)
        self._locked_rows = list(self._rows) if self._locked_keys else []
        index = self.current_index()
        self._refill(self._rows[index] if index >= 0 else None)

    def close_keys(self, keys: Iterable[str]) -> None:
        """No row, not even a new one, may be given a value for ``keys``."""
        self._closed_keys = frozenset(keys)
        index = self.current_index()
        self._refill(self._rows[index] if index >= 0 else None)

    def is_locked(self, data_index: int, key: str) -> bool:
        return key in self._locked_keys and self._row_locked(self._rows[data_index])

    def _row_locked(self, data: dict[str, Any]) -> bool:
        return any(r is data for r in self._locked_rows)

    def append_row(self, data: dict[str, Any]) -> None:
        """Add a row made elsewhere (e.g. "Log a call…"), keeping the others as they are."""
        self._rows.append(data)
        index = self.current_index()
        self._refill(self._rows[index] if index >= 0 else None)
        self.changed.emit()

    # -- editing

    def add_row(self) -> int:
        """Append a new row, select it and start editing its first editable cell."""
        data = self._new_row()
        self._rows.append(data)
        self._shown.append(data)
        row = len(self._shown) - 1
        self._filling = True
        try:
            self.table.insertRow(row)
            self._fill_row(row, data)
        finally:
            self._filling = False
        self.table.setCurrentCell(row, self._first_editable())
        self.table.setFocus()
        self.changed.emit()
        return len(self._rows) - 1

    def delete_current(self) -> None:
        index = self.current_index()
        if index < 0 or self._read_only or self._row_locked(self._rows[index]):
            return
        data = self._rows.pop(index)
        self._marks = [m for m in self._marks if m.row is not data]
        row = self._shown.index(data)
        self._shown.pop(row)
        self.table.removeRow(row)
        self.changed.emit()
        if self._shown:
            self.table.selectRow(min(row, len(self._shown) - 1))
        else:
            self.current_row_changed.emit(-1)

    def set_cell_text(self, data_index: int, key: str, text: str) -> None:
        """Type ``text`` into a cell as a user would (used by the Log-a-call action and tests)."""
        item = self.table.item(self.display_row(data_index), self._column(key))
        item.setText(text)

    # -- errors

    def mark(self, data_index: int, key: str | None, message: str) -> None:
        """Tint the offending cell (or whole row) and put the message in its tooltip."""
        if not 0 <= data_index < len(self._rows):
            mark_invalid(self.table, message)
            return
        self._marks.append(_Mark(self._rows[data_index], key or "", message))
        mark_invalid(self.table, message)
        self._apply_marks()

    def clear_marks(self) -> None:
        self._marks.clear()
        clear_invalid(self.table)
        index = self.current_index()
        self._refill(self._rows[index] if index >= 0 else None)

    # -- internals

    def _index_of(self, data: dict[str, Any]) -> int:
        return next(i for i, r in enumerate(self._rows) if r is data)

    def _column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def _first_editable(self) -> int:
        return next((i for i, c in enumerate(self.columns) if c.kind != "computed"), 0)

    def _refill(self, current_row: dict[str, Any] | None = None) -> None:
        """Redraw every row, keeping ``current_row`` selected."""
        self._shown = list(self._rows)
        if self._sort_key is not None:
            self._shown.sort(key=self._sort_key, reverse=self._descending)
        self._filling = True
        try:
            self.table.setRowCount(len(self._shown))
            for row, data in enumerate(self._shown):
                self._fill_row(row, data)
        finally:
            self._filling = False
        if current_row is not None and any(r is current_row for r in self._shown):
            self.table.selectRow(next(i for i, r in enumerate(self._shown) if r is current_row))
        self._apply_marks()

    def _fill_row(self, row: int, data: dict[str, Any]) -> None:
        brush = self._row_brush(data) if self._row_brush else None
        locked_row = self._row_locked(data)
        for col, spec in enumerate(self.columns):
            # Reuse the cell's item: this may run inside that item's own itemChanged.
            existing = self.table.item(row, col)
            item = existing if existing is not None else QTableWidgetItem()
            value = data.get(spec.key)
            locked = locked_row and spec.key in self._locked_keys
            item.setFlags(_EDITABLE)
            item.setFont(self.table.font())
            item.setForeground(QBrush())
            if locked:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                withheld = value in (None, "", [])
                item.setText(WITHHELD_CELL if withheld else str(value))
                if withheld:
                    font = self.table.font()
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(self.palette().brush(QPalette.ColorRole.PlaceholderText))
            elif spec.key in self._closed_keys:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setText(str(value or ""))
            elif spec.kind == "bool":
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if not self._read_only:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            elif spec.kind == "computed":
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setText(spec.display(data) if spec.display else "")
            elif spec.kind == "months":
                item.setText(months_text(value))
            else:
                item.setText("" if value is None else str(value))
            if spec.kind in ("money", "int") or (spec.kind == "computed" and spec.key == "total"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setBackground(brush if brush is not None else QBrush())
            tip = WITHHELD_TEXT if locked else spec.tooltip or _HINTS.get(spec.kind, "")
            item.setToolTip(tip)
            if existing is None:
                self.table.setItem(row, col, item)

    def _apply_marks(self) -> None:
        self._filling = True
        try:
            for mark in self._marks:
                rows = [i for i, r in enumerate(self._shown) if r is mark.row]
                if not rows:
                    continue
                keys = [c.key for c in self.columns]
                cols = [keys.index(mark.key)] if mark.key in keys else range(len(keys))
                for col in cols:
                    item = self.table.item(rows[0], col)
                    if item is not None:
                        item.setBackground(_ERROR_BRUSH)
                        item.setToolTip(mark.message)
        finally:
            self._filling = False

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        data = self._shown[item.row()]
        spec = self.columns[item.column()]
        if spec.kind == "computed" or self._read_only:
            return
        if spec.key in self._locked_keys and self._row_locked(data):
            return
        if spec.key in self._closed_keys:
            return
        if spec.kind == "bool":
            value: Any = item.checkState() == Qt.CheckState.Checked
        elif spec.kind == "months":
            value = parse_months_text(item.text())
        elif spec.kind in ("date", "money", "int"):
            value = item.text().strip() or None
        else:
            value = item.text()
        if data.get(spec.key) == value:
            return
        data[spec.key] = value
        if self._row_brush is not None or any(c.kind == "computed" for c in self.columns):
            self.refresh_row(self._index_of(data))
        self.changed.emit()

    def _on_selection(self) -> None:
        index = self.current_index()
        self.delete_button.setEnabled(
            index >= 0 and not self._read_only and not self._row_locked(self._rows[index])
        )
        self.current_row_changed.emit(index)
