"""Read-only tables of rows: one model for every list the app shows that is not edited
in place (the day's work, the Activity page, users, offboarding).

The tables are a ``QTableView`` over a small Python model rather than a ``QTableWidget``:
PySide6 6.12 on Python 3.11 loses a reference to ``None`` on every call to a Qt method that
returns nothing, and filling a ``QTableWidget`` makes several such calls per cell, so a
few refreshes of a long list would crash the app. A model hands Qt its cells on demand,
and a long list costs no per-cell Qt calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
    }
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its text, and the value it sorts by (a date, an amount), if not the text."""

    text: str
    key: Any = None

    def sort_key(self) -> tuple[int, Any]:
        if self.key is not None:
            return (0, self.key)
        # Blank cells sort after the others (before them when the order is reversed).
        return (1, "") if not self.text else (0, self.text.casefold())


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    key: Any = None  # what the row stands for (a client id, an audit entry, a login)
    tooltip: str = ""
    warn: bool = False  # shown in the warning colour, in the model's ``warn_columns``
    bold: bool = False


# A row as the model keeps it: (texts, sort keys, key, tooltip, warn, bold), plain
# tuples of strings, numbers and dates. Python's garbage collector stops tracking such a
# tuple the first time it survives a collection, so a list of 40,000 follow-ups is not
# walked by every full collection, on whichever thread allocates (the database worker
# or the GUI thread, holding the interpreter lock 50-120 ms each time); as Row and Cell
# objects it was about 8 tracked objects a row, and a quarter of the memory.
Packed = tuple[tuple[str, ...], tuple[Any, ...], Any, str, bool, bool]


class PackedRows(list):  # type: ignore[type-arg]
    """Rows packed where they are made (on a worker thread), for :meth:`RowsModel.set_rows`."""


def pack(row: Row) -> Packed:
    cells = row.cells
    return (
        tuple(c.text for c in cells),
        tuple(c.key for c in cells),
        row.key,
        row.tooltip,
        row.warn,
        row.bold,
    )


def _unpack(p: Packed) -> Row:
    cells = tuple(Cell(t, k) for t, k in zip(p[0], p[1], strict=True))
    return Row(cells, p[2], p[3], p[4], p[5])


def _sort_key(text: str, key: Any) -> tuple[int, Any]:
    """As :meth:`Cell.sort_key`."""
    if key is not None:
        return (0, key)
    return (1, "") if not text else (0, text.casefold())


def packed_rows(rows: Iterable[Row]) -> PackedRows:
    """``rows`` packed for :meth:`RowsModel.set_rows` (build long lists so, off the GUI
    thread: each Row is let go as soon as it is packed)."""
    return PackedRows(pack(r) for r in rows)


def text_row(cells: Sequence[object], key: Any = None) -> Row:
    """A row of plain text cells (each shown as ``str``, sorted by its text)."""
    return Row(tuple(Cell(str(c)) for c in cells), key)


class RowsModel(QAbstractTableModel):
    """Read-only rows of cells under fixed headers.

    ``right`` and ``centre`` columns are aligned so (numbers, short values); the first
    ``warn_columns`` columns of a row marked ``warn`` are painted in :attr:`warning`;
    ``header_tips`` explain the columns; with ``cell_tips`` a cell's tooltip is its own
    text (for columns too narrow for it) unless the row has a tooltip of its own; with
    ``tip_columns`` it is those columns' texts, one a line.
    """

    def __init__(
        self,
        columns: Sequence[str],
        parent: QObject | None = None,
        *,
        right: Sequence[int] = (),
        centre: Sequence[int] = (),
        warn_columns: int = 0,
        header_tips: Sequence[str] = (),
        cell_tips: bool = False,
        tip_columns: Sequence[int] = (),
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._tips = tuple(header_tips)
        self._rows: list[Packed] = []
        self._align = {c: _RIGHT for c in right} | {c: _CENTRE for c in centre}
        self._warn_columns = warn_columns
        self._cell_tips = cell_tips
        # A row without a tooltip of its own shows these columns' texts, a line each:
        # made when asked, not held for each of 40,000 follow-ups.
        self._tip_columns = tuple(tip_columns)
        self.warning = QColor("#c62828")
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Row] | PackedRows) -> None:
        """Show ``rows``; a long list comes as :func:`packed_rows`, packed off the GUI thread."""
        packed = rows if isinstance(rows, PackedRows) else [pack(r) for r in rows]
        self.beginResetModel()
        self._rows = packed
        self.endResetModel()

    def row(self, row: int) -> Row | None:
        return self._unpack(self._rows[row]) if 0 <= row < len(self._rows) else None

    def rows(self) -> list[Row]:
        return [self._unpack(p) for p in self._rows]

    def _unpack(self, p: Packed) -> Row:
        found = _unpack(p)
        if found.tooltip or not self._tip_columns:
            return found
        return Row(found.cells, found.key, self._tip(p[0]), found.warn, found.bold)

    def _tip(self, texts: tuple[str, ...]) -> str:
        return "\n".join(t for t in (texts[c] for c in self._tip_columns) if t)

    def key_at(self, row: int) -> Any:
        """The key of a row in the model's own order (None outside it)."""
        return self._rows[row][2] if 0 <= row < len(self._rows) else None

    def row_of(self, key: Any) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r[2] == key), None)

    def text_at(self, row: int, column: int) -> str:
        return self._rows[row][0][column]

    def sort_key(self, row: int, column: int) -> tuple[int, Any] | None:
        """What a cell sorts by (:meth:`Cell.sort_key`); None outside the rows."""
        if not 0 <= row < len(self._rows):
            return None
        p = self._rows[row]
        return _sort_key(p[0][column], p[1][column])

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
            return self._align.get(section, _LEFT)
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._tips):
            return self._tips[section] or None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks for a dozen roles per cell each time it paints; most are none of
        # ours: answer those first (painting a page of rows stays a few milliseconds).
        if role not in _ROLES:
            return None
        number = index.row() if index.isValid() else -1
        if not 0 <= number < len(self._rows):
            return None
        texts, _keys, key, tooltip, warn, bold = self._rows[number]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[column]
        if role == Qt.ItemDataRole.UserRole:
            return key
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align.get(column, _LEFT)
        if role == Qt.ItemDataRole.ToolTipRole:
            if tooltip:
                return tooltip
            if self._tip_columns:
                return self._tip(texts) or None
            return texts[column] if self._cell_tips else None
        if role == Qt.ItemDataRole.ForegroundRole and warn and column < self._warn_columns:
            return self.warning
        if role == Qt.ItemDataRole.FontRole and bold:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class SortProxy(QSortFilterProxyModel):
    """Sorts by each cell's value (dates as dates, money as Decimals), not its text."""

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt API
        source = self.sourceModel()
        assert isinstance(source, RowsModel)
        ka = source.sort_key(left.row(), left.column())
        kb = source.sort_key(right.row(), right.column())
        if ka is None or kb is None:
            return False
        try:
            return bool(ka < kb)
        except TypeError:  # mixed kinds in one column: fall back to the text
            return source.text_at(left.row(), left.column()) < source.text_at(
                right.row(), right.column()
            )


def rows_table(
    model: RowsModel,
    parent: QWidget | None = None,
    *,
    sortable: bool = False,
    stretch_last: bool = False,
) -> QTableView:
    """A read-only, row-selecting table over ``model``.

    With ``sortable`` the table shows the model through a :class:`SortProxy` (its
    ``model()``): rows come in the model's order, a header click sorts by that column,
    and a third click returns to the model's order.
    """
    table = QTableView(parent)
    if sortable:
        proxy = SortProxy(parent)
        proxy.setSourceModel(model)
        table.setModel(proxy)
    else:
        table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    if stretch_last:
        header.setStretchLastSection(True)
    header.setDefaultAlignment(_LEFT)
    if sortable:
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
    return table
