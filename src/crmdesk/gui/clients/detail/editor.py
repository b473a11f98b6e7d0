"""The client editor: a header with Save/Revert/Delete over one tab per part of the record.

The editor holds the client as JSON-shaped data (what ``ClientService.get_json`` returns,
minus what crmdesk sets itself). The tabs edit that data; Save sends every top-level key
back as one patch with the version that was read, so every rule stays in the domain and
a save over someone else's newer change is refused instead of overwriting it.

Reading and saving run on the database worker (:mod:`crmdesk.gui.ops`): opening a
client shows it when it has been read; Save waits for its answer (painting goes on)
because whoever asked to leave the client must know whether it was saved. A save shows
what the service returns (the client is not read again) and announces the change, so
the list and the day views refresh themselves; a change made elsewhere to the client
shown reloads it, unless it has unsaved edits.

Questions to the user go through the small module-level functions below
(``ask_save_discard_cancel``, ``confirm_delete``, ``ask_conflict``) so tests and other
front ends can answer them without a modal dialog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.json_codec import READ_ONLY_KEYS, REDACTED_KEY
from crmdesk.domain.roles import Permission, Principal, Visibility, allowed, who_may
from crmdesk.errors import EditConflict, InvalidRecord
from crmdesk.gui.errors import error_text, show_error
from crmdesk.gui.ops import ChangeNotices, ChangeOp, ClientChanges, Pending, QueryOp
from crmdesk.gui.widgets.coverage_marks import CoverageMarks
from crmdesk.gui.widgets.elided_label import ElidedLabel
from crmdesk.gui.widgets.formats import format_datetime, warm_up
from crmdesk.services.clients import ClientService

from .banners import BANNER_TEXT, WITHHELD_TEXT, lock_icon
from .contacts import ContactsTab
from .coverage_bar import CoveragePrompt, coverage_from_json, what_was_logged
from .field_marks import INVALID_STYLE, ErrorArea, PathPart, parse_error_path
from .overview import OverviewTab
from .preferences import PreferencesTab
from .pricing import PricingTab
from .purchases import PurchasesTab
from .questions import (
    CANCEL,
    DISCARD,
    KEEP,
    RELOAD,
    SAVE,
    ask_conflict,
    ask_save_discard_cancel,
    confirm_delete,
    describe_path,
)
from .specifications import SpecificationsTab
from .tab_base import DetailTab
from .tab_pages import TabPage
from .tasks import TasksTab
from .timeline import TimelineTab

# Convenience keys of the JSON contract that duplicate a list's first entry: the editor
# edits the lists only, so sending both can never disagree.
_SHORTCUT_KEYS = ("email", "phone", "address")


def _local_time(timestamp: str | None) -> str:
    if not timestamp:
        return ""
    try:
        when = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    return format_datetime(when)


# -------------------------------------------------------------------- the editor


class ClientEditor(QWidget):
    """Edit one client; all checks are the domain's, every write goes through the service."""

    saved = Signal(int)  # client id, after a successful save (new clients too)
    deleted = Signal(int)
    loaded = Signal(int)  # client id, once a client opened is on show
    dirty_changed = Signal(bool)
    title_changed = Signal(str)  # the client's name as shown ("New client" when empty)

    def __init__(
        self,
        clients: ClientService,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        user: Principal | None = None,
        notices: ChangeNotices | None = None,
    ) -> None:
        super().__init__(parent)
        self._clients = clients
        self._notices = notices
        self._loading_op: Pending | None = None
        self._phone_region = ""  # the vault's, read with each client on the worker
        if notices is not None:
            notices.clients_changed.connect(self._on_clients_changed)
        self._today = today
        self._user = user
        self._withheld = False
        self._id: int | None = None
        self._version: int | None = None
        self._updated_at: str | None = None
        self._loaded: dict[str, Any] = {}
        self._baseline: dict[str, Any] = {}
        self._dirty = False
        self._title = ""
        self._loading = False
        self._call_logged = False
        self.setStyleSheet(INVALID_STYLE)
        self.coverage_marks = CoverageMarks()  # what is on file, under the name
        self.prompt = CoveragePrompt()  # after a call or purchase: what to fill next

        # header
        self.name_label = ElidedLabel()
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusChip")
        self.info_label = QLabel()
        self.info_label.setForegroundRole(self.info_label.foregroundRole())
        self.info_label.setEnabled(False)  # dimmed, still readable
        # A long name or note never widens the editor (and narrows the list beside it):
        # the name is shortened with "…" (its tooltip has it whole), the note wraps.
        self.info_label.setWordWrap(True)
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Save changes")
        self.save_button.setDefault(True)
        self.revert_button = QPushButton("&Revert")
        self.revert_button.setToolTip("Discard your changes and show the saved client")
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip("Delete this client")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.delete_button.clicked.connect(self.delete_client)
        # Ctrl+S belongs to the window's Save action (a second shortcut here would make
        # the key ambiguous and do nothing); the button keeps its Alt+S mnemonic.

        titles = QVBoxLayout()
        titles.setSpacing(2)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_label)
        name_row.addSpacing(8)
        name_row.addWidget(self.status_label)
        name_row.addStretch(1)
        titles.addLayout(name_row)
        titles.addWidget(self.info_label)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addWidget(self.save_button)
        header.addWidget(self.revert_button)
        header.addWidget(self.delete_button)

        # errors
        self.error_area = ErrorArea()
        self.error_label = self.error_area.label

        # tabs
        self.overview = OverviewTab()
        self.contacts = ContactsTab()
        self.purchases = PurchasesTab(today)
        self.pricing = PricingTab()
        self.preferences = PreferencesTab()
        self.specifications = SpecificationsTab()
        self.timeline = TimelineTab(today, self.contacts.contact_names)
        self.tasks = TasksTab(today)
        self.tab_list: list[DetailTab] = [
            self.overview,
            self.contacts,
            self.purchases,
            self.pricing,
            self.preferences,
            self.specifications,
            self.timeline,
            self.tasks,
        ]
        # Five tabs, which fit a laptop: parts read together share one (tab_pages.py).
        self.pages: list[DetailTab | TabPage] = [
            self.overview,
            self.contacts,
            self.purchases,
            TabPage("Pricing & needs", [self.pricing, self.preferences, self.specifications]),
            TabPage("Timeline", [self.timeline, self.tasks]),  # calls and meetings, tasks
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        lock = lock_icon()
        for page in self.pages:
            text = page.TITLE.replace("&", "&&")  # a "&" shown, not a shortcut letter
            if page.confidential():
                index = self.tabs.addTab(page, lock, text)
                self.tabs.setTabToolTip(index, f"{page.TITLE}: {BANNER_TEXT}")
            else:
                self.tabs.addTab(page, text)
        for tab in self.tab_list:
            tab.changed.connect(self._on_changed)
        self.timeline.call_logged.connect(self._on_call_logged)
        self.prompt.fill_requested.connect(self._show_list)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
        content_layout.addWidget(self.coverage_marks)  # a row of its own: it may wrap
        content_layout.addWidget(self.prompt)
        content_layout.addWidget(self.error_area)
        content_layout.addWidget(self.tabs, 1)
        self.set_user(user)
        self.placeholder = QLabel("Select a client on the left, or create a new one.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.clear()

    # -- public API

    def client_id(self) -> int | None:
        """The id of the client shown, None for a new (unsaved) client or none."""
        return self._id

    def is_dirty(self) -> bool:
        return self._dirty

    def set_user(self, user: Principal | None) -> None:
        """Who is signed in: what they may do shapes the editor (the service enforces)."""
        self._user = user
        self.delete_button.setVisible(self._may(Permission.DELETE_CLIENT))
        self.overview.set_salesperson_editable(
            self._may(Permission.ASSIGN_CLIENT),
            f"Only the {who_may(Permission.ASSIGN_CLIENT)} may assign clients to salespeople.",
        )

    def is_withheld(self) -> bool:
        """True when the client shown has value-added information withheld from the user."""
        return self._withheld

    def _may(self, permission: Permission) -> bool:
        return self._user is None or allowed(self._user.role, permission)

    def _set_withheld(self, withheld: bool) -> None:
        self._withheld = withheld
        for tab in self.tab_list:
            tab.set_withheld(withheld)
        lock = lock_icon(QColor("#5b6b80")) if withheld else lock_icon()
        for page in self.pages:
            if page.confidential():
                index = self.tabs.indexOf(page)
                self.tabs.setTabIcon(index, lock)
                what = WITHHELD_TEXT if withheld else BANNER_TEXT
                self.tabs.setTabToolTip(index, f"{page.TITLE}: {what}")

    def show_tab(self, part: DetailTab) -> None:
        """Bring the editor tab showing ``part`` of the record to the front."""
        self.tabs.setCurrentWidget(self.page_of(part))

    def _show_list(self, key: str) -> None:
        """Bring the tab holding the client's list ``key`` ("preferences") to the front."""
        part = self._tab_for([(key, 0)])
        if part is not None:
            self.show_tab(part)

    def page_of(self, part: DetailTab) -> QWidget:
        """The editor tab that shows ``part``."""
        return next(p for p in self.pages if p is part or part in getattr(p, "parts", ()))

    def load(self, client_id: int) -> Pending:
        """Open a saved client: read on the worker, shown when it arrives (``loaded``);
        an error is shown as a dialog. Opening another before it arrives drops it."""
        if self._loading_op is not None:
            self._loading_op.cancel()
        clients = self._clients

        def failed(exc: BaseException) -> None:
            self._loading_op = None
            show_error(self, exc, "Open client")

        def arrived(answer: tuple[dict[str, Any], str]) -> None:
            self._loading_op = None
            data, self._phone_region = answer
            self._show_client(client_id, data)

        def read() -> tuple[dict[str, Any], str]:
            data = clients.get_json(client_id)
            # The countries of its phone numbers, loaded here rather than while showing.
            contacts = data.get("contacts") or []
            warm_up([*data.get("phones", []), *(p for c in contacts for p in c.get("phones", []))])
            # The vault's region too (the owner may change it): read here, not while showing.
            return data, clients.region_for_phones()

        self._loading_op = (
            QueryOp(parent=self, op=read, success=arrived).failure(failed).run_in_background()
        )
        return self._loading_op

    def is_loading(self) -> bool:
        return self._loading_op is not None

    def _show_client(self, client_id: int, data: dict[str, Any]) -> None:
        if client_id != self._id:
            for tab in self.tab_list:
                tab.forget_selection()
            self.prompt.dismiss()
        self.coverage_marks.set_coverage(coverage_from_json(data.get("coverage")))
        self._id = client_id
        self._version = data.get("version")
        self._updated_at = data.get("updated_at")
        self._set_withheld(bool(data.get(REDACTED_KEY)))
        self.purchases.set_patterns(data.get("patterns"))
        self._show(_editable(data))
        self.loaded.emit(client_id)

    def new_client(self) -> None:
        """Start an empty client; it is created on the first Save."""
        for tab in self.tab_list:
            tab.forget_selection()
        self._id = self._version = self._updated_at = None
        self.purchases.set_patterns(None)
        self.coverage_marks.set_coverage(None)
        self.prompt.dismiss()
        # The service assigns a salesperson's new client to them; an assistant's stays
        # unassigned until a manager assigns it.
        user = self._user
        assigned_to_self = (
            user is not None
            and not self._may(Permission.ASSIGN_CLIENT)
            and user.visibility is Visibility.ASSIGNED
        )
        salesperson = user.full_name if assigned_to_self and user is not None else ""
        self._set_withheld(not self._clients.sees_value_added(salesperson))
        self._show(_editable({"kind": "company", "status": "prospect", "salesperson": salesperson}))
        self.tabs.setCurrentWidget(self.overview)
        self.overview.name_edit().setFocus()

    def clear(self) -> None:
        """Show no client (e.g. after a delete)."""
        self._id = self._version = self._updated_at = None
        self._loaded = {}
        self._baseline = {}
        self.prompt.dismiss()
        self.stack.setCurrentWidget(self.placeholder)
        self._set_dirty(False)
        self._set_title("")

    def save(self) -> bool:
        """Save the client; True on success. Problems are shown, never raised.

        The write runs on the worker; this waits for its answer (the window keeps
        painting) and shows the client as the service returned it: one read, no view
        recorded, nothing loaded again."""
        if self.stack.currentWidget() is self.placeholder:
            return False
        if self._loading_op is not None:
            self._loading_op.cancel()  # what is saved now is newer than what was asked for
            self._loading_op = None
        data, client_id, version = self._collect(), self._id, self._version
        logged = what_was_logged(self._baseline, data, self._call_logged)
        clients, outcome = self._clients, {"saved": False}

        def write() -> tuple[int, dict[str, Any]]:
            if client_id is None:
                new_id = clients.add(data)
                # The person has just typed it: showing it back is not a view to record.
                return new_id, clients.get_json(new_id, record_view=False)
            updated = clients.update(client_id, data, expected_version=version)
            return client_id, clients.as_json(updated)

        def written(answer: tuple[int, dict[str, Any]]) -> None:
            saved_id, saved = answer
            outcome["saved"] = True
            self._show_client(saved_id, saved)
            if logged:  # a quiet suggestion under the header, never a dialog
                self.prompt.suggest(self.coverage_marks.coverage(), self._display_name(), logged)
            self.saved.emit(saved_id)

        def changes(answer: tuple[int, dict[str, Any]]) -> ClientChanges:
            saved_id = answer[0]
            if client_id is None:
                return ClientChanges.of(added=[saved_id], origin=self)
            return ClientChanges.of(updated=[saved_id], origin=self)

        ChangeOp(
            parent=self, op=write, success=written, notices=self._notices, changes=changes
        ).failure(self._save_failed).run_in_background().wait()
        return outcome["saved"]

    def _save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, InvalidRecord):
            self._show_invalid(exc)
        elif isinstance(exc, EditConflict):
            if ask_conflict(self, self._display_name()) == RELOAD and self._id is not None:
                self.load(self._id).wait()
        else:
            show_error(self, exc, "Save client")

    def revert(self) -> None:
        """Drop the edits: show the client as it was loaded."""
        if self.stack.currentWidget() is self.placeholder:
            return
        self._show(self._loaded)

    def maybe_save(self, parent: QWidget | None = None) -> bool:
        """Before leaving the client: True when it is fine to go on, False to stay."""
        if not self._dirty:
            return True
        answer = ask_save_discard_cancel(parent or self, self._display_name())
        if answer == SAVE:
            return self.save()
        if answer == DISCARD:
            self.revert()
            return True
        return False

    def delete_client(self) -> bool:
        """Ask, then delete the client shown; True when it was deleted."""
        if self.stack.currentWidget() is self.placeholder:
            return False
        if self._id is None:  # never saved: nothing to delete, just drop it
            if confirm_delete(self, self._display_name()):
                self.clear()
                return True
            return False
        if not confirm_delete(self, self._display_name()):
            return False
        client_id, version, clients = self._id, self._version, self._clients
        outcome = {"deleted": False}

        def gone(_name: str) -> None:
            outcome["deleted"] = True
            self.clear()
            self.deleted.emit(client_id)

        ChangeOp(
            parent=self,
            op=lambda: clients.delete(client_id, expected_version=version),
            success=gone,
            notices=self._notices,
            changes=ClientChanges.of(deleted=[client_id], origin=self),
        ).failure(lambda exc: show_error(self, exc, "Delete client")).run_in_background().wait()
        return outcome["deleted"]

    def _on_clients_changed(self, changes: object) -> None:
        """Someone else changed the client shown: show it as it is now (unless it has
        unsaved edits: their save then meets the usual conflict check)."""
        assert isinstance(changes, ClientChanges)
        if changes.origin is self or not changes.touches(self._id):
            return
        if self._id in changes.deleted:
            self.clear()
        elif not self._dirty and self._id is not None:
            self.load(self._id)

    # -- internals

    def _collect(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for tab in self.tab_list:
            data.update(tab.values())
        return data

    def _show(self, data: dict[str, Any]) -> None:
        # Numbers in the national format of the vault's region, as read with the last client
        # (a new client keeps it: typed numbers are read by the service in the region).
        region = self._phone_region
        self.overview.phone_text.region = self.contacts.phone_text.region = region
        self._loading = True
        try:
            self._clear_errors()
            for tab in self.tab_list:
                tab.load(data)
        finally:
            self._loading = False
        self._loaded = data
        self._baseline = self._collect()
        self.stack.setCurrentIndex(1)
        self._set_dirty(False)
        self._update_header()

    def _on_changed(self) -> None:
        if self._loading:
            return
        self._set_dirty(self._collect() != self._baseline)
        self._update_header()

    def _set_dirty(self, dirty: bool) -> None:
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _display_name(self) -> str:
        name = self.overview.name_edit().text().strip() if self.stack.currentIndex() else ""
        return name or ("New client" if self.stack.currentIndex() else "")

    def _set_title(self, title: str) -> None:
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)

    def _update_header(self) -> None:
        name = self._display_name()
        self.name_label.setText(name + ("  •" if self._dirty else ""))
        self.name_label.setToolTip(name + (" — unsaved changes" if self._dirty else ""))
        self.status_label.setText(self.overview.status.currentText())
        if self._id is None:
            info = "New client — not saved yet"
        else:
            info = f"Version {self._version}"
            saved_at = _local_time(self._updated_at)
            if saved_at:
                info += f" · last saved {saved_at}"
        if self._withheld:
            info += " · contact details only: value-added information withheld"
        if self._dirty:
            info += " · unsaved changes"
        self.info_label.setText(info)
        self.delete_button.setEnabled(True)
        self._set_title(name)

    def _on_call_logged(self, _interaction: dict[str, Any]) -> None:
        self._call_logged = True  # save() never raises: it shows what went wrong
        self.save()
        self._call_logged = False

    # -- errors

    def _clear_errors(self) -> None:
        self.error_area.clear()
        for tab in self.tab_list:
            tab.clear_errors()

    def _show_invalid(self, exc: InvalidRecord) -> None:
        self._clear_errors()
        lines: list[str] = []
        first_tab: DetailTab | None = None
        for error in exc.errors:
            path = getattr(error, "path", "")
            message = getattr(error, "message", str(error))
            parts = parse_error_path(path)
            lines.append(f"{describe_path(parts)}: {message}" if parts else message)
            tab = self._tab_for(parts)
            if tab is not None and tab.mark_error(parts, message) and first_tab is None:
                first_tab = tab
        if not lines:
            lines.append(error_text(exc))
        self.error_area.show_fields(lines)
        if first_tab is not None:
            self.show_tab(first_tab)

    def _tab_for(self, parts: list[PathPart]) -> DetailTab | None:
        if not parts:
            return None
        key = parts[0][0]
        key = {"email": "emails", "phone": "phones", "address": "addresses"}.get(key, key)
        return next((t for t in self.tab_list if key in t.KEYS), None)


def _editable(data: dict[str, Any]) -> dict[str, Any]:
    """The client as the editor holds it: no read-only keys, no primary-entry shortcuts."""
    skip = set(READ_ONLY_KEYS) | set(_SHORTCUT_KEYS) | {REDACTED_KEY}
    return {k: v for k, v in data.items() if k not in skip}


__all__ = [
    "CANCEL",
    "DISCARD",
    "KEEP",
    "RELOAD",
    "SAVE",
    "ClientEditor",
    "ask_conflict",
    "ask_save_discard_cancel",
    "confirm_delete",
    "describe_path",
]
