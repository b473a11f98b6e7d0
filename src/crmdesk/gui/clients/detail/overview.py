"""Overview tab: the client's basic contact information (and its confidential notes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from crmdesk.domain import FieldClass, Section, classify
from crmdesk.domain.entities import CLIENT_KINDS, CLIENT_STATUSES
from crmdesk.gui.phone_text import PhoneText
from crmdesk.gui.widgets.formats import value_words

from .banners import WITHHELD_TEXT
from .cell_text import split_list
from .child_table import ChildTable, Column
from .field_marks import PathPart, clear_invalid, mark_invalid
from .tab_base import DetailTab, mark_table_error, section_title, tab_layout
from .value_fields import ValuesEdit

_LINES = ("name", "industry", "salesperson", "website", "source")
_LISTS = ("emails", "phones", "tags")
ADDRESS_COLUMNS = (
    Column("street", "Street", width=220),
    Column("city", "City", width=140),
    Column("region", "Region", width=90),
    Column("postal_code", "Postal code", width=100),
    Column("country", "Country", stretch=True),
)


class OverviewTab(DetailTab):
    """Name, kind, status, industry, salesperson, web, emails, phones, addresses, tags."""

    TITLE = "Overview"
    KEYS = (
        "name",
        "kind",
        "status",
        "industry",
        "salesperson",
        "website",
        "emails",
        "phones",
        "addresses",
        "tags",
        "source",
        "notes",
    )
    SECTIONS = (Section.OVERVIEW,)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: dict[str, QLineEdit | ValuesEdit] = {k: QLineEdit() for k in (*_LINES, "tags")}
        # Several emails and phones: one line each, the first the main one. Phones are shown
        # by phone_text (national in the vault's region) and read back through it.
        self.lines["emails"] = ValuesEdit("email")
        self.lines["phones"] = ValuesEdit("phone")
        self.phone_text = PhoneText()  # its region is set by the editor before each load
        self.lines["name"].setPlaceholderText("Company or person (required)")
        self.lines["website"].setPlaceholderText("example.com")
        self.lines["emails"].setPlaceholderText("orders@example.com")
        self.lines["phones"].setPlaceholderText("+1 202 555 0173")
        self.lines["tags"].setPlaceholderText("VIP, wholesale, …")
        self.kind = QComboBox()
        for kind in CLIENT_KINDS:
            self.kind.addItem(value_words(kind), kind)
        self.status = QComboBox()
        for status in CLIENT_STATUSES:
            self.status.addItem(value_words(status), status)
        self.addresses = ChildTable(ADDRESS_COLUMNS, new_row=_blank_address, noun="address")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("What you know about this client")
        self.notes.setTabChangesFocus(True)
        notes_secret = classify("client.notes") is FieldClass.VALUE_ADDED
        self.notes_label = section_title("Notes", confidential=notes_secret)

        left = QFormLayout()
        left.addRow("&Name", self.lines["name"])
        left.addRow("&Kind", self.kind)
        left.addRow("S&tatus", self.status)
        left.addRow("&Industry", self.lines["industry"])
        left.addRow("Sales&person", self.lines["salesperson"])
        left.addRow("Sou&rce", self.lines["source"])
        right = QFormLayout()
        right.addRow("&Emails", self.lines["emails"])
        right.addRow("P&hones", self.lines["phones"])
        right.addRow("&Website", self.lines["website"])
        right.addRow("Ta&gs", self.lines["tags"])
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)

        layout = tab_layout(self, self.confidential())
        layout.addLayout(columns)
        layout.addWidget(section_title("Addresses"))
        layout.addWidget(self.addresses, 2)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.notes, 2)

        order = [
            self.lines["name"],
            self.kind,
            self.status,
            self.lines["industry"],
            self.lines["salesperson"],
            self.lines["source"],
            self.lines["emails"],
            self.lines["phones"],
            self.lines["website"],
            self.lines["tags"],
            self.addresses.table,
            self.addresses.add_button,
            self.addresses.delete_button,
            self.notes,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

        for edit in self.lines.values():
            edit.textChanged.connect(self.changed)
        self.kind.currentIndexChanged.connect(self.changed)
        self.status.currentIndexChanged.connect(self.changed)
        self.notes.textChanged.connect(self.changed)
        self.addresses.changed.connect(self.changed)

    def set_withheld(self, withheld: bool) -> None:
        """The notes are value-added: read-only (and empty) for someone limited to basics."""
        super().set_withheld(withheld)
        self.notes.setReadOnly(withheld)
        self.notes.setPlaceholderText(
            WITHHELD_TEXT if withheld else "What you know about this client"
        )
        self.notes.setToolTip(WITHHELD_TEXT if withheld else "")
        if classify("client.notes") is FieldClass.VALUE_ADDED:
            self.notes_label.setText("Notes — Withheld" if withheld else "Notes — Confidential")

    def set_salesperson_editable(self, editable: bool, why: str = "") -> None:
        """Only those who may assign clients change the salesperson."""
        edit = self.lines["salesperson"]
        edit.setReadOnly(not editable)
        edit.setToolTip("" if editable else why)

    def load(self, data: dict[str, Any]) -> None:
        widgets: list[QWidget] = [*self.lines.values(), self.kind, self.status, self.notes]
        for w in widgets:
            w.blockSignals(True)
        try:
            for key in _LINES:
                self.lines[key].setText(data.get(key) or "")
            for key in _LISTS:
                items = data.get(key) or []
                text = self.phone_text.show(items) if key == "phones" else ", ".join(items)
                self.lines[key].setText(text)
            self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind"))))
            self.status.setCurrentIndex(max(0, self.status.findData(data.get("status"))))
            self.notes.setPlainText(data.get("notes") or "")
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.addresses.set_rows(data.get("addresses") or [])

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.lines[key].text() for key in _LINES}
        out.update({key: split_list(self.lines[key].text()) for key in _LISTS})
        out["phones"] = self.phone_text.read(out["phones"])
        out["kind"] = self.kind.currentData()
        out["status"] = self.status.currentData()
        out["addresses"] = self.addresses.rows()
        out["notes"] = self.notes.toPlainText()
        return out

    def name_edit(self) -> QLineEdit:
        return self.lines["name"]

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        key = parts[0][0]
        if key in self.lines:
            mark_invalid(self.lines[key], message)
        elif key in ("email", "phone"):
            mark_invalid(self.lines[f"{key}s"], message)
        elif key == "kind":
            mark_invalid(self.kind, message)
        elif key == "status":
            mark_invalid(self.status, message)
        elif key == "notes":
            mark_invalid(self.notes, message)
        elif key in ("addresses", "address"):
            return mark_table_error(self.addresses, parts, message)
        else:
            return False
        return True

    def clear_errors(self) -> None:
        for w in (*self.lines.values(), self.kind, self.status, self.notes):
            clear_invalid(w)
        self.addresses.clear_marks()


def _blank_address() -> dict[str, Any]:
    return {"street": "", "city": "", "region": "", "postal_code": "", "country": ""}


__all__ = ["OverviewTab"]
