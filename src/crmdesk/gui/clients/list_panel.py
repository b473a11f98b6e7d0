"""The client list panel: search as you type, filters, and the table of clients.

Everything it reads runs on the database worker (:mod:`crmdesk.gui.ops`): the model's
counts and pages, where a client sits in the list, and the record of a search. A search
is recorded once, when typing stops (:data:`SEARCH_RECORD_MS` after the last key, on
Enter, or when a result is opened), not once per prefix typed on the way.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.clients.list_filters import Filters
from crmdesk.gui.clients.list_header import ColumnChooser
from crmdesk.gui.clients.list_model import (
    COVERAGE,
    NAME,
    PAGE_SIZE,
    ClientListModel,
)
from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import ChangeNotices, ClientChanges, Pending, QueryOp
from crmdesk.gui.widgets.formats import format_count
from crmdesk.services.client_query import ClientQuery, ClientRow
from crmdesk.services.clients import ClientService

DEBOUNCE_MS = 150
SEARCH_RECORD_MS = 1500  # a pause this long ends a search: it is recorded then
_MAX_DAYS = 3660  # what the service accepts
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ClientListPanel(QWidget):
    """Find a client: type to search, narrow with filters, pick one from the table."""

    current_client_changed = Signal(object)  # int client id, or None when nothing is selected
    client_activated = Signal(int)  # double-click or Enter on a client
    # Ctrl+C on the table: the window copies the selection through the service. The
    # table's own copy (one cell, straight to the clipboard) is never used.
    copy_requested = Signal()

    def __init__(
        self,
        service: ClientService,
        parent: QWidget | None = None,
        *,
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._shown_id: int | None = None
        self._reloading = False
        self._applied = ClientQuery()
        self._recorded_text = ""  # the last search recorded in the audit trail
        self._finding: Pending | None = None  # where a client to show is in the list
        self._revealing: int | None = None

        # Nothing loads until the error signal is connected, so a failure is shown.
        self.model = ClientListModel(service, self, load=False)
        self.model.load_failed.connect(self._on_load_failed)
        self.model.rows_arrived.connect(self._on_rows_arrived)
        if notices is not None:
            notices.clients_changed.connect(self._on_clients_changed)

        self._record_timer = QTimer(self)
        self._record_timer.setSingleShot(True)
        self._record_timer.setInterval(SEARCH_RECORD_MS)
        self._record_timer.timeout.connect(self.record_search)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._apply_filters)

        self._build_search()
        self._build_filters()
        self._build_table()
        self._lay_out()

        self.model.modelAboutToBeReset.connect(self._before_reset)
        self.model.modelReset.connect(self._after_reset)
        self.model.loaded.connect(self._on_loaded)
        self._apply_filters()

    # -- building -------------------------------------------------------------------------

    def _build_search(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("clientSearch")
        self.search_edit.setPlaceholderText("Search clients, contacts, products, notes…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search clients")
        self.search_edit.textChanged.connect(self._schedule)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.installEventFilter(self)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("clientCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _build_filters(self) -> None:
        self.filters = Filters(self, self._schedule)
        f = self.filters
        self.status_combo, self.salesperson_edit, self.tag_edit = (
            f.status_combo,
            f.salesperson_edit,
            f.tag_edit,
        )
        self.month_combo, self.no_contact_spin, self.birthday_spin, self.missing_combo = (
            f.month_combo,
            f.no_contact_spin,
            f.birthday_spin,
            f.missing_combo,
        )
        self.followups_check, self.clear_button = f.followups_check, f.clear_button
        self.clear_button.clicked.connect(self.clear_filters)

    def _build_table(self) -> None:
        table = QTableView(self)
        self.table = table
        table.setObjectName("clientTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows can be selected (to copy them); the current one is shown.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setShowGrid(False)
        table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        table.verticalHeader().hide()

        # Uniform row heights: the view then never measures rows, which keeps scrolling
        # through many thousands of loaded clients smooth.
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)

        self.columns = ColumnChooser(table)
        header = table.horizontalHeader()
        # No column chosen yet: the default order (name, or relevance while searching).
        # Clicking a sorted header a third time returns to it.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)

        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.doubleClicked.connect(self._on_double_clicked)
        table.installEventFilter(self)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)

        filters = self.filters.layout()

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        chain = [self.search_edit, *self.filters.widgets(), self.table]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- public API -----------------------------------------------------------------------

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected, ready to retype."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def refresh(self) -> None:
        """Reload from the vault (after an edit elsewhere), keeping filters and selection."""
        if self._timer.isActive():
            self._apply_filters()  # typing not yet applied: apply it, which reloads too
        else:
            self.model.refresh()

    def select_client(self, client_id: int | None) -> bool:
        """Select and reveal a client (None clears the selection). True when it was
        selected at once; otherwise where it is in the list is asked for, and it is
        selected when the answer comes (even far beyond the rows read so far). A client
        the filters hide is shown by clearing them."""
        if client_id is None:
            self._cancel_reveal()
            self.table.clearSelection()
            return False
        row = self.model.row_of(client_id) if not self.model.is_loading() else None
        if row is not None:
            self._cancel_reveal()
            self._select_row(row)
            return True
        self._find(client_id, clear_filters_if_hidden=True)
        return False

    def preferred_width(self) -> int:
        """Wide enough to show every column without scrolling sideways."""
        header = self.table.horizontalHeader()
        columns = sum(
            header.sectionSize(i)
            for i in range(header.count())
            if i != NAME and not header.isSectionHidden(i)  # the name takes what is left
        )
        name = self.fontMetrics().horizontalAdvance("Evergreen Lantern Cater")
        scroll = self.table.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins()
        return columns + name + scroll + margins.left() + margins.right() + 4

    def reveal_pending(self) -> bool:
        """True while a client to select is being looked for."""
        return self._revealing is not None

    def current_client_id(self) -> int | None:
        """The client shown: the current row if it is selected, else the first selected."""
        selection = self.table.selectionModel()
        # Ranges, not rows: a selection may span the whole list.
        ranges = selection.selection()
        if ranges.isEmpty():
            return None
        current = self.table.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row()):
            return self.model.client_id_at(current.row())
        return self.model.client_id_at(min(r.top() for r in ranges))

    def selected_rows(self) -> list[ClientRow]:
        """The selected clients whose rows are held, in the order shown."""
        found = []
        for first, last in self.selected_ranges():
            found += [r for r in map(self.model.client_row, range(first, last + 1)) if r]
        return found

    def selected_ranges(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) pairs, in the order shown."""
        ranges = [(r.top(), r.bottom()) for r in self.table.selectionModel().selection()]
        return sorted(ranges)

    def selected_count(self) -> int:
        return sum(last - first + 1 for first, last in self.selected_ranges())

    def read_selection(self, then: object) -> Pending | None:
        """The selected clients, read on the worker where their rows are not held (a
        selection can span the whole list); ``then`` gets them, in the order shown."""
        assert callable(then)
        ranges, held = self.selected_ranges(), self.selected_rows()
        if len(held) == self.selected_count():
            then(held)
            return None
        service, query = self._service, self.model.query()

        def read() -> list[ClientRow]:
            rows: list[ClientRow] = []
            for first, last in ranges:
                for offset in range(first, last + 1, 100_000):
                    count = min(100_000, last + 1 - offset)
                    page = replace(query, limit=count, offset=offset)
                    rows += service.list(page, record_search=False)
            return rows

        return QueryOp(parent=self, op=read, success=then).run_in_background()

    def set_value_added_filters(self, visible: bool) -> None:
        """Buying months, birthdays and coverage are value-added: hidden for someone
        without them (the coverage column too: it would only ever say "withheld")."""
        self.columns.set_withheld(COVERAGE, not visible)
        self.filters.set_value_added(visible)
        if not visible and self._applied != self._build_query():
            self._apply_filters()

    def query(self) -> ClientQuery:
        """What is shown: the search text and filters, with the sort order in effect."""
        return self.model.query()

    def record_search(self) -> None:
        """Record the search on show in the audit trail, once: when typing stops, on
        Enter, when a result is opened, and before the vault is locked or closed."""
        self._record_timer.stop()
        text = self._applied.text.strip()
        if not text or text == self._recorded_text:
            return
        if self.model.is_loading() or self.model.query().text.strip() != text:
            self._record_timer.start()  # its results are not in yet: when they are
            return
        self._recorded_text = text
        found = min(self.model.total_count(), PAGE_SIZE)
        service = self._service
        QueryOp(
            parent=self, op=lambda: service.record_search(text, found), success=lambda _: None
        ).run_in_background()

    def clear_filters(self) -> None:
        """Back to every client: search text and all filters cleared."""
        self.search_edit.blockSignals(True)  # one reload, not one per widget
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.filters.reset()
        self._timer.stop()
        self._apply_filters()

    # -- filters ------------------------------------------------------------------------

    def _build_query(self) -> ClientQuery:
        return self.filters.query(self.search_edit.text())

    def _schedule(self) -> None:
        # Wait for a pause in typing: one query per burst of keys, not one per key.
        self._timer.start()

    def _apply_filters(self) -> None:
        self._timer.stop()
        previous, self._applied = self._applied, self._build_query()
        self.clear_button.setEnabled(self._applied != ClientQuery())
        if self._applied.text.strip() != previous.text.strip():
            if not self._applied.text.strip():
                self._recorded_text = ""
            self._record_timer.start()
        self.model.set_query(self._applied)

    def _search_entered(self) -> None:
        if self._timer.isActive():
            self._apply_filters()
        self.record_search()
        self._focus_table()

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.current_client_id() is None and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _update_count(self) -> None:
        total = self.model.total_count()
        noun = "client" if total == 1 else "clients"
        if self._applied == ClientQuery():
            self.count_label.setText(f"{format_count(total)} {noun}")
        else:
            verb = "matches" if total == 1 else "match"
            self.count_label.setText(f"{format_count(total)} {noun} {verb}")

    # -- selection ------------------------------------------------------------------------

    def _before_reset(self) -> None:
        self._reloading = True

    def _after_reset(self) -> None:
        # Keep the same client selected if it still matches, so the details stay put.
        self._reloading = False
        revealing = self._revealing is not None
        wanted = self._revealing if revealing else self._shown_id
        if wanted is not None:
            row = self.model.row_of(wanted)
            if row is not None:
                self._revealing = None
                self._select_row(row, scroll=revealing)
            else:
                # Not among the rows read: where is it now? Until the answer comes, the
                # client stays the one shown (nothing else is announced).
                self._find(wanted, clear_filters_if_hidden=False)
                return
        self._announce_current()

    def _on_loaded(self) -> None:
        self._update_count()

    def _on_rows_arrived(self) -> None:
        if not self._reloading and self._revealing is None:
            self._announce_current()

    def _select_row(self, row: int, *, scroll: bool = True) -> None:
        self.table.selectRow(row)
        if scroll:
            self.table.scrollTo(
                self.model.index(row, NAME), QAbstractItemView.ScrollHint.EnsureVisible
            )

    def _find(self, client_id: int, *, clear_filters_if_hidden: bool) -> None:
        """Ask where a client is in the list on show, then select it there."""
        self._cancel_reveal()
        self._revealing = client_id
        if self.model.is_loading():
            return  # asked again once the new list is on show (_after_reset)
        service, query = self._service, self.model.query()
        self._finding = (
            QueryOp(
                parent=self,
                op=lambda: service.position(query, client_id),
                success=lambda row: self._found(client_id, row, clear_filters_if_hidden),
            )
            .failure(lambda exc: self._not_found(client_id, exc))
            .run_in_background()
        )

    def _found(self, client_id: int, row: int | None, clear_filters: bool) -> None:
        if self._revealing != client_id:
            return
        self._finding = None
        if row is None:
            if clear_filters and self._applied != ClientQuery():
                self.clear_filters()  # reloads; the client is looked for again after
                self._revealing = client_id
                return
            self._revealing = None
            self.table.clearSelection()
            self._announce_current()
            return
        self._revealing = None
        self.model.note_row(row, client_id)
        self._select_row(row)
        self.table.scrollTo(
            self.model.index(row, NAME), QAbstractItemView.ScrollHint.PositionAtCenter
        )

    def _not_found(self, client_id: int, exc: BaseException) -> None:
        if self._revealing == client_id:
            self._revealing = None
            self._finding = None
            show_error(self, exc)

    def _cancel_reveal(self) -> None:
        if self._finding is not None:
            self._finding.cancel()
        self._finding = None
        self._revealing = None

    def _on_clients_changed(self, changes: object) -> None:
        assert isinstance(changes, ClientChanges)
        self.refresh()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._reloading:
            if self._revealing is not None and self.table.hasFocus():
                self._cancel_reveal()  # the person chose another client meanwhile
            if self._revealing is None:
                self._announce_current()

    def _announce_current(self) -> None:
        current = self.current_client_id()
        if current is None and self.table.selectionModel().hasSelection():
            return  # its row is on its way: announced when it arrives
        if current != self._shown_id:
            self._shown_id = current
            self.current_client_changed.emit(current)

    def _on_double_clicked(self, index: object) -> None:
        client_id = self.model.client_id_at(index.row())  # type: ignore[attr-defined]
        if client_id is not None:
            self.record_search()
            self.client_activated.emit(client_id)

    def _on_load_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        show_error(self, exc)

    # -- keys -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            event.accept()  # the key comes to the table, below, not to a window shortcut
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit and key == Qt.Key.Key_Down:
                self._focus_table()
                return True
            if watched is self.table and key in _ENTER_KEYS:
                current = self.current_client_id()
                if current is not None:
                    self.client_activated.emit(current)
                    return True
            if watched is self.table and event.matches(QKeySequence.StandardKey.Copy):
                self.copy_requested.emit()
                return True
        return super().eventFilter(watched, event)
