"""Fields for values that are not one line of text: several emails or phones edited as a
list, and a date picked from a calendar (or left empty).

Both speak the line edit's language (``text()``, ``setText()``, ``textChanged``,
``setReadOnly()``, ``setPlaceholderText()``), so a form treats them like any field:
a list's text is its values joined by ", ", a date's text is ISO (YYYY-MM-DD) or "".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.widgets.formats import full_year_date_format

from .cell_text import split_list

_NO_DATE = QDate(1800, 1, 1)  # the empty state of a date field, shown blank


class ValuesEdit(QWidget):
    """Several values (emails, phones), one line each: the first is the main one.

    "Add another" appends a line; each line but a lone one has a button removing it.
    ``shown`` formats a stored value for reading ("+12025550173" -> "+1 202-555-0173");
    what is typed is sent as typed (the domain checks and normalises it).
    """

    textChanged = Signal(str)  # noqa: N815 - the line edit's name

    def __init__(
        self,
        noun: str,
        parent: QWidget | None = None,
        *,
        shown: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._noun = noun
        self._shown = shown or (lambda value: value)
        self._placeholder = ""
        self._read_only = False
        self._lines: list[tuple[QWidget, QLineEdit, QToolButton]] = []
        self._filling = False
        self._rows = QVBoxLayout()
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(3)
        self.add_button = QPushButton(f"Add another {noun}", self)
        self.add_button.setFlat(True)
        self.add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.add_button.clicked.connect(self.add_line)
        add_row = QHBoxLayout()
        add_row.setContentsMargins(0, 0, 0, 0)
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._rows)
        layout.addLayout(add_row)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # error borders
        self.set_values([])
        self.setFocusProxy(self._lines[0][1])

    # -- the line edit's language ---------------------------------------------------------

    def text(self) -> str:
        return ", ".join(self.values())

    def setText(self, text: str) -> None:  # noqa: N802 - the line edit's name
        self.set_values(split_list(text))

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self._placeholder = text
        for index, (_row, edit, _button) in enumerate(self._lines):
            edit.setPlaceholderText(text if index == 0 else "")

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802
        self._read_only = read_only
        for _row, edit, button in self._lines:
            edit.setReadOnly(read_only)
            button.setVisible(not read_only and len(self._lines) > 1)
        self.add_button.setVisible(not read_only)

    def isReadOnly(self) -> bool:  # noqa: N802
        return self._read_only

    def setCursorPosition(self, position: int) -> None:  # noqa: N802
        for _row, edit, _button in self._lines:
            edit.setCursorPosition(position)

    # -- values ---------------------------------------------------------------------------

    def values(self) -> list[str]:
        return [edit.text().strip() for _r, edit, _b in self._lines if edit.text().strip()]

    def line_edits(self) -> list[QLineEdit]:
        return [edit for _row, edit, _button in self._lines]

    def set_values(self, values: list[str]) -> None:
        """Show ``values`` (nothing is announced)."""
        self._filling = True
        try:
            while len(self._lines) > max(1, len(values)):
                self._drop(len(self._lines) - 1)
            while len(self._lines) < max(1, len(values)):
                self._append()
            for index, (_row, edit, _button) in enumerate(self._lines):
                edit.setText(self._shown(values[index]) if index < len(values) else "")
                edit.setCursorPosition(0)
        finally:
            self._filling = False
        self._update_buttons()

    def add_line(self) -> None:
        """A new empty line at the end, with the cursor in it."""
        edit = self._append()
        self._update_buttons()
        edit.setFocus()

    # -- internals --------------------------------------------------------------------------

    def _append(self) -> QLineEdit:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(2)
        edit = QLineEdit(row)
        edit.setReadOnly(self._read_only)
        edit.setAccessibleName(self._noun.capitalize())
        remove = QToolButton(row)
        remove.setText("−")
        remove.setToolTip(f"Remove this {self._noun}")
        remove.setAutoRaise(True)
        line.addWidget(edit, 1)
        line.addWidget(remove)
        self._rows.addWidget(row)
        self._lines.append((row, edit, remove))
        edit.textChanged.connect(self._edited)
        remove.clicked.connect(lambda: self._remove(edit))
        if len(self._lines) == 1:
            edit.setPlaceholderText(self._placeholder)
        return edit

    def _remove(self, edit: QLineEdit) -> None:
        index = next(i for i, (_r, e, _b) in enumerate(self._lines) if e is edit)
        if len(self._lines) == 1:
            edit.clear()
            return
        self._drop(index)
        self._update_buttons()
        self._edited()

    def _drop(self, index: int) -> None:
        row, _edit, _button = self._lines.pop(index)
        row.hide()
        row.deleteLater()

    def _update_buttons(self) -> None:
        several = len(self._lines) > 1
        for _row, _edit, button in self._lines:
            button.setVisible(several and not self._read_only)
        self.setFocusProxy(self._lines[0][1])

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.textChanged.emit(self.text())


class DateField(QDateEdit):
    """A date picked from a calendar, or none: empty shows blank ("none" in its menu)."""

    textChanged = Signal(str)  # noqa: N815 - the line edit's name: ISO text or ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(_NO_DATE)
        self.setMaximumDate(QDate(2999, 12, 31))
        self.setSpecialValueText(" ")  # the minimum date: no date
        self.setDisplayFormat(self._format())
        self._blank()
        self.dateChanged.connect(lambda _date: self.textChanged.emit(self.text()))

    @staticmethod
    def _format() -> str:
        # Years in full: "yy" cannot tell 1925 from 2025 for a birthday.
        return full_year_date_format()

    def _blank(self) -> None:
        self.setDate(_NO_DATE)

    def text(self) -> str:
        date = self.date()
        if date == _NO_DATE:
            return ""
        return date.toString(Qt.DateFormat.ISODate)

    def setText(self, text: str) -> None:  # noqa: N802 - the line edit's name
        self.blockSignals(True)
        try:
            day = dt.date.fromisoformat(text) if text else None
        except ValueError:
            day = None
        if day is None:
            self._blank()
        else:
            self.setDate(QDate(day.year, day.month, day.day))
        self.blockSignals(False)

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self.setToolTip(text)

    def setCursorPosition(self, position: int) -> None:  # noqa: N802
        self.lineEdit().setCursorPosition(position)

    def clear_date(self) -> None:
        self._blank()

    def contextMenuEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        menu = self.lineEdit().createStandardContextMenu()
        menu.addSeparator()
        menu.addAction("No date", self.clear_date)
        menu.exec(event.globalPos())
