"""The day's work: follow-ups due, who usually buys next month, and coming birthdays.

Each view asks the client service for its rows and shows them in a read-only, sortable
table; double-click or Enter on a row opens that client (``client_activated``). A view
reads its list on the database worker (:mod:`crmdesk.gui.ops`) the first time it is
shown, not when the window is built, and again when shown after a change notice said
clients changed (at once when it is on screen).

The tables are a ``QTableView`` over the shared rows model (:mod:`crmdesk.gui.widgets.rows`
says why a model and not a ``QTableWidget``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QLocale,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import ChangeNotices, Pending, QueryOp
from crmdesk.gui.phone_text import shown_phone
from crmdesk.gui.widgets.coverage_marks import tooltip as coverage_tooltip
from crmdesk.gui.widgets.formats import (
    format_count,
    format_date,
    format_money,
    value_words,
)
from crmdesk.gui.widgets.rows import Cell, PackedRows, Row, RowsModel, pack, rows_table
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService

Today = Callable[[], dt.date]
_SEASONAL_LIMIT = 500


def warning_color(widget: QWidget) -> QColor:
    """A red that reads well on the current background, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#ff7b72") if dark else QColor("#c62828")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a view read on the worker: its rows, what to say when there are none, and
    a new title and explanation when they depend on the answer."""

    rows: list[Row] | PackedRows
    empty_text: str
    title: str | None = None
    explanation: str | None = None


class _DayView(QWidget):
    """A title, a line of explanation, options, and a table of clients (or an empty note)."""

    client_activated = Signal(int)
    refreshed = Signal()  # the rows read are on show

    def __init__(
        self,
        service: ClientService,
        title: str,
        explanation: str,
        rows_model: RowsModel,
        parent: QWidget | None = None,
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._stale = True  # read when next shown
        self._reading: Pending | None = None
        if notices is not None:
            notices.clients_changed.connect(self._on_clients_changed)

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
        # Rows come in the service's order (most overdue, biggest spender, soonest); a
        # header click sorts by that column, and a third click returns to that order.
        table = rows_table(rows_model, self, sortable=True)
        self.table = table
        self._proxy = table.model()
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
        """Ask the service again (the day moves on; clients are edited elsewhere): read
        on the worker, shown when the answer comes (``refreshed``)."""
        if self._reading is not None:
            self._reading.cancel()  # the options changed: only the newest answer counts
        self._stale = False
        read = self._reader()
        self._reading = (
            QueryOp(parent=self, op=read, success=self._answered)
            .failure(self._failed)
            .run_in_background()
        )

    def is_reading(self) -> bool:
        return self._reading is not None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_clients_changed(self, _changes: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _answered(self, answer: Answer) -> None:
        self._reading = None
        if answer.title is not None:
            self.title_label.setText(answer.title)
        if answer.explanation is not None:
            self.explanation_label.setText(answer.explanation)
        self._show(answer.rows, answer.empty_text)
        self.refreshed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._reading = None
        self._show([], "This list could not be loaded.")
        self.refreshed.emit()
        show_error(self, exc)

    def row_count(self) -> int:
        return self._proxy.rowCount()

    def client_id_at(self, row: int) -> int | None:
        """The client of a row as the user sees it (after any sorting)."""
        value = self._proxy.index(row, 0).data(Qt.ItemDataRole.UserRole)
        return None if value is None else int(value)

    def text_at(self, row: int, column: int) -> str:
        return str(self._proxy.index(row, column).data() or "")

    # -- internals ----------------------------------------------------------------------

    def _reader(self) -> Callable[[], Answer]:
        """What to read on the worker, with the options on screen now (read here, on
        the GUI thread: the worker never touches a widget)."""
        raise NotImplementedError

    def _show(self, rows: list[Row] | PackedRows, empty_text: str) -> None:
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
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(
            service,
            "Follow-ups due",
            "Open tasks due today or earlier, the most overdue first. "
            "Double-click a row (or press Enter) to open the client.",
            # The tooltip: client, task, contact and phone, one a line.
            RowsModel(self.COLUMNS, warn_columns=2, tip_columns=(2, 3, 4, 5)),
            parent,
            notices,
        )
        self._today = today
        self.week_check = QCheckBox("Show the next 7 days too", self)
        self.week_check.toggled.connect(self.refresh)
        self.options.addWidget(self.week_check)
        self.options.addStretch(1)
        self._size_columns(
            ("00/00/0000", "Overdue by 00 days", "Green Sparrow Veterinary Clinic",
             "Call Matthew about the order", "Margaux Mercier", "+44 28 9649 6975"),
            stretch=3,
        )  # fmt: skip

    def _reader(self) -> Callable[[], Answer]:
        week, today, service = self.week_check.isChecked(), self._today(), self._service
        return lambda: _followups(service, week, today)


def _followups(service: ClientService, week: bool, today: dt.date) -> Answer:
    # Packed as they are made: tens of thousands at 100,000 clients (rows.Packed says why).
    rows = PackedRows()
    region = service.region_for_phones()
    # A few hundred due dates among tens of thousands of tasks: each formatted once,
    # and its texts shared by its rows.
    dates: dict[dt.date, tuple[str, str]] = {}
    # Every one of them: a call list with a silent cut would hide calls to make.
    for f in service.followups(within_days=7 if week else 0, limit=None):
        late = (today - f.due).days
        texts = dates.get(f.due)
        if texts is None:
            texts = dates[f.due] = (format_date(f.due), _lateness(late))
        cells = (
            Cell(texts[0], f.due),
            Cell(texts[1], -late),
            Cell(f.client_name),
            Cell(f.title),
            Cell(f.contact),
            Cell(shown_phone(f.phone, region)),
        )
        # No tooltip of its own: the model makes it from the columns (tip_columns).
        rows.append(pack(Row(cells, f.client_id, warn=late > 0)))
    empty = "Nothing due in the next 7 days. Nice work." if week else (
        "No follow-ups due. Nice work."
    )  # fmt: skip
    return Answer(rows, empty)


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
        "Missing",
    )
    SPEND = 5
    MISSING = 7

    def __init__(
        self,
        service: ClientService,
        parent: QWidget | None = None,
        *,
        today: Today = dt.date.today,
        notices: ChangeNotices | None = None,
    ) -> None:
        model = RowsModel(self.COLUMNS, right=[self.SPEND])
        super().__init__(service, "", "", model, parent, notices)
        self._today = today
        month = QLocale().standaloneMonthName(self.month())
        self.title_label.setText(f"Clients who usually buy in {month}: your call list")
        self.prospects_check = QCheckBox("Include prospects", self)
        self.prospects_check.toggled.connect(self.refresh)
        self.options.addWidget(self.prospects_check)
        self.options.addStretch(1)
        self._size_columns(
            ("Green Sparrow Veterinary Clinic", "Prospect", "Salesperson", "+44 28 9649 6975",
             "00/00/0000", "$000,000.00", "00/00/0000", "pricing, specifications"),
            stretch=0,
        )  # fmt: skip

    def month(self) -> int:
        """The month this list is for: next month."""
        return self._today().month % 12 + 1

    def _reader(self) -> Callable[[], Answer]:
        month, service = self.month(), self._service
        statuses = ["active", "prospect"] if self.prospects_check.isChecked() else ["active"]
        return lambda: _seasonal(service, month, statuses)


def _seasonal(service: ClientService, month: int, statuses: list[str]) -> Answer:
    name = QLocale().standaloneMonthName(month)
    title = f"Clients who usually buy in {name}: your call list"
    found: list[ClientRow] = []
    for status in statuses:
        query = ClientQuery(
            buys_in_month=month,
            status=status,
            sort=SortKey.SPEND_12M,
            descending=True,
            limit=_SEASONAL_LIMIT,
        )
        found += service.list(query)
    # With prospects, two answers: merge them back into spend order.
    found.sort(key=lambda r: (-(r.spend_12m or 0), r.name.casefold()))
    found = found[:_SEASONAL_LIMIT]
    who = "active clients and prospects" if len(statuses) > 1 else "active clients"
    if len(found) == _SEASONAL_LIMIT:
        lead = f"The {format_count(_SEASONAL_LIMIT)} biggest spenders among {who}"
    else:
        lead = who.capitalize()
    explanation = (
        f"{lead} whose purchase history shows orders in {name}, biggest spenders first. "
        "A call now lands before they order elsewhere; “Missing” is what to ask about."
    )
    empty = (
        f"No {who} have a buying pattern in {name} yet. Patterns appear once a client "
        "has a few purchases on record."
    )
    region = service.region_for_phones()
    return Answer([_seasonal_row(r, region) for r in found], empty, title, explanation)


def _seasonal_row(r: ClientRow, region: str) -> Row:
    phone = shown_phone(r.phone, region)
    cells = (
        Cell(r.name),
        Cell(value_words(r.status)),
        Cell(r.salesperson),
        Cell(phone),
        Cell(format_date(r.last_contact) or "Never", _date_key(r.last_contact)),
        Cell(format_money(r.spend_12m), r.spend_12m),
        Cell(format_date(r.next_order), _date_key(r.next_order)),
        _missing_cell(r),
    )
    tip = "\n".join(p for p in (r.name, r.email, phone) if p)
    return Row(cells, r.id, f"{tip}\n\n{coverage_tooltip(r.coverage)}")


def _missing_cell(r: ClientRow) -> Cell:
    """What is not on file yet (sorted by how much): what the call can fill."""
    if r.coverage.withheld:
        return Cell("Withheld", len(COVERAGE_CATEGORIES) + 1)
    missing = r.coverage.missing()
    return Cell(", ".join(c.noun for c in missing) or "Nothing", len(missing))


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
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(
            service,
            "Birthdays this week",
            f"Contacts with a birthday in the next {self.DAYS} days, today's in bold. "
            "A short call or card is remembered.",
            # Centred: a right-aligned age would run into the client's name beside it.
            RowsModel(self.COLUMNS, centre=[2]),
            parent,
            notices,
        )
        self._today = today
        self._size_columns(
            ("Wed 00/00/0000", "Gonçalo Gonçalves", "Turns", "Green Sparrow Veterinary Clinic",
             "+44 28 9649 6975"),
            stretch=3,
        )  # fmt: skip

    def _reader(self) -> Callable[[], Answer]:
        today, service, days = self._today(), self._service, self.DAYS
        return lambda: _birthdays(service, today, days)


def _birthdays(service: ClientService, today: dt.date, days: int) -> Answer:
    rows = []
    region = service.region_for_phones()
    for b in service.birthdays(within_days=days):
        weekday = QLocale().dayName(b.date.isoweekday(), QLocale.FormatType.ShortFormat)
        cells = (
            Cell(f"{weekday} {format_date(b.date)}", b.date),
            Cell(b.contact_name),
            Cell("" if b.turns is None else str(b.turns), b.turns),
            Cell(b.client_name),
            Cell(shown_phone(b.phone, region)),
        )
        tip = "Birthday today" if b.date == today else ""
        rows.append(Row(cells, b.client_id, tip, bold=b.date == today))
    return Answer(rows, f"No birthdays in the next {days} days.")
