"""Read-only models for the Activity page: sortable tables and the alerts list.

Models rather than ``QTableWidget``/``QListWidget`` items (see gui/today/views.py): Qt
asks for the cells it paints, and a long audit log costs no per-cell Qt calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QIcon

from crmdesk.domain.alerts import Alert

Index = QModelIndex | QPersistentModelIndex

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text, and what it sorts by when that is not the text (a time, a count)."""

    text: str
    key: Any = None

    def sort_key(self) -> tuple[int, Any]:
        if self.key is not None:
            return (0, self.key)
        return (1, "") if not self.text else (0, self.text.casefold())


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    key: Any = None  # what the row stands for (an audit entry number, a login)
    tooltip: str = ""
    bold: bool = False


class RowsModel(QAbstractTableModel):
    """Rows of cells under fixed headers; ``right`` columns are numbers."""

    def __init__(
        self,
        columns: Sequence[str],
        parent: QObject | None = None,
        *,
        right: Sequence[int] = (),
        header_tips: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._tips = tuple(header_tips)
        self._rows: list[Row] = []
        self._right = frozenset(right)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[Row]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in self._right else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._tips):
            return self._tips[section] or None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column].text
        if role == Qt.ItemDataRole.UserRole:
            return row.key
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in self._right else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.FontRole and row.bold:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class SortProxy(QSortFilterProxyModel):
    """Sorts by each cell's value (times as times, counts as numbers), not its text."""

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt API
        source = self.sourceModel()
        assert isinstance(source, RowsModel)
        a, b = source.row(left.row()), source.row(right.row())
        if a is None or b is None:
            return False
        ka, kb = a.cells[left.column()].sort_key(), b.cells[right.column()].sort_key()
        try:
            return bool(ka < kb)
        except TypeError:
            return a.cells[left.column()].text < b.cells[right.column()].text


class AlertsModel(QAbstractListModel):
    """The alerts of the period, one line each, with an icon for their kind."""

    def __init__(self, icons: dict[str, QIcon], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._alerts: list[Alert] = []
        self._icons = icons
        self._tips: dict[str, str] = {}

    def set_alerts(self, alerts: list[Alert], tips: dict[str, str]) -> None:
        self.beginResetModel()
        self._alerts = alerts
        self._tips = tips
        self.endResetModel()

    def alert(self, row: int) -> Alert | None:
        return self._alerts[row] if 0 <= row < len(self._alerts) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._alerts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alert = self.alert(index.row()) if index.isValid() else None
        if alert is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return alert.message
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(alert.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tips.get(alert.kind, "")
            return f"{tip}\n{alert.message}\nDouble-click to see the entries behind it."
        return None
