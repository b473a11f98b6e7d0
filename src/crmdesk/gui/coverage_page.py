"""The owner's Coverage page: how much of the client list is value-added information.

The share of clients holding each kind of value-added information and since when, by
salesperson and month by month, and the clients with the most business and the least
on file (double-click one to open it). The figures are read on a worker thread (a whole
book of 100,000 clients takes a few seconds); "Print coverage report…" prints the same
figures as a registered, watermarked report.
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
from crmdesk.gui.ops import Job, Operation, run_with_progress
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
    ) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self.service = CoverageService(session, today=today)
        self.book: BookCoverage | None = None
        self.op: Operation | None = None

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
        if self.book is None and self.op is None:
            self.refresh()

    def is_busy(self) -> bool:
        return self.op is not None and self.op.is_running()

    def wait_idle(self) -> None:
        if self.op is not None:
            self.op.wait()

    def refresh(self) -> None:
        if self.is_busy():
            return
        service = self.service

        def work(_job: Job) -> BookCoverage:
            return service.book()

        def failed(exc: BaseException) -> None:
            self.op = None
            show_error(self, exc, "Coverage")

        self.op = run_with_progress(
            self, "Reading the coverage of the client list", 1, work, self.show_book, failed
        )

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
