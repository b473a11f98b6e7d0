"""The client editor: a header with Save/Revert/Delete over one tab per part of the record.

The editor holds the client as JSON-shaped data (what ``ClientService.get_json`` returns,
minus what crmdesk sets itself). The tabs edit that data; Save sends every top-level key
back as one patch with the version that was read, so every rule stays in the domain and
a save over someone else's newer change is refused instead of overwriting it.

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
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
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
from crmdesk.gui.widgets.coverage_marks import CoverageMarks
from crmdesk.services.clients import ClientService

from .banners import BANNER_TEXT, WITHHELD_TEXT, lock_icon
from .contacts import ContactsTab
from .coverage_bar import CoveragePrompt, coverage_from_json, what_was_logged
from .field_marks import INVALID_STYLE, PathPart, parse_error_path
from .overview import OverviewTab
from .preferences import PreferencesTab
from .pricing import PricingTab
from .purchases import PurchasesTab
from .specifications import SpecificationsTab
from .tab_base import DetailTab
from .tasks import TasksTab
from .timeline import TimelineTab

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
RELOAD, KEEP = "reload", "keep"
# Convenience keys of the JSON contract that duplicate a list's first entry: the editor
# edits the lists only, so sending both can never disagree.
_SHORTCUT_KEYS = ("email", "phone", "address")

# -------------------------------------------------------------------- questions to the user


def ask_save_discard_cancel(parent: QWidget | None, name: str) -> str:
    """ "Save changes to <name>?" -> SAVE, DISCARD or CANCEL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save changes to {name}?")
    box.setInformativeText("If you don't save, your changes will be lost.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return CANCEL


def confirm_delete(parent: QWidget | None, name: str) -> bool:
    """Ask before deleting a client and everything recorded about it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Delete client")
    box.setText(f"Delete {name}?")
    box.setInformativeText(
        "Its contacts, purchases, pricing, preferences, specifications, timeline and tasks "
        "are deleted too. This cannot be undone."
    )
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is delete


def ask_conflict(parent: QWidget | None, name: str) -> str:
    """Someone else saved the client meanwhile -> RELOAD (drop my changes) or KEEP editing."""
    box = QMessageBox(parent)
    box.setObjectName("editConflictBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Changed by someone else")
    box.setText(f"Someone else saved {name} after you opened it.")
    box.setInformativeText(
        "Nothing was saved. Reload their version (your changes here are discarded), or "
        "keep editing and copy what you need before reloading."
    )
    reload = box.addButton("Reload their version", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return RELOAD if box.clickedButton() is reload else KEEP


# -------------------------------------------------------------------- error wording

_LABELS = {
    "addresses": "Addresses",
    "address": "Address",
    "postal_code": "Postal code",
    "contacts": "Contacts",
    "personal": "Personal profile",
    "purchases": "Purchases",
    "items": "Line items",
    "unit_price": "Unit price",
    "discount_percent": "Discount %",
    "pricing": "Pricing",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "preferences": "Preferences",
    "seasonal_needs": "Seasonal needs",
    "specifications": "Specifications",
    "interactions": "Timeline",
    "tasks": "Tasks",
    "due": "Due date",
}
_SCALAR_LISTS = {"emails": "Email", "phones": "Phone", "tags": "Tag", "months": "Month"}


def describe_path(parts: list[PathPart]) -> str:
    """``contacts[0].email`` -> ``Contacts › row 1 › Email``."""
    words: list[str] = []
    for key, index in parts:
        if index is not None and key in _SCALAR_LISTS:
            words.append(f"{_SCALAR_LISTS[key]} {index + 1}")
            continue
        words.append(_LABELS.get(key) or key.replace("_", " ").capitalize())
        if index is not None:
            words.append(f"row {index + 1}")
    return " › ".join(words)


def _local_time(timestamp: str | None) -> str:
    if not timestamp:
        return ""
    try:
        when = dt.datetime.fromisoformat(timestamp).astimezone()
    except ValueError:
        return timestamp
    return when.strftime("%d %b %Y, %H:%M")


# -------------------------------------------------------------------- the editor


class ClientEditor(QWidget):
    """Edit one client; all checks are the domain's, every write goes through the service."""

    saved = Signal(int)  # client id, after a successful save (new clients too)
    deleted = Signal(int)
    dirty_changed = Signal(bool)
    title_changed = Signal(str)  # the client's name as shown ("New client" when empty)

    def __init__(
        self,
        clients: ClientService,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        user: Principal | None = None,
    ) -> None:
        super().__init__(parent)
        self._clients = clients
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
        self.name_label = QLabel()
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusChip")
        self.info_label = QLabel()
        self.info_label.setForegroundRole(self.info_label.foregroundRole())
        self.info_label.setEnabled(False)  # dimmed, still readable
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
        titles.addWidget(self.coverage_marks)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addWidget(self.save_button)
        header.addWidget(self.revert_button)
        header.addWidget(self.delete_button)

        # errors
        self.error_area = QFrame()
        self.error_area.setObjectName("errorArea")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error_layout = QVBoxLayout(self.error_area)
        error_layout.setContentsMargins(8, 6, 8, 6)
        error_layout.addWidget(self.error_label)
        self.error_area.hide()

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
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        lock = lock_icon()
        for tab in self.tab_list:
            if tab.confidential():
                index = self.tabs.addTab(tab, lock, tab.TITLE)
                self.tabs.setTabToolTip(index, f"{tab.TITLE}: {BANNER_TEXT}")
            else:
                self.tabs.addTab(tab, tab.TITLE)
            tab.changed.connect(self._on_changed)
        self.timeline.call_logged.connect(self._on_call_logged)
        self.prompt.fill_requested.connect(
            lambda k: self.tabs.setCurrentWidget(self._tab_for([(k, 0)]))
        )

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
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
        for tab in self.tab_list:
            if tab.confidential():
                index = self.tabs.indexOf(tab)
                self.tabs.setTabIcon(index, lock)
                what = WITHHELD_TEXT if withheld else BANNER_TEXT
                self.tabs.setTabToolTip(index, f"{tab.TITLE}: {what}")

    def load(self, client_id: int) -> bool:
        """Show a saved client; False (after telling the user why) if it cannot be read."""
        try:
            data = self._clients.get_json(client_id)
        except Exception as exc:  # noqa: BLE001 - shown as a dialog, never a traceback
            show_error(self, exc, "Open client")
            return False
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
        return True

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
        """Save the client; True on success. Problems are shown, never raised."""
        if self.stack.currentWidget() is self.placeholder:
            return False
        data = self._collect()
        logged = what_was_logged(self._baseline, data, self._call_logged)
        try:
            if self._id is None:
                new_id = self._clients.add(data)
            else:
                self._clients.update(self._id, data, expected_version=self._version)
                new_id = self._id
        except InvalidRecord as exc:
            self._show_invalid(exc)
            return False
        except EditConflict:
            if ask_conflict(self, self._display_name()) == RELOAD:
                self.load(self._id)  # type: ignore[arg-type]
            return False
        except Exception as exc:  # noqa: BLE001 - shown as a dialog, never a traceback
            show_error(self, exc, "Save client")
            return False
        self.load(new_id)
        if logged:  # a quiet suggestion under the header, never a dialog
            self.prompt.suggest(self.coverage_marks.coverage(), self._display_name(), logged)
        self.saved.emit(new_id)
        return True

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
        client_id = self._id
        try:
            self._clients.delete(client_id, expected_version=self._version)
        except EditConflict as exc:
            show_error(self, exc, "Delete client")
            return False
        except Exception as exc:  # noqa: BLE001 - shown as a dialog, never a traceback
            show_error(self, exc, "Delete client")
            return False
        self.clear()
        self.deleted.emit(client_id)
        return True

    # -- internals

    def _collect(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for tab in self.tab_list:
            data.update(tab.values())
        return data

    def _show(self, data: dict[str, Any]) -> None:
        # Numbers in the national format of the vault's region (the owner may change it).
        region = self._clients.region_for_phones()
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
        self.name_label.setToolTip("Unsaved changes" if self._dirty else "")
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
        self.error_area.hide()
        self.error_label.clear()
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
        count = len(lines)
        heading = (
            "Nothing was saved. Fix this field:"
            if count == 1
            else (f"Nothing was saved. Fix these {count} fields:")
        )
        self.error_label.setText(heading + "\n" + "\n".join(f"•  {line}" for line in lines))
        self.error_area.show()
        if first_tab is not None:
            self.tabs.setCurrentWidget(first_tab)

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
