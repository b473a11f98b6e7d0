"""The Activity page's entries: every entry found has a row, a few pages are held.

The audit trail can hold hundreds of thousands of entries. ``rowCount()`` is how many
the filters found (counted in SQL); their rows come a page at a time, read on the
database worker when the table first paints them, and only the last
:data:`MAX_PAGES` pages are kept. A header click sorts in SQL (the same entries, not
counted again): no comparator runs in Python, however long the trail.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from crmdesk.gui.activity.reading import COLUMN_SORTS, PAGE, Query, Snapshot, read_page
from crmdesk.gui.ops import Pending, QueryOp
from crmdesk.gui.widgets.rows import Row
from crmdesk.services.activity import ActivityFilter
from crmdesk.services.session import Session

MAX_PAGES = 20
Index = QModelIndex | QPersistentModelIndex


class EntriesModel(QAbstractTableModel):
    """The entries of the query on show, read a page at a time."""

    sorted = Signal()  # a new order is on show
    load_failed = Signal(object)

    def __init__(self, columns: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._total = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._asked: dict[int, Pending] = {}
        self._generation = 0
        self._session: Session | None = None
        self._query: Query | None = None
        self._found: ActivityFilter | None = None
        self._names: dict[str, str] = {}
        self._tz: dt.tzinfo | None = None

    # -- what is shown --------------------------------------------------------------------

    def show_snapshot(self, session: Session, snap: Snapshot, tz: dt.tzinfo | None) -> None:
        """A new answer: its count and first page."""
        self.beginResetModel()
        self._generation += 1
        self._forget()
        self._session, self._query, self._found = session, snap.query, snap.found
        self._names, self._tz = snap.names, tz
        self._total = snap.total
        if snap.entries:
            self._pages[0] = snap.entries
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._generation += 1
        self._forget()
        self._total = 0
        self._found = None
        self.endResetModel()

    def sort_order(self) -> tuple[str, bool]:
        """The sort key of the service and whether it is descending."""
        if self._query is None:
            return "time", True
        return self._query.sort, self._query.descending

    def row(self, row: int) -> Row | None:
        page = self._pages.get(row // PAGE)
        offset = row % PAGE
        return page[offset] if page is not None and offset < len(page) else None

    def held_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def _forget(self) -> None:
        for pending in self._asked.values():
            pending.cancel()
        self._asked = {}
        self._pages = OrderedDict()

    # -- reading --------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMN_SORTS[column] if 0 <= column < len(COLUMN_SORTS) else "time"
        if self._query is None or key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._query.sort, self._query.descending):
            return
        self._query = replace(self._query, sort=key, descending=descending)
        self._generation += 1
        self._forget()
        if self._found is None or self._session is None:
            return
        generation = self._generation
        session, query, found, names, tz = (
            self._session, self._query, self._found, self._names, self._tz
        )  # fmt: skip

        def arrived(rows: list[Row]) -> None:
            if generation != self._generation:
                return
            self.beginResetModel()
            self._pages = OrderedDict({0: rows})
            self.endResetModel()
            self.sorted.emit()

        QueryOp(
            parent=self,
            op=lambda: read_page(session, query, found, names, tz, 0),
            success=arrived,
        ).failure(self.load_failed.emit).run_in_background()

    def _ask(self, number: int) -> None:
        if number in self._pages or number in self._asked or self._found is None:
            return
        assert self._session is not None and self._query is not None
        generation = self._generation
        session, query, found, names, tz = (
            self._session, self._query, self._found, self._names, self._tz
        )  # fmt: skip

        def arrived(rows: list[Row]) -> None:
            if generation != self._generation:
                return
            self._asked.pop(number, None)
            self._pages[number] = rows
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
            first = number * PAGE
            last = min(first + len(rows), self._total) - 1
            if last >= first:
                self.dataChanged.emit(
                    self.index(first, 0), self.index(last, self.columnCount() - 1)
                )

        self._asked[number] = (
            QueryOp(
                parent=self,
                op=lambda: read_page(session, query, found, names, tz, number * PAGE),
                success=arrived,
            )
            .failure(self.load_failed.emit)
            .run_in_background()
        )

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section]
        if role == Qt.ItemDataRole.InitialSortOrderRole and section == 0:
            return Qt.SortOrder.DescendingOrder  # newest first
        if role == Qt.ItemDataRole.ToolTipRole and COLUMN_SORTS[section] is None:
            return "Not sortable: a summary of the entry's details"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        number = index.row() // PAGE
        page = self._pages.get(number)
        if page is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._ask(number)
            return None
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            self._pages.move_to_end(number)
        found = self.row(index.row())
        if found is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return found.cells[index.column()].text
        if role == Qt.ItemDataRole.UserRole:
            return found.key
        if role == Qt.ItemDataRole.ToolTipRole:
            return found.tooltip or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
