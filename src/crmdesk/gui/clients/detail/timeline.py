"""Timeline tab: calls, meetings, emails, visits and notes, newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from crmdesk.domain import Section
from crmdesk.domain.entities import INTERACTION_KINDS
from crmdesk.gui.widgets.dialog import AppDialog

from .child_table import ChildTable, Column
from .tab_base import DetailTab, TableTab

INTERACTION_COLUMNS = (
    Column("date", "Date", "date", width=100),
    Column("kind", "Kind", "choice", choices=INTERACTION_KINDS, width=90),
    Column("contact", "Contact", width=160),
    Column("summary", "Summary", width=330),
    Column("outcome", "Outcome", stretch=True),
)


# Said where a person logs a call on a client whose book their key does not open.
NOTES_CLOSED = (
    "What was said goes into the client's book, which your key does not open: the call "
    "is logged with its date and contact only. To pass something on, add a task for "
    "the client's salesperson."
)


class LogCallDialog(AppDialog):
    """Date (today), contact, summary and outcome of a call (date and contact only for
    someone whose key does not open the client's book)."""

    def __init__(
        self,
        parent: QWidget | None,
        contacts: list[str],
        today: dt.date,
        notes_allowed: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log a call")
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.contact = QComboBox()
        self.contact.setEditable(True)
        self.contact.addItems(contacts)
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What was said")
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("What happens next")
        form = QFormLayout(self)
        form.addRow("&Date", self.date)
        form.addRow("&Contact", self.contact)
        if notes_allowed:
            form.addRow("&Summary", self.summary)
            form.addRow("&Outcome", self.outcome)
        else:
            self.summary.hide()
            self.outcome.hide()
            self.notes_closed = QLabel(NOTES_CLOSED)
            self.notes_closed.setWordWrap(True)
            form.addRow(self.notes_closed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log call")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(420, 300 if notes_allowed else 200)
        (self.summary if notes_allowed else self.contact).setFocus()

    def interaction(self) -> dict[str, Any]:
        return {
            "date": self.date.date().toPython().isoformat(),
            "kind": "call",
            "contact": self.contact.currentText().strip(),
            "summary": self.summary.toPlainText().strip(),
            "outcome": self.outcome.text().strip(),
        }


def ask_call_details(
    parent: QWidget | None, contacts: list[str], today: dt.date, notes_allowed: bool = True
) -> dict[str, Any] | None:
    """Ask for a call's details; None when cancelled. Tests replace this function."""
    dialog = LogCallDialog(parent, contacts, today, notes_allowed)
    return dialog.interaction() if dialog.exec() == QDialog.DialogCode.Accepted else None


class TimelineTab(TableTab):
    """Interactions, newest first, with a quick "Log a call…" action."""

    TITLE = "Timeline"
    KEYS = ("interactions",)
    SECTIONS = (Section.INTERACTIONS,)
    SHOWN_PATHS = ("interaction.summary", "interaction.outcome")
    HEADINGS = {"interactions": "Interactions (newest first)"}
    WITHHELD_DETAIL = (
        "Summaries and outcomes are in the client's book, which your key does not open. "
        "You can still log calls and add entries with their date, kind and contact."
    )
    WITHHELD_KEYS = ("summary", "outcome")

    call_logged = Signal(dict)  # the new interaction, already in the table

    def __init__(
        self,
        today: Callable[[], dt.date] = dt.date.today,
        contacts: Callable[[], list[str]] = list,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._contacts = contacts
        self.log_call_button = QPushButton("Log a call…")
        self.log_call_button.setToolTip("Record a call and save the client")
        self.log_call_button.clicked.connect(self.log_call)
        bar = QHBoxLayout()
        bar.addWidget(self.log_call_button)
        bar.addStretch(1)
        self.outer.addLayout(bar)
        self.table = self.add_table(
            "interactions",
            ChildTable(
                INTERACTION_COLUMNS,
                new_row=self._new_interaction,
                noun="entry",
                sort_key=lambda i: str(i.get("date") or ""),
                sort_descending=True,
            ),
        )

    def set_withheld(self, withheld: bool) -> None:
        # Entries themselves are basic information: only their summaries are locked.
        DetailTab.set_withheld(self, withheld)
        self.table.lock_existing(self.WITHHELD_KEYS if withheld else ())
        self.table.close_keys(self.WITHHELD_KEYS if withheld else ())

    def load(self, data: dict[str, Any]) -> None:
        super().load(data)
        if self.is_withheld():
            self.table.lock_existing(self.WITHHELD_KEYS)

    def log_call(self) -> None:
        details = ask_call_details(
            self, self._contacts(), self._today(), notes_allowed=not self.is_withheld()
        )
        if details is None:
            return
        self.add_interaction(details)
        self.call_logged.emit(details)

    def add_interaction(self, interaction: dict[str, Any]) -> None:
        self.table.append_row(dict(interaction))  # emits changed

    def _new_interaction(self) -> dict[str, Any]:
        return {
            "date": self._today().isoformat(),
            "kind": "note",
            "contact": "",
            "summary": "",
            "outcome": "",
        }


__all__ = ["LogCallDialog", "TimelineTab", "ask_call_details"]
