"""Contacts tab: the people at the client, each with a confidential personal profile."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain import FieldClass, Section, classify
from crmdesk.domain.json_codec import PERSONAL_KEYS
from crmdesk.gui.phone_text import PhoneText

from .banners import BANNER_TEXT, WITHHELD_TEXT
from .cell_text import split_list
from .child_table import WITHHELD_CELL
from .field_marks import PathPart, clear_invalid, mark_invalid
from .tab_base import DetailTab, tab_layout
from .value_fields import DateField, ValuesEdit

_LABELS = {
    "name": "&Name",
    "title": "&Title",
    "emails": "&Emails",
    "phones": "&Phones",
    "birthday": "&Birthday",
    "hobbies": "&Hobbies",
    "activities": "&Activities",
    "education": "E&ducation",
    "memberships": "&Memberships",
    "family": "&Family",
    "notes": "N&otes",
}
_LIST_KEYS = ("emails", "phones")
_PLACEHOLDERS = {
    "notes": "How to work with this person",
    "emails": "name@example.com",
    "phones": "+1 202 555 0173",
    "birthday": "Pick a date, or leave empty (right-click: no date)",
    "name": "Required",
}
_ERROR_BRUSH = QBrush(QColor(211, 47, 47, 70))


def _secret(key: str) -> bool:
    path = f"contact.personal.{key}" if key in PERSONAL_KEYS else f"contact.{key}"
    return classify(path) is FieldClass.VALUE_ADDED


def blank_contact() -> dict[str, Any]:
    return {
        "name": "",
        "title": "",
        "emails": [],
        "phones": [],
        "birthday": None,
        "personal": dict.fromkeys(PERSONAL_KEYS, ""),
        "notes": "",
    }


class ContactsTab(DetailTab):
    """A list of contacts on the left, the selected one's form on the right."""

    TITLE = "Contacts"
    KEYS = ("contacts",)
    SECTIONS = (Section.CONTACTS, Section.PERSONAL_PROFILES)
    WITHHELD_DETAIL = (
        "Personal profiles, birthdays and notes about each person are withheld. Names, "
        "titles, emails and phones can still be changed."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._contacts: list[dict[str, Any]] = []
        self._stored: list[dict[str, Any]] = []  # as loaded: their withheld parts are kept
        self._errors: dict[int, list[tuple[str, str]]] = {}
        self._filling = False
        self.phone_text = PhoneText()  # its region is set by the editor before each load

        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.add_button = QPushButton("Add contact")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected contact")
        self.add_button.clicked.connect(self.add_contact)
        self.remove_button.clicked.connect(self.remove_contact)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        left_layout.addLayout(buttons)

        self.edits: dict[str, QLineEdit | QPlainTextEdit | ValuesEdit | DateField] = {}
        for key in ("name", "title", *PERSONAL_KEYS):
            self.edits[key] = QLineEdit()
        self.edits["emails"] = ValuesEdit("email")
        self.edits["phones"] = ValuesEdit("phone")  # shown through phone_text
        self.edits["birthday"] = DateField()
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)
        self.edits["notes"] = notes
        for key, text in _PLACEHOLDERS.items():
            self.edits[key].setPlaceholderText(text)

        basic = QFormLayout()
        self.personal_group = QGroupBox("Personal profile — Confidential")
        self.personal_group.setToolTip(BANNER_TEXT)
        personal = QFormLayout(self.personal_group)
        order = ("name", "title", "emails", "phones", "birthday", *PERSONAL_KEYS, "notes")
        for key in order:
            (personal if _secret(key) else basic).addRow(_LABELS[key], self.edits[key])
        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.addLayout(basic)
        form_layout.addWidget(self.personal_group)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 700])
        layout = tab_layout(self, self.confidential())
        layout.addWidget(splitter)

        chain: list[QWidget] = [self.list, self.add_button, self.remove_button]
        chain += [self.edits[k] for k in order]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        for key, edit in self.edits.items():
            signal = edit.textChanged
            signal.connect(lambda *_, k=key: self._on_edit(k))
        self.list.currentRowChanged.connect(self._show_contact)
        self._show_contact(-1)

    # -- DetailTab

    def set_withheld(self, withheld: bool) -> None:
        super().set_withheld(withheld)
        self.personal_group.setTitle(
            "Personal profile — Withheld" if withheld else "Personal profile — Confidential"
        )
        self.personal_group.setToolTip(WITHHELD_TEXT if withheld else BANNER_TEXT)
        for key, edit in self.edits.items():
            if _secret(key):
                edit.setReadOnly(withheld)
                edit.setPlaceholderText(WITHHELD_CELL if withheld else _PLACEHOLDERS.get(key, ""))

    def load(self, data: dict[str, Any]) -> None:
        keep = self.list.currentRow()
        self._contacts = [_normalised(c) for c in data.get("contacts") or []]
        self._stored = list(self._contacts)
        self._errors.clear()
        self.list.blockSignals(True)
        self.list.clear()
        for contact in self._contacts:
            self.list.addItem(QListWidgetItem(_display_name(contact)))
        self.list.blockSignals(False)
        row = keep if 0 <= keep < len(self._contacts) else (0 if self._contacts else -1)
        self.list.setCurrentRow(row)
        self._show_contact(row)

    def forget_selection(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)

    def values(self) -> dict[str, Any]:
        return {"contacts": copy.deepcopy(self._contacts)}

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        index = parts[0][1]
        if index is None or not 0 <= index < len(self._contacts):
            mark_invalid(self.list, message)
            return True
        key = parts[1][0] if len(parts) > 1 else "name"
        if key == "personal" and len(parts) > 2:
            key = parts[2][0]
        key = {"email": "emails", "phone": "phones"}.get(key, key)
        self._errors.setdefault(index, []).append((key, message))
        item = self.list.item(index)
        item.setBackground(_ERROR_BRUSH)
        item.setToolTip(message)
        mark_invalid(self.list, message)
        self.list.setCurrentRow(index)
        self._apply_errors(index)
        return True

    def clear_errors(self) -> None:
        self._errors.clear()
        clear_invalid(self.list)
        for row in range(self.list.count()):
            self.list.item(row).setBackground(QBrush())
            self.list.item(row).setToolTip("")
        for edit in self.edits.values():
            clear_invalid(edit)

    # -- actions

    def add_contact(self) -> None:
        self._contacts.append(blank_contact())
        self.list.addItem(QListWidgetItem("(new contact)"))
        self.list.setCurrentRow(len(self._contacts) - 1)
        self.edits["name"].setFocus()
        self.changed.emit()

    def remove_contact(self) -> None:
        row = self.list.currentRow()
        if not self._removable(row):
            return
        self._contacts.pop(row)
        self._errors = {(i if i < row else i - 1): e for i, e in self._errors.items() if i != row}
        self.list.takeItem(row)
        self._show_contact(self.list.currentRow())
        self.changed.emit()

    def contact_names(self) -> list[str]:
        return [c.get("name", "").strip() for c in self._contacts if c.get("name", "").strip()]

    # -- internals

    def _removable(self, row: int) -> bool:
        if not 0 <= row < len(self._contacts):
            return False
        # Removing a stored contact would remove what is withheld about them too.
        contact = self._contacts[row]
        return not (self.is_withheld() and any(c is contact for c in self._stored))

    def _show_contact(self, row: int) -> None:
        has = 0 <= row < len(self._contacts)
        self.form.setEnabled(has)
        contact = self._contacts[row] if has else blank_contact()
        self.remove_button.setEnabled(self._removable(row))
        self._filling = True
        try:
            for key, edit in self.edits.items():
                value = _get(contact, key)
                if key == "phones":
                    text = self.phone_text.show(value or [])
                else:
                    text = ", ".join(value) if key in _LIST_KEYS else (value or "")
                if isinstance(edit, QPlainTextEdit):
                    edit.setPlainText(text)
                else:
                    edit.setText(text)
                    edit.setCursorPosition(0)
        finally:
            self._filling = False
        for edit in self.edits.values():
            clear_invalid(edit)
        if has:
            self._apply_errors(row)

    def _apply_errors(self, row: int) -> None:
        for key, message in self._errors.get(row, []):
            mark_invalid(self.edits.get(key, self.edits["name"]), message)

    def _on_edit(self, key: str) -> None:
        row = self.list.currentRow()
        if self._filling or not 0 <= row < len(self._contacts):
            return
        edit = self.edits[key]
        text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        contact = self._contacts[row]
        if key == "phones":
            contact[key] = self.phone_text.read(split_list(text))
        elif key in _LIST_KEYS:
            contact[key] = split_list(text)
        elif key == "birthday":
            contact[key] = text.strip() or None
        elif key in PERSONAL_KEYS:
            contact.setdefault("personal", {})[key] = text
        else:
            contact[key] = text
        if key == "name":
            self.list.item(row).setText(_display_name(contact))
        self.changed.emit()


def _get(contact: dict[str, Any], key: str) -> Any:
    if key in PERSONAL_KEYS:
        return (contact.get("personal") or {}).get(key, "")
    return contact.get(key)


def _normalised(contact: dict[str, Any]) -> dict[str, Any]:
    """The contact as the form edits it: lists, no ``email``/``phone`` shortcuts."""
    out = blank_contact()
    for key in out:
        if key == "personal":
            out[key].update(contact.get("personal") or {})
        elif contact.get(key) is not None:
            out[key] = copy.deepcopy(contact[key])
    return out


def _display_name(contact: dict[str, Any]) -> str:
    name = contact.get("name", "").strip() or "(new contact)"
    title = contact.get("title", "").strip()
    return f"{name} — {title}" if title else name


__all__ = ["ContactsTab", "blank_contact"]
