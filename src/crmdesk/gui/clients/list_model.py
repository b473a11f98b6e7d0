"""The client list as a Qt table model that loads pages on demand.

A vault may hold 100,000 clients: the model keeps only the rows the view has scrolled
to, asks the service for the next page of 200 when the view needs more, and asks for
the total separately. Filtering and sorting are the service's job; this only shows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from crmdesk.gui.phone_text import shown_phone
from crmdesk.gui.widgets.coverage_marks import dots
from crmdesk.gui.widgets.coverage_marks import tooltip as coverage_tooltip
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService

PAGE_SIZE = 200
_MAX_PAGE = 100_000  # the most rows the service returns in one call
_CENT = Decimal("0.01")

Index = QModelIndex | QPersistentModelIndex


# -- display formats (shared with the day views) ------------------------------------------


def format_count(n: int) -> str:
    """An integer with the locale's thousands separator (the C locale would omit it)."""
    return format(n, ",").replace(",", QLocale().groupSeparator())


def format_money(amount: Decimal | None) -> str:
    """Two decimals and thousands separators, computed on the Decimal (never a float);
    a dash for a value withheld from the signed-in person."""
    if amount is None:
        return "—"
    locale = QLocale()
    text = format(amount.quantize(_CENT, rounding=ROUND_HALF_EVEN), ",.2f")
    # Swap through a placeholder: some locales use "." to group and "," for decimals.
    text = text.replace(",", "\0").replace(".", locale.decimalPoint())
    return text.replace("\0", locale.groupSeparator()).replace("-", locale.negativeSign())


def format_date(day: dt.date | None) -> str:
    return QLocale().toString(day, QLocale.FormatType.ShortFormat) if day else ""


# -- columns ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    title: str
    sort: SortKey
    tip: str
    # The first click on a header sorts this way: biggest spenders first, names A-Z.
    first_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder


COLUMNS: tuple[_Column, ...] = (
    _Column("Name", SortKey.NAME, "The client's name"),
    _Column("Status", SortKey.STATUS, "Prospect, active or former client"),
    _Column("Salesperson", SortKey.SALESPERSON, "Who looks after this client"),
    _Column("Last contact", SortKey.LAST_CONTACT, "The last call, meeting, email or visit"),
    _Column(
        "12-month spend",
        SortKey.SPEND_12M,
        "What the client bought in the last 12 months",
        Qt.SortOrder.DescendingOrder,
    ),
    _Column(
        "Expected next order",
        SortKey.NEXT_ORDER,
        "When the client usually orders again, from their purchase history",
    ),
    _Column(
        "Coverage",
        SortKey.COVERAGE,
        "Which kinds of value-added information are on file (● on file, ○ nothing yet): "
        "personal profiles, purchases, pricing, preferences, seasonal needs, "
        "specifications, interaction history. Sorted, the barest clients come first.",
    ),
)
NAME, STATUS, SALESPERSON, LAST_CONTACT, SPEND, NEXT_ORDER, COVERAGE = range(len(COLUMNS))


class ClientListModel(QAbstractTableModel):
    """Clients matching a :class:`ClientQuery`, loaded a page at a time.

    ``rowCount()`` is the rows loaded so far; ``total_count()`` is how many match.
    Service errors while loading are reported through ``load_failed`` (the panel shows
    them); the model is then left empty or as it was, and stops asking for more.
    """

    load_failed = Signal(object)  # the exception

    def __init__(self, service: ClientService, parent: Any = None, *, load: bool = True) -> None:
        super().__init__(parent)
        self._service = service
        self._query = ClientQuery()
        self._sort_column: int | None = None  # None: the default order for the query
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._rows: list[ClientRow] = []
        self._row_of: dict[int, int] = {}
        self._total = 0
        self._exhausted = True
        self._region = ""  # the vault's, read at each reload: numbers shown national in it
        if load:
            self._reload(PAGE_SIZE)

    # -- query and sort -------------------------------------------------------------------

    def set_query(self, query: ClientQuery) -> None:
        """Show the clients matching ``query`` (its filters and text), from the first page."""
        self._query = replace(query, limit=PAGE_SIZE, offset=0)
        self._reload(PAGE_SIZE)

    def query(self) -> ClientQuery:
        """The query as the service is asked it, with the sort order the user sees."""
        query = self._query
        if self._sort_column is not None:
            descending = self._sort_order == Qt.SortOrder.DescendingOrder
            return replace(query, sort=COLUMNS[self._sort_column].sort, descending=descending)
        if query.text.strip() and query.sort == SortKey.NAME and not query.descending:
            # A search with no column chosen: best matches first, like a search engine.
            return replace(query, sort=SortKey.RELEVANCE)
        return query

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a column of -1 (the header's cleared state) is the default."""
        self._sort_column = column if 0 <= column < len(COLUMNS) else None
        self._sort_order = order
        self._reload(PAGE_SIZE)

    def refresh(self) -> None:
        """Reload with the same query, keeping as many rows loaded as before."""
        self._reload(max(PAGE_SIZE, len(self._rows)))

    def total_count(self) -> int:
        return self._total

    # -- lookups ----------------------------------------------------------------------

    def client_id_at(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_of(self, client_id: int) -> int | None:
        """The row of a loaded client, or None if it is not (yet) loaded."""
        return self._row_of.get(client_id)

    def client_row(self, row: int) -> ClientRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- loading ----------------------------------------------------------------------

    def _reload(self, rows: int) -> None:
        # Whole pages, so fetchMore carries on at a page boundary.
        limit = min(_MAX_PAGE, math.ceil(rows / PAGE_SIZE) * PAGE_SIZE)
        query = self.query()
        self.beginResetModel()
        try:
            self._total = self._service.count(query)
            page = self._service.list(replace(query, limit=limit, offset=0))
            self._region = self._service.region_for_phones()
        except Exception as exc:  # noqa: BLE001 - shown by the panel, not swallowed
            self._set_rows([], exhausted=True)
            self._total = 0
            self.endResetModel()
            self.load_failed.emit(exc)
            return
        self._set_rows(page, exhausted=len(page) < limit or len(page) >= self._total)
        self.endResetModel()

    def _set_rows(self, rows: list[ClientRow], *, exhausted: bool) -> None:
        self._rows = []
        self._row_of = {}
        self._append(rows)
        self._exhausted = exhausted

    def _append(self, rows: list[ClientRow]) -> None:
        for row in rows:
            # A client edited between two pages can move and come back: show it once.
            if row.id not in self._row_of:
                self._row_of[row.id] = len(self._rows)
                self._rows.append(row)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's API
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's API
        if parent.isValid() or self._exhausted:
            return
        offset = len(self._rows)
        try:
            page = self._service.list(replace(self.query(), limit=PAGE_SIZE, offset=offset))
        except Exception as exc:  # noqa: BLE001 - shown by the panel, not swallowed
            # Stop asking: the view would otherwise call again at once, error after error.
            self._exhausted = True
            self.load_failed.emit(exc)
            return
        fresh = [r for r in page if r.id not in self._row_of]
        if fresh:
            self.beginInsertRows(QModelIndex(), offset, offset + len(fresh) - 1)
            self._append(fresh)
            self.endInsertRows()
        self._exhausted = len(page) < PAGE_SIZE or len(self._rows) >= self._total

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            return column.first_order
        if role == Qt.ItemDataRole.TextAlignmentRole and section == SPEND:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COVERAGE:
                return coverage_tooltip(row.coverage)
            phone = shown_phone(row.phone, self._region)
            return "\n".join(part for part in (row.name, row.email, phone) if part)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COVERAGE:
            return row.coverage.summary()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == SPEND:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Read-only: editing happens in the client editor, with its conflict checks.
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _display(row: ClientRow, column: int) -> str:
    if column == NAME:
        return row.name
    if column == STATUS:
        return row.status.capitalize()
    if column == SALESPERSON:
        return row.salesperson
    if column == LAST_CONTACT:
        return format_date(row.last_contact) or "Never"
    if column == SPEND:
        return format_money(row.spend_12m)
    if column == NEXT_ORDER:
        return format_date(row.next_order) if row.full else "—"
    if column == COVERAGE:
        return dots(row.coverage)
    return ""
