"""Small pieces the people dialogs share: a read-only table model, times, dialog chrome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.domain.roles import Role
from crmdesk.gui.vault_flows.unlock import STYLE, primary_button

Index = QModelIndex | QPersistentModelIndex

# The roles the owner can give (a vault has exactly one owner), with what each may do.
ROLE_CHOICES: tuple[tuple[Role, str], ...] = (
    (Role.MANAGER, "every client in full; assigns, deletes, prints and copies lists"),
    (Role.SALESPERSON, "their own clients in full, the others' contact details only"),
    (Role.ASSISTANT, "contact details only; logs calls and tasks, prints call lists"),
)


def local_time(when: dt.datetime | None, empty: str = "—") -> str:
    """A timestamp in the computer's time zone, e.g. "29 Nov 2026, 14:05"."""
    if when is None:
        return empty
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone().strftime("%d %b %Y, %H:%M")


def local_date(when: dt.datetime | None) -> str:
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone().strftime("%d %B %Y")


class RowsModel(QAbstractTableModel):
    """Read-only rows of text (a model, not a QTableWidget: see gui/today/views.py)."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple[str, ...]] = []
        self._keys: list[Any] = []

    def set_rows(self, rows: Sequence[tuple[Sequence[str], Any]]) -> None:
        """Each row is (cells, key); the key is what :meth:`key_at` returns."""
        self.beginResetModel()
        self._rows = [tuple(str(c) for c in cells) for cells, _ in rows]
        self._keys = [key for _, key in rows]
        self.endResetModel()

    def key_at(self, row: int) -> Any:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_of(self, key: Any) -> int | None:
        return self._keys.index(key) if key in self._keys else None

    def text_at(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._headers)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None


def rows_view(model: RowsModel, parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table for a :class:`RowsModel`."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def dialog_frame(dialog: QDialog, title: str, width: int = 480) -> QVBoxLayout:
    """The window title, the shared stylesheet, margins: the outer layout to fill."""
    dialog.setWindowTitle(title)
    dialog.setStyleSheet(STYLE)
    dialog.setMinimumWidth(width)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(24, 20, 24, 18)
    layout.setSpacing(10)
    return layout


def button_row(
    cancel_text: str, action_text: str
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """Cancel-like and primary buttons, in the platform's order."""
    buttons = QDialogButtonBox()
    cancel = buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setAutoDefault(False)
    action = primary_button(action_text)
    buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
    return buttons, cancel, action


def confirm(parent: QWidget | None, title: str, text: str, detail: str, action: str) -> bool:
    """A question with a named action button and Cancel (Cancel is the default)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
    return box.clickedButton() is yes
