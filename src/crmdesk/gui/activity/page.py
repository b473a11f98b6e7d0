"""The owner's Activity page: the audit trail filtered by person, action and dates.

At the top, the alerts the owner's thresholds raise for the period (double-click one to
see the entries behind it); below, the entries themselves (newest first, sortable, a
short summary per row and every detail in the side panel) and a per-person count of
views, edits, searches, prints, exports, copies and sign-ins.

The audit trail can be long: every query runs on a worker thread through the
operations layer (:mod:`crmdesk.gui.ops`), with progress and Cancel when it is slow.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QKeySequence,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.alerts import (
    ActivityEvent,
    Alert,
)
from crmdesk.errors import CrmdeskError, NotAllowed
from crmdesk.gui.activity import words
from crmdesk.gui.activity.alert_icons import alert_icons
from crmdesk.gui.activity.models import AlertsModel, Cell, Row, RowsModel, SortProxy
from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import Job, Operation, run_with_progress
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.people import UserService
from crmdesk.services.session import Session

LIMIT = 5000  # entries shown at most; the newest
EVIDENCE_LIMIT = 100_000  # entries read to find an alert's evidence
DEFAULT_DAYS = 30
ENTRY_COLUMNS = ("Time", "Person", "Action", "About", "Details")
EMPTY_TEXT = "No activity in this period."


class Cancelled(Exception):
    """The person pressed Cancel while the activity was being read."""


@dataclass(frozen=True, slots=True)
class Query:
    """What the page shows: a person (or everyone), a family of actions, a period, and
    optionally only the entries behind one alert."""

    login: str | None
    family_key: str
    since: dt.datetime  # aware, inclusive
    until: dt.datetime  # aware, exclusive
    seqs: frozenset[int] | None = None
    alert_message: str = ""

    def period(self, login: str | None = None) -> ActivityFilter:
        return ActivityFilter(login=login or self.login, since=self.since, until=self.until)


@dataclass(slots=True)
class Snapshot:
    """What one query found, ready to show (built on the worker thread)."""

    query: Query
    entries: list[Row] = field(default_factory=list)
    truncated: bool = False
    per_person: list[Row] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def day_start(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    """The first moment of a local day, as an aware UTC time."""
    naive = dt.datetime.combine(day, dt.time())
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(dt.UTC)


def person(login: str, names: dict[str, str]) -> str:
    name = names.get(login)
    return f"{name} ({login})" if name and name != login else login


def load(session: Session, query: Query, tz: dt.tzinfo | None, job: Job) -> Snapshot:
    """Read the audit trail for ``query`` (on a worker thread): entries, counts, alerts."""
    service = ActivityService(session, tz=tz)
    snap = Snapshot(query)
    snap.actors = service.actors()
    try:
        snap.names = {u.login: u.full_name for u in UserService(session).list()}
    except NotAllowed:
        snap.names = {}
    job.progress(1)
    if job.cancelled():
        raise Cancelled
    events: list[ActivityEvent] = []
    if query.seqs is not None:
        # Alerts look an hour before the period (a burst that began before it counts).
        widened = ActivityFilter(
            login=query.login,
            since=query.since - dt.timedelta(hours=1),
            until=query.until,
            limit=EVIDENCE_LIMIT,
        )
        events = [e for e in service.log(widened) if e.seq in query.seqs]
    else:
        chosen = words.family(query.family_key)
        known = service.actions() if chosen.exclude else []
        for action in chosen.service_actions(known):
            found = service.log(
                ActivityFilter(query.login, action, query.since, query.until, LIMIT)
            )
            snap.truncated |= len(found) >= LIMIT
            events += found
        events.sort(key=lambda e: e.seq, reverse=True)
        snap.truncated |= len(events) > LIMIT
        events = events[:LIMIT]
    snap.entries = [_entry_row(e, snap.names, tz) for e in events]
    job.progress(2)
    if job.cancelled():
        raise Cancelled
    counts = service.counts(query.period())
    snap.per_person = [_person_row(actor, actions, snap.names) for actor, actions in counts.items()]
    snap.alerts = service.alerts(query.period())
    job.progress(3)
    return snap


def _entry_row(event: ActivityEvent, names: dict[str, str], tz: dt.tzinfo | None) -> Row:
    who = names.get(event.actor) or event.actor
    cells = (
        Cell(words.local_text(event.ts, tz), (event.ts, event.seq)),
        Cell(who),
        Cell(words.action_words(event)),
        Cell(words.object_words(event, names)),
        Cell(words.detail_summary(event)),
    )
    return Row(cells, event.seq, words.describe(event, person(event.actor, names), tz, names))


def _person_row(actor: str, actions: dict[str, int], names: dict[str, str]) -> Row:
    numbers = words.per_person_row(actions)
    cells = (Cell(person(actor, names)),) + tuple(Cell(f"{n:,}" if n else "–", n) for n in numbers)
    return Row(cells, actor)


class ActivityPage(QWidget):
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

        title = QLabel("Activity", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        explanation = QLabel(
            "Every view of value-added information, edit, search, print, export, copy and "
            "sign-in, as recorded in the vault's audit trail. Only you, the owner, see this.",
            self,
        )
        explanation.setWordWrap(True)
        explanation.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addLayout(self._build_filters())
        layout.addWidget(self._build_alerts())
        layout.addWidget(self._build_focus_bar())
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_entries(), "Entries")
        self.tabs.addTab(self._build_per_person(), "Per person")
        layout.addWidget(self.tabs, 1)

        app = QCoreApplication.instance()
        if app is not None:  # a read still running when the app quits is waited for
            app.aboutToQuit.connect(self.wait_idle)

        for keys in (QKeySequence("Ctrl+R"), QKeySequence(Qt.Key.Key_F5)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.refresh)

    # -- building -----------------------------------------------------------------------

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.person_combo = QComboBox(self)
        self.person_combo.addItem("Everyone", None)
        self.person_combo.setMinimumContentsLength(18)
        self.person_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.family_combo = QComboBox(self)
        for fam in words.FAMILIES:
            self.family_combo.addItem(fam.label, fam.key)
        today = self._today()
        self.from_edit = self._date_edit(today - dt.timedelta(days=DEFAULT_DAYS - 1))
        self.to_edit = self._date_edit(today)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.setToolTip("Read the audit trail again (Ctrl+R or F5)")
        self.refresh_button.setAutoDefault(False)
        self.thresholds_button = QPushButton("&Thresholds…", self)
        self.thresholds_button.setToolTip("When an alert is raised")
        self.thresholds_button.setAutoDefault(False)

        for text, widget in (
            ("&Person:", self.person_combo),
            ("&Actions:", self.family_combo),
            ("&From:", self.from_edit),
            ("T&o:", self.to_edit),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.thresholds_button)

        self.person_combo.currentIndexChanged.connect(self._filters_changed)
        self.family_combo.currentIndexChanged.connect(self._filters_changed)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._to_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.thresholds_button.clicked.connect(self.edit_thresholds)
        return row

    def _date_edit(self, day: dt.date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setMaximumDate(QDate(2999, 12, 31))
        return edit

    def _build_alerts(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.alerts_title = QLabel(box)
        bold = QFont(self.alerts_title.font())
        bold.setBold(True)
        self.alerts_title.setFont(bold)
        self.alerts_model = AlertsModel(alert_icons(self), self)
        self.alerts_view = QListView(box)
        self.alerts_view.setModel(self.alerts_model)
        self.alerts_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.alerts_view.setWordWrap(True)
        self.alerts_view.setUniformItemSizes(False)
        self.alerts_view.setAlternatingRowColors(True)
        self.alerts_view.setIconSize(QSize(20, 20))
        self.alerts_view.setSpacing(1)
        self.alerts_view.doubleClicked.connect(lambda index: self.show_alert(index.row()))
        self.alerts_view.activated.connect(lambda index: self.show_alert(index.row()))
        layout.addWidget(self.alerts_title)
        layout.addWidget(self.alerts_view)
        self.alerts_title.setText("Alerts")
        return box

    def _build_focus_bar(self) -> QFrame:
        self.focus_bar = QFrame(self)
        self.focus_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.focus_bar.setAutoFillBackground(True)
        self.focus_bar.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        row = QHBoxLayout(self.focus_bar)
        row.setContentsMargins(10, 6, 6, 6)
        self.focus_label = QLabel(self.focus_bar)
        self.focus_label.setWordWrap(True)
        self.show_all_button = QPushButton("Back to all entries", self.focus_bar)
        self.show_all_button.setAutoDefault(False)
        self.show_all_button.clicked.connect(self.clear_alert_focus)
        row.addWidget(self.focus_label, 1)
        row.addWidget(self.show_all_button)
        self.focus_bar.hide()
        return self.focus_bar

    def _table(self, model: RowsModel, parent: QWidget) -> QTableView:
        proxy = SortProxy(parent)
        proxy.setSourceModel(model)
        table = QTableView(parent)
        table.setModel(proxy)
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
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        return table

    def _build_entries(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        self.count_label = QLabel(tab)
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.entries_model = RowsModel(ENTRY_COLUMNS, tab)
        self.entries_table = self._table(self.entries_model, tab)
        self._size_columns(
            self.entries_table,
            self.entries_model,
            ("2026-11-29 14:05:12", "Margaux Mercier", "Viewed value-added information",
             "Report 7K2F-9Q4M"),
        )  # fmt: skip
        self.entries_table.selectionModel().currentRowChanged.connect(self._show_details)
        self.details = QTextEdit(tab)
        self.details.setReadOnly(True)
        self.details.setAcceptRichText(False)
        self.details.setPlaceholderText("Choose an entry to see all of its details.")
        self.details.setMinimumWidth(260)
        self.empty_label = QLabel(EMPTY_TEXT, tab)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setMargin(24)
        self.empty_label.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self.splitter.addWidget(self.entries_table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty_label, 1)
        return tab

    def _build_per_person(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        note = QLabel(
            "How many times each person did each kind of thing in the period "
            "(the person and dates chosen above; every kind of action).",
            tab,
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        headers = ["Person"] + [h for h, _, _ in words.PER_PERSON_COLUMNS] + ["All entries"]
        tips = ["Login in brackets"] + [t for _, t, _ in words.PER_PERSON_COLUMNS]
        tips.append("Every audit entry of the person in the period")
        self.people_model = RowsModel(headers, tab, right=range(1, len(headers)), header_tips=tips)
        self.people_table = self._table(self.people_model, tab)
        header = self.people_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.people_empty = QLabel(EMPTY_TEXT, tab)
        self.people_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people_empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.people_empty.hide()
        layout.addWidget(note)
        layout.addWidget(self.people_table, 1)
        layout.addWidget(self.people_empty, 1)
        return tab

    def _size_columns(self, table: QTableView, model: RowsModel, samples: tuple[str, ...]) -> None:
        metrics = table.fontMetrics()
        header = table.horizontalHeader()
        for column, sample in enumerate(samples):
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            wide = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
            header.resizeSection(column, wide + 30)
        header.setStretchLastSection(True)

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
        return Query(
            login=self.person_combo.currentData(),
            family_key=self.family_combo.currentData() or words.EVERYTHING.key,
            since=day_start(first, self._tz),
            until=day_start(last + dt.timedelta(days=1), self._tz),
            seqs=seqs,
            alert_message=message,
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
            self._show_empty(exc.message)
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

        self.entries_model.set_rows(snap.entries)
        self.details.clear()
        count = len(snap.entries)
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
        if snap.truncated:
            self.count_label.setText(
                f"Showing the newest {count:,} entries of this period. Choose a shorter "
                "period, a person or a kind of action to see the others."
            )
        else:
            self.count_label.setText(f"{count:,} entr{'y' if count == 1 else 'ies'}")
        self.empty_label.setText(empty)
        if query.seqs is not None and snap.entries:
            self.entries_table.selectRow(0)
        self.empty_label.setVisible(not snap.entries)
        self.splitter.setVisible(bool(snap.entries))

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
        self.entries_model.set_rows([])
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
        from crmdesk.gui.activity.thresholds import ThresholdsDialog

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
