"""A generic editable table for a list of dicts, and small pieces every detail tab shares.

The table edits plain JSON-shaped rows: text stays text, money and quantities stay the
strings the user typed (the domain parses them), months become a list of numbers where
they can be read and are passed on as typed otherwise so the domain can name the problem.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain import FieldClass, Section, classify
from crmdesk.domain.classification import SECTION_CLASS

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BANNER_TEXT = "CONFIDENTIAL — trade secret. Access is recorded."
WITHHELD_TEXT = "Withheld: only the assigned salesperson, a manager or the owner sees this."
WITHHELD_CELL = "withheld"
INVALID_STYLE = (
    '*[invalid="true"] { border: 2px solid #d32f2f; border-radius: 3px; }'
    " QFrame#errorArea { background: rgba(211, 47, 47, 0.12);"
    " border: 1px solid #d32f2f; border-radius: 4px; }"
    " QFrame#confidentialBanner { background: rgba(255, 160, 0, 0.16);"
    " border: 1px solid rgba(255, 160, 0, 0.7); border-radius: 4px; }"
    " QFrame#withheldBanner { background: rgba(96, 110, 130, 0.14);"
    " border: 1px solid rgba(96, 110, 130, 0.55); border-radius: 4px; }"
    " QLabel#statusChip { border: 1px solid palette(mid); border-radius: 9px;"
    " padding: 1px 8px; }"
)
_ERROR_BRUSH = QBrush(QColor(211, 47, 47, 70))
_EDITABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable


# --------------------------------------------------------------------------- shared bits


def is_confidential(sections: Iterable[Section], paths: Iterable[str] = ()) -> bool:
    """Whether a tab shows value-added data: a value-added section or value-added fields."""
    return any(SECTION_CLASS[s] is FieldClass.VALUE_ADDED for s in sections) or any(
        classify(p) is FieldClass.VALUE_ADDED for p in paths
    )


def lock_icon(color: QColor | None = None) -> QIcon:
    """A small padlock drawn in code (no font or image file needed)."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = color or QColor("#c77700")
    painter.setPen(QPen(ink, 3.5))
    shackle = QPainterPath()
    shackle.moveTo(QPointF(10, 15))
    shackle.lineTo(QPointF(10, 10))
    shackle.arcTo(QRectF(10, 3, 12, 14), 180, -180)
    shackle.lineTo(QPointF(22, 15))
    painter.drawPath(shackle)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawRoundedRect(QRectF(6, 14, 20, 15), 3, 3)
    painter.end()
    return QIcon(pix)


class ConfidentialBanner(QFrame):
    """The notice every value-added tab shows at its top: a padlock and BANNER_TEXT."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confidentialBanner")
        icon = QLabel()
        icon.setPixmap(lock_icon().pixmap(16, 16))
        self.text_label = QLabel(BANNER_TEXT)
        font = self.text_label.font()
        font.setBold(True)
        self.text_label.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(icon)
        layout.addWidget(self.text_label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def text(self) -> str:
        return self.text_label.text()


def confidential_banner() -> ConfidentialBanner:
    return ConfidentialBanner()


class WithheldBanner(QFrame):
    """Shown instead of the confidential banner when the signed-in person may not see
    this part of the record: what is withheld and who sees it. Hidden until needed."""

    def __init__(self, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("withheldBanner")
        icon = QLabel()
        icon.setPixmap(lock_icon(QColor("#5b6b80")).pixmap(16, 16))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        # One label (bold heading, then the detail): two wrapped labels in a row of a
        # box layout get spread apart when the layout guesses their height.
        self.text_label = QLabel()
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.addWidget(icon)
        layout.addWidget(self.text_label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._detail = ""
        self.set_detail(detail)
        self.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_height()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        # A wrapped label's size hint assumes a narrow width, so the tab's layout would
        # make the banner too tall: cap it at what its text needs at this width, and lay
        # the text out again for the height it has now.
        layout = self.layout()
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > 0 and wanted != self.maximumHeight():
            self.setMaximumHeight(wanted)
        layout.setGeometry(self.rect())

    def text(self) -> str:
        return WITHHELD_TEXT

    def detail(self) -> str:
        return self._detail

    def set_detail(self, detail: str) -> None:
        self._detail = detail
        html = f"<b>{escape(WITHHELD_TEXT)}</b>"
        if detail:
            html += f"<br>{escape(detail)}"
        self.text_label.setText(html)


def mark_invalid(widget: QWidget, message: str) -> None:
    """Red border (dynamic property + the editor's stylesheet) and the message as tooltip."""
    if widget.property("invalid") is not True:
        widget.setProperty("_plain_tooltip", widget.toolTip())
    widget.setProperty("invalid", True)
    widget.setToolTip(message)
    _repolish(widget)


def clear_invalid(widget: QWidget) -> None:
    if widget.property("invalid") is True:
        widget.setProperty("invalid", False)
        widget.setToolTip(widget.property("_plain_tooltip") or "")
        _repolish(widget)


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def split_list(text: str) -> list[str]:
    """``"a@x.example, b@y.example"`` -> two entries; blanks dropped."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def months_text(months: object) -> str:
    """``[11, 12]`` -> ``"Nov, Dec"``; anything unreadable is shown as it is."""
    if not isinstance(months, list | tuple):
        return "" if months is None else str(months)
    return ", ".join(
        MONTHS[m - 1] if isinstance(m, int) and 1 <= m <= 12 else str(m) for m in months
    )


def parse_months_text(text: str) -> list[Any]:
    """``"Nov, 12"`` -> ``[11, 12]``; a token that is no month is passed on as typed."""
    out: list[Any] = []
    for token in split_list(text):
        if token.isdigit():
            out.append(int(token))
            continue
        key = token[:3].casefold()
        match = [i + 1 for i, m in enumerate(MONTHS) if m.casefold() == key]
        out.append(match[0] if match and len(token) >= 3 else token)
    return out


# --------------------------------------------------------------------------- the table


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


def bold_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def section_title(text: str, confidential: bool = False) -> QLabel:
    """A group heading; a value-added group says so next to its name."""
    label = bold_label(f"{text} — Confidential" if confidential else text)
    if confidential:
        label.setToolTip(BANNER_TEXT)
    return label


def tab_layout(widget: QWidget, confidential: bool) -> QVBoxLayout:
    """The outer layout of a detail tab, with the confidentiality banner when needed.

    A confidential tab also gets a hidden :class:`WithheldBanner`, shown instead when
    the signed-in person may not see this part of the record (see ``set_withheld``).
    """
    layout = QVBoxLayout(widget)
    if confidential:
        banner = confidential_banner()
        withheld = WithheldBanner(getattr(widget, "WITHHELD_DETAIL", ""))
        layout.addWidget(banner)
        layout.addWidget(withheld)
        if isinstance(widget, DetailTab):
            widget.confidential_banner = banner
            widget.withheld_banner = withheld
    return layout


# --------------------------------------------------------------------------- tab base

PathPart = tuple[str, int | None]
_SEGMENT = re.compile(r"^([^\[\]]*)(?:\[(\d+)\])?$")


def parse_error_path(path: str) -> list[PathPart]:
    """``contacts[0].emails[1]`` -> ``[("contacts", 0), ("emails", 1)]``."""
    parts: list[PathPart] = []
    for segment in path.split(".") if path else []:
        match = _SEGMENT.match(segment)
        if match is None:
            parts.append((segment, None))
        else:
            parts.append((match.group(1), int(match.group(2)) if match.group(2) else None))
    return parts


class DetailTab(QWidget):
    """One tab of the client editor: edits some top-level keys of the client dict."""

    changed = Signal()
    TITLE = ""
    KEYS: tuple[str, ...] = ()
    SECTIONS: tuple[Section, ...] = ()
    SHOWN_PATHS: tuple[str, ...] = ()  # value-added fields shown inside a basic section
    # Said under the withheld banner: what of this tab is withheld and what still works.
    WITHHELD_DETAIL = ""
    confidential_banner: ConfidentialBanner | None = None
    withheld_banner: WithheldBanner | None = None
    _withheld = False

    @classmethod
    def confidential(cls) -> bool:
        return is_confidential(cls.SECTIONS, cls.SHOWN_PATHS)

    def set_withheld(self, withheld: bool) -> None:
        """The signed-in person may not see this client's value-added information: say so
        and make what shows it read-only (the service keeps the withheld values)."""
        self._withheld = withheld
        if self.withheld_banner is not None and self.confidential_banner is not None:
            self.withheld_banner.setVisible(withheld)
            self.confidential_banner.setVisible(not withheld)

    def is_withheld(self) -> bool:
        return self._withheld

    def load(self, data: dict[str, Any]) -> None:
        """Show the client's values for this tab's keys (emits nothing)."""
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        """This tab's keys as JSON-shaped values."""
        raise NotImplementedError

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        """Mark the widget of one field error; True when something was marked."""
        return False

    def clear_errors(self) -> None:
        """Remove every error mark."""

    def forget_selection(self) -> None:
        """Another client is about to be shown: do not keep the selected row."""


def mark_table_error(table: ChildTable, parts: list[PathPart], message: str) -> bool:
    """Mark ``key[i].field`` in a ChildTable; the whole row when no field is named."""
    index = parts[0][1]
    key = parts[1][0] if len(parts) > 1 else None
    table.mark(index if index is not None else -1, key, message)
    return True


class TableTab(DetailTab):
    """A tab holding one or more ChildTables, each editing one top-level list."""

    NOUNS: dict[str, str] = {}
    HEADINGS: dict[str, str] = {}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tables: dict[str, ChildTable] = {}
        self.outer = tab_layout(self, self.confidential())

    def set_withheld(self, withheld: bool) -> None:
        """A tab that only shows value-added information becomes read-only."""
        super().set_withheld(withheld)
        if self.confidential():
            for table in self.tables.values():
                table.set_read_only(withheld)

    def add_table(self, key: str, table: ChildTable, stretch: int = 1) -> ChildTable:
        if key in self.HEADINGS:
            self.outer.addWidget(section_title(self.HEADINGS[key]))
        self.outer.addWidget(table, stretch)
        self.tables[key] = table
        table.changed.connect(self.changed)
        return table

    def load(self, data: dict[str, Any]) -> None:
        for key, table in self.tables.items():
            table.set_rows(data.get(key) or [])

    def values(self) -> dict[str, Any]:
        return {key: table.rows() for key, table in self.tables.items()}

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        table = self.tables.get(parts[0][0])
        return table is not None and mark_table_error(table, parts, message)

    def clear_errors(self) -> None:
        for table in self.tables.values():
            table.clear_marks()


__all__ = [
    "BANNER_TEXT",
    "WITHHELD_TEXT",
    "WithheldBanner",
    "TableTab",
    "DetailTab",
    "PathPart",
    "mark_table_error",
    "parse_error_path",
    "INVALID_STYLE",
    "MONTHS",
    "ChildTable",
    "ConfidentialBanner",
    "Column",
    "bold_label",
    "clear_invalid",
    "confidential_banner",
    "is_confidential",
    "lock_icon",
    "mark_invalid",
    "months_text",
    "parse_months_text",
    "section_title",
    "split_list",
    "tab_layout",
]
