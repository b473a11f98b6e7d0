"""The owner's Activity page: the audit trail filtered by person, action and dates.

At the top, the alerts the owner's thresholds raise for the period (double-click one to
see the entries behind it); below, the entries themselves (newest first, sortable, a
short summary per row and every detail in the side panel) and a per-person count of
views, edits, searches, prints, exports, copies and sign-ins.

The audit trail can be long: every query runs on a worker thread through the
operations layer (:mod:`crmdesk.gui.ops`), with progress and Cancel when it is slow
(what it reads: :mod:`crmdesk.gui.activity.reading`; the widgets:
:mod:`crmdesk.gui.activity.layout`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QWidget

from crmdesk.errors import CrmdeskError, NotAllowed
from crmdesk.gui.activity import words
from crmdesk.gui.activity.layout import EMPTY_TEXT, ActivityLayout
from crmdesk.gui.activity.reading import Cancelled, Query, Snapshot, day_start, load, person
from crmdesk.gui.activity.thresholds import ThresholdsDialog
from crmdesk.gui.errors import error_text, show_error
from crmdesk.gui.ops import Operation, run_with_progress
from crmdesk.services.session import Session


class ActivityPage(ActivityLayout):
    """Who used the client information, how, and when: the owner's page."""

    refreshed = Signal()  # after a query's results are on screen

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        tz: dt.tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._today = today
        self._tz = tz
        self.op: Operation | None = None
        self._running: Query | None = None
        self._pending = False
        self._loaded = False
        self._names: dict[str, str] = {}
        self._focus: tuple[frozenset[int], str] | None = None  # an alert's entries
        self._before_focus: tuple[str | None, str | None] = (None, None)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)

        self._build(today())
        self._connect()

        app = QCoreApplication.instance()
        if app is not None:  # a read still running when the app quits is waited for
            app.aboutToQuit.connect(self.wait_idle)

        for keys in (QKeySequence("Ctrl+R"), QKeySequence(Qt.Key.Key_F5)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.refresh)

    def _connect(self) -> None:
        self.person_combo.currentIndexChanged.connect(self._filters_changed)
        self.family_combo.currentIndexChanged.connect(self._filters_changed)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._to_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.thresholds_button.clicked.connect(self.edit_thresholds)
        self.alerts_view.doubleClicked.connect(lambda index: self.show_alert(index.row()))
        self.alerts_view.activated.connect(lambda index: self.show_alert(index.row()))
        self.show_all_button.clicked.connect(self.clear_alert_focus)
        self.entries_table.selectionModel().currentRowChanged.connect(self._show_details)
        self.entries_model.load_failed.connect(lambda exc: show_error(self, exc))

    # -- the filters --------------------------------------------------------------------

    def _filters_changed(self) -> None:
        self._focus = None
        self._debounce.start()

    def _from_changed(self, date: QDate) -> None:
        if date > self.to_edit.date():
            self.to_edit.setDate(date)  # a period never runs backwards
        self._filters_changed()

    def _to_changed(self, date: QDate) -> None:
        if date < self.from_edit.date():
            self.from_edit.setDate(date)
        self._filters_changed()

    def set_period(self, first: dt.date, last: dt.date) -> None:
        """Show the local days ``first`` to ``last`` (both included)."""
        self.from_edit.blockSignals(True)
        self.to_edit.blockSignals(True)
        self.from_edit.setDate(QDate(first.year, first.month, first.day))
        self.to_edit.setDate(QDate(last.year, last.month, last.day))
        self.from_edit.blockSignals(False)
        self.to_edit.blockSignals(False)
        self._filters_changed()

    def set_person(self, login: str | None) -> None:
        index = self._person_index(login)
        if index < 0 and login is not None:
            self.person_combo.addItem(login, login)
            index = self.person_combo.count() - 1
        self.person_combo.setCurrentIndex(max(index, 0))

    def set_family(self, key: str) -> None:
        self.family_combo.setCurrentIndex(max(0, self.family_combo.findData(key)))

    def _person_index(self, login: str | None) -> int:
        for i in range(self.person_combo.count()):
            if self.person_combo.itemData(i) == login:
                return i
        return -1

    def query(self) -> Query:
        """The query the filters on screen describe."""
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        seqs, message = self._focus if self._focus else (None, "")
        sort, descending = self.entries_model.sort_order()
        return Query(
            login=self.person_combo.currentData(),
            family_key=self.family_combo.currentData() or words.EVERYTHING.key,
            since=day_start(first, self._tz),
            until=day_start(last + dt.timedelta(days=1), self._tz),
            seqs=seqs,
            alert_message=message,
            sort=sort,
            descending=descending,
        )

    # -- reading --------------------------------------------------------------------------

    def is_busy(self) -> bool:
        """True while the audit trail is being read (the vault must stay open)."""
        return self.op is not None

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until the current read is over (at shutdown; in tests)."""
        op = self.op
        return True if op is None else op.wait(msecs)

    def refresh(self) -> None:
        """Read the audit trail again for the filters on screen (Ctrl+R, F5)."""
        self._debounce.stop()
        if not self.session.is_open:
            return
        query = self.query()
        if self.op is not None:
            if query != self._running:
                self._pending = True
            return
        self._running = query
        session, tz = self.session, self._tz
        self.op = run_with_progress(
            self,
            "Reading the activity",
            3,
            lambda job: load(session, query, tz, job),
            self._on_loaded,
            self._on_failed,
            # The page says it is reading; a dialog only when it takes a while.
            show_after_ms=2000,
        )

    def _done(self) -> None:
        op, self.op, self._running = self.op, None, None
        if op is not None:
            op.dialog.deleteLater()
            op.deleteLater()

    def _again_if_asked(self) -> bool:
        if self._pending:
            self._pending = False
            self.refresh()
            return True
        return False

    def _on_loaded(self, snap: Snapshot) -> None:
        self._done()
        self._loaded = True
        self._show(snap)
        if not self._again_if_asked():
            self.refreshed.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._done()
        if self._again_if_asked():
            return
        if isinstance(exc, Cancelled):
            self.refreshed.emit()
            return
        if isinstance(exc, NotAllowed):
            self._show_empty(error_text(exc))
        else:
            self._show_empty("The activity could not be read.")
            show_error(self, exc)
        self.refreshed.emit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded and self.op is None:
            QTimer.singleShot(0, self.refresh)

    # -- showing --------------------------------------------------------------------------

    def _show(self, snap: Snapshot) -> None:
        self._names = snap.names
        self._update_people_combo(snap.actors, snap.names)
        query = snap.query

        self.entries_model.show_snapshot(self.session, snap, self._tz)
        self.details.clear()
        count = snap.total
        if query.seqs is not None:
            self.focus_label.setText(
                f"Showing the {count:,} entr{'y' if count == 1 else 'ies'} behind this alert: "
                f"{query.alert_message}"
            )
            self.focus_bar.show()
            empty = "The entries behind this alert are outside the period chosen."
        else:
            self.focus_bar.hide()
            empty = EMPTY_TEXT
        self.count_label.setText(f"{count:,} entr{'y' if count == 1 else 'ies'}")
        self.empty_label.setText(empty)
        if query.seqs is not None and snap.entries:
            self.entries_table.selectRow(0)
        self.empty_label.setVisible(not count)
        self.splitter.setVisible(bool(count))

        self.people_model.set_rows(snap.per_person)
        self.people_table.setVisible(bool(snap.per_person))
        self.people_empty.setVisible(not snap.per_person)

        tips = {kind: text for kind, text in words.ALERT_KIND_WORDS.items()}
        self.alerts_model.set_alerts(list(reversed(snap.alerts)), tips)  # newest first
        n = len(snap.alerts)
        if n:
            self.alerts_title.setText(
                f"Alerts in this period ({n:,}) — double-click one to see its entries"
            )
        else:
            self.alerts_title.setText("Alerts in this period: none")
        self.alerts_view.setVisible(bool(n))
        self._fit_alerts(n)

    def _fit_alerts(self, n: int) -> None:
        """Tall enough for up to four alerts; more scroll."""
        shown = min(max(n, 1), 4)
        view = self.alerts_view
        rows = sum(
            max(view.sizeHintForRow(r), 0) for r in range(shown) if r < self.alerts_model.rowCount()
        )
        rows = max(rows, (self.fontMetrics().height() + 6) * shown)
        spacing = 2 * view.spacing() * shown
        view.setFixedHeight(rows + spacing + 2 * view.frameWidth())

    def _show_empty(self, text: str) -> None:
        self.entries_model.clear()
        self.people_model.set_rows([])
        self.alerts_model.set_alerts([], {})
        self.alerts_view.hide()
        self.alerts_title.setText("Alerts")
        self.count_label.setText("")
        self.empty_label.setText(text)
        self.empty_label.show()
        self.splitter.hide()

    def _update_people_combo(self, actors: list[str], names: dict[str, str]) -> None:
        current = self.person_combo.currentData()
        logins = sorted(set(actors) | set(names), key=lambda a: person(a, names).casefold())
        self.person_combo.blockSignals(True)
        self.person_combo.clear()
        self.person_combo.addItem("Everyone", None)
        for login in logins:
            self.person_combo.addItem(person(login, names), login)
        index = self._person_index(current)
        if index < 0 and current is not None:
            self.person_combo.addItem(current, current)
            index = self.person_combo.count() - 1
        self.person_combo.setCurrentIndex(max(index, 0))
        self.person_combo.blockSignals(False)

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        valid = current.isValid()
        text = current.siblingAtColumn(0).data(Qt.ItemDataRole.ToolTipRole) if valid else None
        if not text:
            self.details.clear()
            return
        title, _, rest = str(text).partition("\n")
        self.details.setHtml(
            f"<p><b>{html.escape(title)}</b></p>"
            f"<p style='white-space: pre-wrap'>{html.escape(rest.strip())}</p>"
        )

    def details_text(self) -> str:
        return self.details.toPlainText()

    # -- alerts ---------------------------------------------------------------------------

    def show_alert(self, row: int) -> None:
        """Show only the entries behind an alert (its person, in the period)."""
        alert = self.alerts_model.alert(row)
        if alert is None:
            return
        if self._focus is None:
            self._before_focus = (self.person_combo.currentData(), self.family_combo.currentData())
        self.person_combo.blockSignals(True)
        self.family_combo.blockSignals(True)
        self.set_person(alert.actor)
        self.family_combo.setCurrentIndex(0)
        self.person_combo.blockSignals(False)
        self.family_combo.blockSignals(False)
        self._focus = (frozenset(alert.seqs), alert.message)
        self.tabs.setCurrentIndex(0)
        self.refresh()

    def clear_alert_focus(self) -> None:
        """Back to the entries (and the person and actions) shown before the alert."""
        self._focus = None
        login, family_key = self._before_focus
        self.person_combo.blockSignals(True)
        self.family_combo.blockSignals(True)
        self.set_person(login)
        self.set_family(family_key or words.EVERYTHING.key)
        self.person_combo.blockSignals(False)
        self.family_combo.blockSignals(False)
        self.refresh()

    # -- thresholds -----------------------------------------------------------------------

    def edit_thresholds(self) -> None:
        try:
            dialog = ThresholdsDialog(self.session, self)
        except CrmdeskError as exc:
            show_error(self, exc)
            return
        if dialog.exec():
            self.refresh()

    # -- for tests and the main window ----------------------------------------------------

    def entry_count(self) -> int:
        return self.entries_table.model().rowCount()

    def entry_text(self, row: int, column: int) -> str:
        return str(self.entries_table.model().index(row, column).data() or "")

    def entry_rows(self) -> list[list[str]]:
        model = self.entries_table.model()
        return [
            [self.entry_text(r, c) for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]

    def per_person_rows(self) -> list[list[str]]:
        model = self.people_table.model()
        return [
            [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]

    def alert_messages(self) -> list[str]:
        return [
            str(self.alerts_model.index(r, 0).data()) for r in range(self.alerts_model.rowCount())
        ]
