"""The owner's Coverage page: how much of the client list is value-added information.

The share of clients holding each kind of value-added information and since when, by
salesperson and month by month, and the clients with the most business and the least
on file (double-click one to open it). The figures are read on the database worker
(:mod:`crmdesk.gui.ops`; a whole book of 100,000 clients takes a few seconds) when the
page is first shown, and again when it is shown after clients changed (the window's
change notice); "Print coverage report…" prints the same figures as a registered,
watermarked report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.coverage import BookCoverage, GroupCoverage, month_end
from crmdesk.gui.clients.list_model import format_count, format_date, format_money
from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import ChangeNotices, Pending, QueryOp
from crmdesk.gui.widgets.rows import Cell, Row, RowsModel, rows_table
from crmdesk.gui.widgets.style import STYLE, note_label, title_label
from crmdesk.services.coverage import CoverageService
from crmdesk.services.session import Session

KINDS = [c.mark for c in COVERAGE_CATEGORIES]
_TIPS = [c.label for c in COVERAGE_CATEGORIES]


def _percent(value: object) -> str:
    return f"{value}%".replace(".", QLocale().decimalPoint())


def _day(day: dt.date | None) -> str:
    return format_date(day) if day else "—"


class CoveragePage(QWidget):
    """Coverage of the book the signed-in person sees in full (the owner: all of it)."""

    client_activated = Signal(int)
    print_requested = Signal()
    refreshed = Signal()  # the figures are on screen

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self.service = CoverageService(session, today=today)
        self.book: BookCoverage | None = None
        self.op: Pending | None = None
        # Change notices heard, and how many had been heard when the figures on show
        # were asked for: they are stale when the two differ (read when next shown).
        self._changes = 0
        self._shown_changes = -1
        if notices is not None:
            notices.clients_changed.connect(self._on_clients_changed)

        self.summary_label = note_label("")
        self.summary_label.setObjectName("coverageSummary")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("&Print coverage report…")
        self.print_button.setToolTip(
            "The same figures as a registered, watermarked report (for your lawyer)"
        )
        self.print_button.clicked.connect(self.print_requested)

        self.kinds = RowsModel(["Kind of information", "Clients", "Share", "On file since"],
                               right=[1, 2])  # fmt: skip
        self.people = RowsModel(["Salesperson", "Clients", *KINDS], right=range(1, 9),
                                header_tips=["", "", *_TIPS])  # fmt: skip
        self.months = RowsModel(["At", "Clients", *KINDS], right=range(1, 9),
                                header_tips=["", "", *_TIPS])  # fmt: skip
        self.gaps = RowsModel(["Client", "Salesperson", "12-month spend", "On file", "Missing"],
                              right=[2])  # fmt: skip
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableView] = {}
        for name, title, model in (
            ("kinds", "By kind", self.kinds),
            ("people", "By salesperson", self.people),
            ("months", "Month by month", self.months),
            ("gaps", "Most business, least on file", self.gaps),
        ):
            table = rows_table(model, self, sortable=name != "months", stretch_last=True)
            self.tables[name] = table
            self.tabs.addTab(table, title)
        self.tables["gaps"].doubleClicked.connect(self._open_gap)

        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Coverage of the client list"))
        layout.addWidget(
            note_label(
                "How much of the client list is value-added information — what makes it a "
                "trade secret rather than a directory — by kind, salesperson and month, and "
                "since when. Dates come from the records themselves (orders, pricing, "
                "interactions) and from the audit trail (when crmdesk first had them)."
            )
        )
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    # -- loading --------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._is_stale() and not self.is_busy():
            self.refresh()

    def is_busy(self) -> bool:
        """True while the figures are being read (the vault must stay open). A read
        dropped while the vault was locked is over too: it is asked again when shown."""
        return self.op is not None and not self.op.is_done()

    def _is_stale(self) -> bool:
        return self._shown_changes != self._changes

    def wait_idle(self) -> None:
        """Until the figures being read are on show (at shutdown; in tests)."""
        if self.op is not None:
            self.op.wait()

    def refresh(self) -> None:
        """Read the figures again, on the database worker; shown when they come."""
        if self.is_busy():
            return
        asked = self._changes
        if self.book is None:
            self.summary_label.setText("Reading the coverage of the client list…")

        def arrived(book: BookCoverage) -> None:
            self._shown_changes = asked
            self.show_book(book)
            if self._is_stale() and self.isVisible():
                self.refresh()  # clients changed while these figures were read

        def failed(exc: BaseException) -> None:
            self.op = None
            self._shown_changes = asked  # not asked again and again; Refresh will
            self.refreshed.emit()
            show_error(self, exc, "Coverage")

        self.op = (
            QueryOp(parent=self, op=self.service.book, success=arrived)
            .failure(failed)
            .run_in_background()
        )

    def _on_clients_changed(self, _changes: object) -> None:
        self._changes += 1
        if self.isVisible() and not self.is_busy():
            self.refresh()

    def show_book(self, book: BookCoverage) -> None:
        self.op = None
        self.book = book
        b = book.book
        self.summary_label.setText(
            f"{format_count(b.clients)} clients ({book.scope}, as of {format_date(book.as_of)}): "
            f"{format_count(b.any_value_added.count)} ({_percent(b.any_value_added.percent)}) "
            f"hold value-added information, on average {b.average_held} of {len(KINDS)} kinds."
        )
        self.kinds.set_rows(
            [
                Row(
                    (
                        Cell(c.label),
                        Cell(format_count(b.shares[c.key].count), b.shares[c.key].count),
                        Cell(_percent(b.shares[c.key].percent), b.shares[c.key].percent),
                        Cell(_day(book.since[c.key]), book.since[c.key] or dt.date.max),
                    ),
                    c.key,
                )  # fmt: skip
                for c in COVERAGE_CATEGORIES
            ]
            + [self._any_row(book)]
        )
        self.people.set_rows([self._group_row(g) for g in book.by_salesperson])
        self.months.set_rows(
            [
                Row(
                    (
                        Cell(format_date(min(month_end(m.month), book.as_of))),
                        Cell(format_count(m.clients), m.clients),
                        *(
                            Cell(_percent(m.share(c.key).percent), m.share(c.key).percent)
                            for c in COVERAGE_CATEGORIES
                        ),
                    ),
                    m.month,
                )  # fmt: skip
                for m in reversed(book.months)
            ]
        )
        self.gaps.set_rows(
            [
                Row(
                    (
                        Cell(f.name),
                        Cell(f.salesperson),
                        Cell(format_money(f.spend_12m), f.spend_12m),
                        Cell(f"{len(f.coverage.held)} of {len(KINDS)}", len(f.coverage.held)),
                        Cell(", ".join(c.noun for c in f.coverage.missing())),
                    ),
                    f.client_id,
                    f"{f.name}: {f.coverage.summary()}",
                )  # fmt: skip
                for f in book.gaps
            ]
        )
        for table in self.tables.values():
            table.resizeColumnsToContents()
            for column in range(table.model().columnCount()):  # room for the sort arrow
                table.setColumnWidth(column, table.columnWidth(column) + 18)
        self.refreshed.emit()

    @staticmethod
    def _any_row(book: BookCoverage) -> Row:
        share = book.book.any_value_added
        first = min((d for d in book.since.values() if d), default=None)
        return Row(
            (Cell("Any of these"), Cell(format_count(share.count), share.count),
             Cell(_percent(share.percent), share.percent), Cell(_day(first), first or dt.date.max)),
            "any",
        )  # fmt: skip

    def _group_row(self, g: GroupCoverage) -> Row:
        cells = [Cell(g.name or "(unassigned)"), Cell(format_count(g.clients), g.clients)]
        cells += [
            Cell(_percent(g.shares[c.key].percent), g.shares[c.key].percent)
            for c in COVERAGE_CATEGORIES
        ]
        return Row(tuple(cells), g.name)

    def _open_gap(self, index: object) -> None:
        client_id = index.data(Qt.ItemDataRole.UserRole)  # type: ignore[attr-defined]
        if client_id is not None:
            self.client_activated.emit(int(client_id))
