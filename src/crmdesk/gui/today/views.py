"""The day's work: follow-ups due, who usually buys next month, and coming birthdays.

Each view asks the client service for its rows and shows them in a read-only, sortable
table; double-click or Enter on a row opens that client (``client_activated``).

The tables are a ``QTableView`` over a small Python model rather than a ``QTableWidget``:
PySide6 6.12 on Python 3.11 loses a reference to ``None`` on every call to a Qt method that
returns nothing, and filling a ``QTableWidget`` makes several such calls per cell, so a
few refreshes of a long list would crash the app. A model hands Qt its cells on demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.clients.list_model import format_count, format_date, format_money
from crmdesk.gui.errors import show_error
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService

Today = Callable[[], dt.date]
Index = QModelIndex | QPersistentModelIndex

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter
_SEASONAL_LIMIT = 500


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
    client_id: int
    cells: tuple[Cell, ...]
    tooltip: str = ""
    warn: bool = False  # shown in red, in the model's first ``warn_columns`` columns
    bold: bool = False


class RowsModel(QAbstractTableModel):
    """Read-only rows for one day view; each row belongs to a client."""

    def __init__(
        self,
        columns: Sequence[str],
        parent: QObject | None = None,
        *,
        right: Sequence[int] = (),
        centre: Sequence[int] = (),
        warn_columns: int = 0,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[Row] = []
        self._align = {c: _RIGHT for c in right} | {c: _CENTRE for c in centre}
        self._warn_columns = warn_columns
        self.warning = QColor("#c62828")
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align.get(section, _LEFT)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column].text
        if role == Qt.ItemDataRole.UserRole:
            return row.client_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align.get(column, _LEFT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole and row.warn and column < self._warn_columns:
            return self.warning
        if role == Qt.ItemDataRole.FontRole and row.bold:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _SortProxy(QSortFilterProxyModel):
    """Sorts by each cell's value (dates as dates, money as Decimals), not its text."""

    def lessThan(self, left: Index, right: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, RowsModel)
        a, b = source.row(left.row()), source.row(right.row())
        if a is None or b is None:
            return False
        ka, kb = a.cells[left.column()].sort_key(), b.cells[right.column()].sort_key()
        try:
            return bool(ka < kb)
        except TypeError:  # mixed kinds in one column: fall back to the text
            return a.cells[left.column()].text < b.cells[right.column()].text


def warning_color(widget: QWidget) -> QColor:
    """A red that reads well on the current background, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#ff7b72") if dark else QColor("#c62828")


class _DayView(QWidget):
    """A title, a line of explanation, options, and a table of clients (or an empty note)."""

    client_activated = Signal(int)

    def __init__(
        self,
        service: ClientService,
        title: str,
        explanation: str,
        rows_model: RowsModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service

        self.title_label = QLabel(title, self)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)

        self.explanation_label = QLabel(explanation, self)
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.options = QHBoxLayout()
        self.options.setSpacing(16)

        self.rows_model = rows_model
        rows_model.setParent(self)
        rows_model.warning = warning_color(self)
        self._proxy = _SortProxy(self)
        self._proxy.setSourceModel(rows_model)

        table = QTableView(self)
        self.table = table
        table.setModel(self._proxy)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        # Rows come in the service's order (most overdue, biggest spender, soonest); a
        # header click sorts by that column, and a third click returns to that order.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.doubleClicked.connect(lambda index: self._activate(index.row()))
        table.installEventFilter(self)

        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setMargin(24)
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.explanation_label)
        layout.addLayout(self.options)
        layout.addSpacing(4)
        layout.addWidget(table, 1)
        layout.addWidget(self.empty_label, 1)

    # -- public API -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the service again (the day moves on; clients are edited elsewhere)."""
        try:
            rows, empty_text = self._load()
        except Exception as exc:  # noqa: BLE001 - shown to the user, not swallowed
            rows, empty_text = [], "This list could not be loaded."
            self._show(rows, empty_text)
            show_error(self, exc)
            return
        self._show(rows, empty_text)

    def row_count(self) -> int:
        return self._proxy.rowCount()

    def client_id_at(self, row: int) -> int | None:
        """The client of a row as the user sees it (after any sorting)."""
        value = self._proxy.index(row, 0).data(Qt.ItemDataRole.UserRole)
        return None if value is None else int(value)

    def text_at(self, row: int, column: int) -> str:
        return str(self._proxy.index(row, column).data() or "")

    # -- internals ----------------------------------------------------------------------

    def _load(self) -> tuple[list[Row], str]:
        raise NotImplementedError

    def _show(self, rows: list[Row], empty_text: str) -> None:
        self.rows_model.warning = warning_color(self)  # the theme may have changed
        self.rows_model.set_rows(rows)
        self.empty_label.setText(empty_text)
        self.empty_label.setVisible(not rows)
        self.table.setVisible(bool(rows))

    def _size_columns(self, samples: Sequence[str], stretch: int) -> None:
        """Columns wide enough for a typical value; ``stretch`` takes the spare room."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for column, sample in enumerate(samples):
            title = str(self.rows_model.headerData(column, Qt.Orientation.Horizontal))
            wide = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
            header.resizeSection(column, wide + 36)  # room for the sort arrow
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def _activate(self, row: int) -> None:
        client_id = self.client_id_at(row)
        if client_id is not None:
            self.client_activated.emit(client_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            # No copying lists of clients past the service's gate: the table's own
            # Ctrl+C would put a cell on the clipboard unrecorded.
            event.accept()
            return True
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.currentIndex().isValid()
        ):
            self._activate(self.table.currentIndex().row())
            return True
        return super().eventFilter(watched, event)


# -- follow-ups ---------------------------------------------------------------------------


class FollowUpsView(_DayView):
    """Open tasks due today or earlier, the most overdue first."""

    COLUMNS = ("Due", "Overdue", "Client", "Task", "Contact", "Phone")

    def __init__(
        self,
        service: ClientService,
        parent: QWidget | None = None,
        *,
        today: Today = dt.date.today,
    ) -> None:
        super().__init__(
            service,
            "Follow-ups due",
            "Open tasks due today or earlier, the most overdue first. "
            "Double-click a row (or press Enter) to open the client.",
            RowsModel(self.COLUMNS, warn_columns=2),
            parent,
        )
        self._today = today
        self.week_check = QCheckBox("Show the next 7 days too", self)
        self.week_check.toggled.connect(self.refresh)
        self.options.addWidget(self.week_check)
        self.options.addStretch(1)
        self._size_columns(
            ("00/00/0000", "Overdue by 00 days", "Green Sparrow Veterinary Clinic",
             "Call Matthew about the order", "Margaux Mercier", "+442896496975"),
            stretch=3,
        )  # fmt: skip
        self.refresh()

    def _load(self) -> tuple[list[Row], str]:
        week = self.week_check.isChecked()
        today = self._today()
        rows = []
        for f in self._service.followups(within_days=7 if week else 0):
            late = (today - f.due).days
            cells = (
                Cell(format_date(f.due), f.due),
                Cell(_lateness(late), -late),
                Cell(f.client_name),
                Cell(f.title),
                Cell(f.contact),
                Cell(f.phone),
            )
            tip = "\n".join(p for p in (f.client_name, f.title, f.contact, f.phone) if p)
            rows.append(Row(f.client_id, cells, tip, warn=late > 0))
        empty = "Nothing due in the next 7 days. Nice work." if week else (
            "No follow-ups due. Nice work."
        )  # fmt: skip
        return rows, empty


def _lateness(days_late: int) -> str:
    if days_late > 0:
        return f"Overdue by {days_late} day{'s' if days_late != 1 else ''}"
    if days_late == 0:
        return "Due today"
    ahead = -days_late
    return "Tomorrow" if ahead == 1 else f"In {ahead} days"


# -- seasonal outlook ---------------------------------------------------------------------


class SeasonalOutlookView(_DayView):
    """Clients whose purchase history shows orders next month: who to call now."""

    COLUMNS = (
        "Client",
        "Status",
        "Salesperson",
        "Phone",
        "Last contact",
        "12-month spend",
        "Expected next order",
    )
    SPEND = 5

    def __init__(
        self,
        service: ClientService,
        parent: QWidget | None = None,
        *,
        today: Today = dt.date.today,
        load: bool = True,
    ) -> None:
        super().__init__(service, "", "", RowsModel(self.COLUMNS, right=[self.SPEND]), parent)
        self._today = today
        self.prospects_check = QCheckBox("Include prospects", self)
        self.prospects_check.toggled.connect(self.refresh)
        self.options.addWidget(self.prospects_check)
        self.options.addStretch(1)
        self._size_columns(
            ("Green Sparrow Veterinary Clinic", "Prospect", "Salesperson", "+442896496975",
             "00/00/0000", "000,000.00", "00/00/0000"),
            stretch=0,
        )  # fmt: skip
        if load:  # not for someone who may not see buying seasons (value-added)
            self.refresh()

    def month(self) -> int:
        """The month this list is for: next month."""
        return self._today().month % 12 + 1

    def _load(self) -> tuple[list[Row], str]:
        month = self.month()
        name = QLocale().standaloneMonthName(month)
        self.title_label.setText(f"Clients who usually buy in {name}: your call list")
        statuses = ["active", "prospect"] if self.prospects_check.isChecked() else ["active"]
        found: list[ClientRow] = []
        for status in statuses:
            query = ClientQuery(
                buys_in_month=month,
                status=status,
                sort=SortKey.SPEND_12M,
                descending=True,
                limit=_SEASONAL_LIMIT,
            )
            found += self._service.list(query)
        # With prospects, two answers: merge them back into spend order.
        found.sort(key=lambda r: (-(r.spend_12m or 0), r.name.casefold()))
        found = found[:_SEASONAL_LIMIT]
        who = "active clients and prospects" if len(statuses) > 1 else "active clients"
        if len(found) == _SEASONAL_LIMIT:
            lead = f"The {format_count(_SEASONAL_LIMIT)} biggest spenders among {who}"
        else:
            lead = who.capitalize()
        self.explanation_label.setText(
            f"{lead} whose purchase history shows orders in {name}, biggest spenders first. "
            "A call now lands before they order elsewhere."
        )
        empty = (
            f"No {who} have a buying pattern in {name} yet. Patterns appear once a client "
            "has a few purchases on record."
        )
        return [_seasonal_row(r) for r in found], empty


def _seasonal_row(r: ClientRow) -> Row:
    cells = (
        Cell(r.name),
        Cell(r.status.capitalize()),
        Cell(r.salesperson),
        Cell(r.phone),
        Cell(format_date(r.last_contact) or "Never", _date_key(r.last_contact)),
        Cell(format_money(r.spend_12m), r.spend_12m),
        Cell(format_date(r.next_order), _date_key(r.next_order)),
    )
    return Row(r.id, cells, "\n".join(p for p in (r.name, r.email, r.phone) if p))


def _date_key(day: dt.date | None) -> tuple[int, dt.date]:
    # Unknown dates sort after known ones.
    return (1, dt.date.max) if day is None else (0, day)


# -- birthdays ----------------------------------------------------------------------------


class BirthdaysView(_DayView):
    """Contacts with a birthday in the next 7 days, soonest first."""

    COLUMNS = ("Date", "Contact", "Turns", "Client", "Phone")
    DAYS = 7

    def __init__(
        self,
        service: ClientService,
        parent: QWidget | None = None,
        *,
        today: Today = dt.date.today,
        load: bool = True,
    ) -> None:
        super().__init__(
            service,
            "Birthdays this week",
            f"Contacts with a birthday in the next {self.DAYS} days, today's in bold. "
            "A short call or card is remembered.",
            # Centred: a right-aligned age would run into the client's name beside it.
            RowsModel(self.COLUMNS, centre=[2]),
            parent,
        )
        self._today = today
        self._size_columns(
            ("Wed 00/00/0000", "Gonçalo Gonçalves", "Turns", "Green Sparrow Veterinary Clinic",
             "+442896496975"),
            stretch=3,
        )  # fmt: skip
        if load:  # not for someone who may not see birthdays (value-added)
            self.refresh()

    def _load(self) -> tuple[list[Row], str]:
        today = self._today()
        rows = []
        for b in self._service.birthdays(within_days=self.DAYS):
            weekday = QLocale().dayName(b.date.isoweekday(), QLocale.FormatType.ShortFormat)
            cells = (
                Cell(f"{weekday} {format_date(b.date)}", b.date),
                Cell(b.contact_name),
                Cell("" if b.turns is None else str(b.turns), b.turns),
                Cell(b.client_name),
                Cell(b.phone),
            )
            tip = "Birthday today" if b.date == today else ""
            rows.append(Row(b.client_id, cells, tip, bold=b.date == today))
        return rows, f"No birthdays in the next {self.DAYS} days."
