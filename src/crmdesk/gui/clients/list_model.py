"""The client list as a Qt table model: every matching client has a row, a few pages are held.

Its columns are declared once, in :data:`COLUMNS` (title, how a row reads, how it
sorts, its tooltip): a new column is one more entry there; the header, the column
chooser and the first widths follow.

A vault may hold 100,000 clients. ``rowCount()`` is how many match, so the scroll bar
spans the whole list; the rows themselves come a page of 200 at a time, read on the
database worker (:mod:`crmdesk.gui.ops`) when the view first paints them, and only the
last :data:`MAX_PAGES` pages painted are kept: scrolling through the whole list holds a
bounded number of rows, however long the list. A row not read yet shows empty until its
page arrives.

Filtering and sorting are the service's job: a new filter counts the matches again, a
new order does not (the same clients, in another order). Until the new answer is in,
the view keeps showing the old one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from crmdesk.gui.ops import Pending, QueryOp
from crmdesk.gui.phone_text import shown_phone
from crmdesk.gui.widgets.coverage_marks import dots
from crmdesk.gui.widgets.coverage_marks import tooltip as coverage_tooltip
from crmdesk.gui.widgets.formats import format_count, format_date, format_money, value_words
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService

PAGE_SIZE = 200
MAX_PAGES = 8  # pages held at most: the rows on screen and a little around them
MAX_ASKED = 3  # pages on their way at most: the newest asked for

Index = QModelIndex | QPersistentModelIndex
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

__all__ = [
    "COLUMNS",
    "ClientListModel",
    "Column",
    "format_count",
    "format_date",
    "format_money",
]


# A reload's answer, read off the GUI thread: the count (if asked), the pages, and the
# region phone numbers are shown national in.
_Answer = tuple[int | None, dict[int, list[ClientRow]], str]


# -- columns: declared once, here ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the client list: its title, how a row reads in it, how it sorts."""

    key: str
    title: str
    text: Callable[[ClientRow], str]
    sort: SortKey | None
    tip: str
    sample: str  # a typical value, for the column's first width
    # The first click on a header sorts this way: biggest spenders first, names A-Z.
    first_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    right: bool = False
    hidden: bool = False  # hidden until the person shows it (header's context menu)
    # A cell's own tooltip and words for screen readers (default: the client's name,
    # email and phone; the cell's text).
    tooltip: Callable[[ClientRow], str] | None = None
    accessible: Callable[[ClientRow], str] | None = None


def _next_order(row: ClientRow) -> str:
    return format_date(row.next_order) if row.full else "—"


COLUMNS: tuple[Column, ...] = (
    Column(
        "name", "Name", lambda r: r.name, SortKey.NAME, "The client's name",
        "Evergreen Lantern Catering Co.",
    ),
    Column(
        "status", "Status", lambda r: value_words(r.status), SortKey.STATUS,
        "Prospect, active or former client", "Prospect",
    ),
    Column(
        "salesperson", "Salesperson", lambda r: r.salesperson, SortKey.SALESPERSON,
        "Who looks after this client", "Margaux Mercier",
    ),
    Column(
        "last_contact", "Last contact", lambda r: format_date(r.last_contact) or "Never",
        SortKey.LAST_CONTACT, "The last call, meeting, email or visit", "00/00/0000",
    ),
    Column(
        "spend_12m", "12-month spend", lambda r: format_money(r.spend_12m), SortKey.SPEND_12M,
        "What the client bought in the last 12 months", "$000,000.00",
        Qt.SortOrder.DescendingOrder, right=True,
    ),
    Column(
        "next_order", "Next order", _next_order, SortKey.NEXT_ORDER,
        "When the client usually orders again, from their purchase history", "00/00/0000",
    ),
    Column(
        "coverage", "Coverage", lambda r: dots(r.coverage), SortKey.COVERAGE,
        "Which kinds of value-added information are on file (● on file, ○ nothing yet): "
        "personal profiles, purchases, pricing, preferences, seasonal needs, "
        "specifications, interaction history. Sorted, the barest clients come first.",
        "●●●●●●●",
        tooltip=lambda r: coverage_tooltip(r.coverage),
        accessible=lambda r: r.coverage.summary(),
    ),
)  # fmt: skip


def column_index(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


NAME, STATUS, SALESPERSON, LAST_CONTACT, SPEND, NEXT_ORDER, COVERAGE = (
    column_index(k)
    for k in (
        "name", "status", "salesperson", "last_contact", "spend_12m", "next_order", "coverage"
    )
)  # fmt: skip


# -- the model ----------------------------------------------------------------------------


class ClientListModel(QAbstractTableModel):
    """Clients matching a :class:`ClientQuery`: all counted, a few pages held.

    ``loaded`` is emitted once a new query, order or refresh is on show (its count and
    first rows); ``rows_arrived`` when a page painted empty has filled in. Service
    errors are reported through ``load_failed`` (the panel shows them); the model then
    shows no rows.
    """

    load_failed = Signal(object)  # the exception
    loaded = Signal()
    rows_arrived = Signal()

    def __init__(self, service: ClientService, parent: Any = None, *, load: bool = True) -> None:
        super().__init__(parent)
        self._service = service
        self._query = ClientQuery()
        self._sort_column: int | None = None  # None: the default order for the query
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._total = 0
        self._pages: OrderedDict[int, list[ClientRow]] = OrderedDict()  # least recent first
        self._asked: dict[int, Pending] = {}  # pages on their way
        self._shown = 0  # the generation on show: page answers of another are dropped
        self._wanted = 0  # the newest generation asked for
        self._reload_op: Pending | None = None
        self._known: dict[int, int] = {}  # row -> client id, learned before its page came
        self._row_of: dict[int, int] | None = None  # client id -> row, of the held pages
        self._counted_query: ClientQuery | None = None
        self.count_calls = 0  # how many times the matches were counted (shown in tests)
        self._region = ""  # the vault's, read at each reload: numbers shown national in it
        if load:
            self._reload(count=True)

    # -- query and sort -------------------------------------------------------------------

    def set_query(self, query: ClientQuery) -> None:
        """Show the clients matching ``query`` (its filters and text), from the first row."""
        query = replace(query, limit=PAGE_SIZE, offset=0)
        self._query = query
        self._reload(count=self._filters(query) != self._counted_query)

    def query(self) -> ClientQuery:
        """The query as the service is asked it, with the sort order the user sees."""
        query = self._query
        if self._sort_column is not None:
            descending = self._sort_order == Qt.SortOrder.DescendingOrder
            sort = COLUMNS[self._sort_column].sort or SortKey.NAME
            return replace(query, sort=sort, descending=descending)
        if query.text.strip() and query.sort == SortKey.NAME and not query.descending:
            # A search with no column chosen: best matches first, like a search engine.
            return replace(query, sort=SortKey.RELEVANCE)
        return query

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a column of -1 (the header's cleared state) is the default.
        The same clients in another order: they are not counted again."""
        sortable = 0 <= column < len(COLUMNS) and COLUMNS[column].sort is not None
        self._sort_column = column if sortable else None
        self._sort_order = order
        self._reload(count=self._counted_query is None)

    def refresh(self) -> None:
        """Read again what is on show (after a change): count, and the pages held."""
        self._reload(count=True, pages=sorted(self._pages) or [0])

    def total_count(self) -> int:
        return self._total

    def is_loading(self) -> bool:
        """True until the newest query, order or refresh is on show."""
        return self._wanted != self._shown

    # -- lookups ----------------------------------------------------------------------

    def client_row(self, row: int) -> ClientRow | None:
        """The row's client if its page is held (None otherwise, or outside the list)."""
        page = self._pages.get(row // PAGE_SIZE)
        if page is None:
            return None
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def client_id_at(self, row: int) -> int | None:
        found = self.client_row(row)
        return found.id if found is not None else self._known.get(row)

    def row_of(self, client_id: int) -> int | None:
        """The row of a client in a held page (or placed with :meth:`note_row`)."""
        if self._row_of is None:
            self._row_of = {cid: r for r, cid in self._known.items()}
            for number, page in self._pages.items():
                for offset, found in enumerate(page):
                    self._row_of[found.id] = number * PAGE_SIZE + offset
        return self._row_of.get(client_id)

    def note_row(self, row: int, client_id: int) -> None:
        """``client_id`` is at ``row`` (the service said so); its page is asked for."""
        self._known[row] = client_id
        self._row_of = None
        self.fetch_rows(row, row)

    def held_rows(self) -> int:
        """How many rows are held in memory (never more than MAX_PAGES pages)."""
        return sum(len(page) for page in self._pages.values())

    def fetch_rows(self, first: int, last: int) -> None:
        """Ask for the pages holding rows ``first`` to ``last`` (those not held yet)."""
        for number in range(max(first, 0) // PAGE_SIZE, max(last, 0) // PAGE_SIZE + 1):
            if number * PAGE_SIZE < self._total:
                self._ask_page(number)

    # -- loading ----------------------------------------------------------------------

    @staticmethod
    def _filters(query: ClientQuery) -> ClientQuery:
        return replace(query, sort=SortKey.NAME, descending=False, limit=1, offset=0)

    def _reload(self, *, count: bool, pages: list[int] | None = None) -> None:
        self._wanted += 1
        generation, query, service = self._wanted, self.query(), self._service
        wanted_pages = (pages or [0])[-MAX_PAGES:]
        if self._reload_op is not None:
            self._reload_op.cancel()  # its answer would be replaced at once
        if count:
            self.count_calls += 1

        def read() -> _Answer:
            total = service.count(query) if count else None
            region = service.region_for_phones()
            found = {}
            for number in wanted_pages:
                if total is not None and number * PAGE_SIZE >= max(total, 1):
                    break
                page = replace(query, limit=PAGE_SIZE, offset=number * PAGE_SIZE)
                found[number] = service.list(page, record_search=False)
            return total, found, region

        self._reload_op = (
            QueryOp(
                parent=self,
                op=read,
                success=lambda answer: self._show(generation, query, answer),
            )
            .failure(lambda exc: self._failed(generation, exc))
            .run_in_background()
        )

    def _show(
        self,
        generation: int,
        query: ClientQuery,
        answer: _Answer,
    ) -> None:
        if generation != self._wanted:
            return
        total, pages, region = answer
        self.beginResetModel()
        if total is not None:
            self._total = total
            self._counted_query = self._filters(query)
        self._pages = OrderedDict(sorted(pages.items()))
        self._region = region
        self._forget_requests()
        self._shown = generation
        self.endResetModel()
        self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._wanted:
            return
        self.beginResetModel()
        self._total = 0
        self._counted_query = None
        self._pages = OrderedDict()
        self._forget_requests()
        self._shown = generation
        self.endResetModel()
        self.loaded.emit()
        self.load_failed.emit(exc)  # last: showing it may take a while (a dialog)

    def _forget_requests(self) -> None:
        for pending in self._asked.values():
            pending.cancel()
        self._asked = {}
        self._known = {}
        self._row_of = None

    def _ask_page(self, number: int) -> None:
        if number in self._pages or number in self._asked:
            return
        if self.is_loading():
            return  # the rows on show are about to be replaced: ask the new list instead
        while len(self._asked) >= MAX_ASKED:
            # Scrolled past before they came: a fast drag through the list must not
            # queue a read for every page it crossed.
            oldest = next(iter(self._asked))
            self._asked.pop(oldest).cancel()
        generation, service = self._shown, self._service
        page = replace(self.query(), limit=PAGE_SIZE, offset=number * PAGE_SIZE)
        self._asked[number] = (
            QueryOp(
                parent=self,
                op=lambda: service.list(page, record_search=False),
                success=lambda rows: self._arrived(generation, number, rows),
            )
            .failure(lambda exc: self._page_failed(generation, number, exc))
            .run_in_background()
        )

    def _arrived(self, generation: int, number: int, rows: list[ClientRow]) -> None:
        if generation != self._shown:
            return
        self._asked.pop(number, None)
        self._pages[number] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)  # the page painted longest ago
        self._row_of = None
        first = number * PAGE_SIZE
        last = min(first + PAGE_SIZE, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.rows_arrived.emit()

    def _page_failed(self, generation: int, number: int, exc: BaseException) -> None:
        if generation != self._shown:
            return
        # Kept as asked: the view would otherwise ask again at once, error after error.
        self.load_failed.emit(exc)

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else self._total

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
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.right else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        number = index.row() // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._ask_page(number)
            if role == Qt.ItemDataRole.UserRole:
                return self._known.get(index.row())
            return None
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            self._pages.move_to_end(number)  # painted now: the last to be dropped
        offset = index.row() % PAGE_SIZE
        if offset >= len(page):
            return None
        row = page[offset]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(row)
            phone = shown_phone(row.phone, self._region)
            return "\n".join(part for part in (row.name, row.email, phone) if part)
        if role == Qt.ItemDataRole.AccessibleTextRole and column.accessible is not None:
            return column.accessible(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.right else _LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Read-only: editing happens in the client editor, with its conflict checks.
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
